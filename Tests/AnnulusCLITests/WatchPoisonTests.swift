import Foundation
import Testing

/// The watcher fed SampleStudies plus a poison file of each class that once stopped it for good (values that
/// trapped the renderer, sizes that asked for gigabytes, an RLE frame that crashes DCMTK's decoder): every good
/// study completes, each poison is marked with its reason, and `--once` exits 0.
@Suite("Watch: poison files")
struct WatchPoisonTests {
    static let slice = CLI.packageRoot + "/SampleStudies/patient2-lumbar-mr/series-01-sag-t2/IM0006.dcm"

    /// Runs a DCMTK tool and requires success.
    static func dcmtk(_ tool: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/" + tool)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "\(tool) \(arguments)")
    }

    /// A copy of the sample slice in a study of its own (new UIDs), changed by dcmodify.
    static func poison(_ name: String, in folder: String, assignments: [String], erase: [String] = []) throws
        -> String
    {
        let path = folder + "/" + name
        try FileManager.default.copyItem(atPath: slice, toPath: path)
        var arguments = ["-nb", "-q", "-gst", "-gse", "-gin"]
        for assignment in assignments { arguments += ["-i", assignment] }
        for tag in erase { arguments += ["-e", tag] }
        try dcmtk("dcmodify", arguments + [path])
        return path
    }

    /// The sample slice as RLE (DCMTK's own encoder) in a study of its own, with its second segment's offset
    /// pointing far past the fragment: DCMTK's per-frame RLE decoder reads out of bounds on it.
    static func crashingRLE(in folder: String) throws -> String {
        let native = folder + "/native.tmp"
        let path = folder + "/rle-offset.dcm"
        try dcmtk("dcmdjpls", [slice, native])
        try dcmtk("dcmcrle", [native, path])
        try FileManager.default.removeItem(atPath: native)
        try dcmtk("dcmodify", ["-nb", "-q", "-gst", "-gse", "-gin", path])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let pixelData: [UInt8] = [0xE0, 0x7F, 0x10, 0x00]
        let item: [UInt8] = [0xFE, 0xFF, 0x00, 0xE0]
        func find(_ pattern: [UInt8], from start: Int) -> Int? {
            guard start + pattern.count <= bytes.count else { return nil }
            return (start...(bytes.count - pattern.count)).first { Array(bytes[$0..<$0 + pattern.count]) == pattern }
        }
        let tag = try #require(find(pixelData, from: 0))
        let offsetTable = try #require(find(item, from: tag + 12))
        let tableLength = Int(bytes[offsetTable + 4]) | Int(bytes[offsetTable + 5]) << 8
        let fragment = offsetTable + 8 + tableLength
        try #require(Array(bytes[fragment..<fragment + 4]) == item)
        let header = fragment + 8
        try #require(bytes[header] == 2, "two RLE segments (16-bit grey)")
        for (index, byte) in [0xF0, 0xFF, 0xFF, 0x7F].enumerated() { bytes[header + 8 + index] = UInt8(byte) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("good studies complete, each poison is marked with a reason, and --once exits 0")
    func poisonFiles() throws {
        let fixture = try WatchFixture()
        defer { fixture.remove() }
        try FileManager.default.copyItem(
            atPath: CLI.packageRoot + "/SampleStudies", toPath: fixture.incoming + "/samples")
        let poisons = fixture.incoming + "/poison"
        try FileManager.default.createDirectory(atPath: poisons, withIntermediateDirectories: true)
        _ = try Self.poison("rescale-nan.dcm", in: poisons, assignments: ["(0028,1053)=nan"])
        _ = try Self.poison("spacing-inf.dcm", in: poisons, assignments: ["(0028,0030)=inf\\1"])
        _ = try Self.poison(
            "imager-spacing.dcm", in: poisons, assignments: ["(0018,1164)=1\\0.0000004"], erase: ["(0028,0030)"])
        _ = try Self.poison("window-inf.dcm", in: poisons, assignments: ["(0028,1050)=inf", "(0028,1051)=1e308"])
        _ = try Self.poison("position-nan.dcm", in: poisons, assignments: ["(0020,0032)=nan\\0\\0"])
        _ = try Self.crashingRLE(in: poisons)

        let result = try fixture.run(["watch", fixture.incoming, "--once", "--quiet-seconds", "0"])
        #expect(result.status == 0, "\(result.stdout)\n\(result.stderr)")
        #expect(!result.signaled)
        let status = try fixture.status()
        #expect(fixture.files(status, "added") == 71 + 6)
        // The three sample studies and the five header poisons (rendered with fallbacks) complete.
        #expect(fixture.studies(status, "complete") == 3 + 5, "\(status)")
        #expect(fixture.studies(status, "failed") == 1)
        let failed = try #require(status["failedStudies"] as? [[String: Any]])
        #expect(failed.first?["failure"] as? String == "previews-failed")
        let problems = (status["lastProblems"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        #expect(
            problems.contains {
                $0.contains("preview failed")
                    && ["decode-crashed", "decode-failed", "malformed"].contains(where: $0.contains)
            },
            "\(problems)")
        // The previews of the good studies exist.
        let previews = WatchFixture.files(in: fixture.data + "/previews").filter { $0.hasSuffix(".png") }
        #expect(previews.count >= 71)
        // A second pass has nothing to do: the failed study is not retried.
        let again = try fixture.run(["watch", fixture.incoming, "--once", "--quiet-seconds", "0"])
        #expect(again.status == 0)
        #expect(!again.stderr.contains("study completion failed"))
        // The worklist shows the patient's failed completion beside the triage.
        let worklist = try fixture.run(["worklist", "--json"])
        #expect(worklist.lines.contains { $0.contains("imagingProblems") && $0.contains("previews-failed") })
        let human = try fixture.run(["status"])
        #expect(human.stdout.contains("1 failed") && human.stdout.contains("previews-failed"))
    }
}

@Suite("Inspect: header values that are not usable numbers")
struct InspectPoisonTests {
    @Test("a folder with infinite or huge windows, NaN rescale and absurd spacing inspects whole, each warning named")
    func poisonedFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("inspect-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cases: [(String, [String])] = [
            ("a-window-inf.dcm", ["(0028,1050)=inf", "(0028,1051)=inf"]),
            ("b-window-huge.dcm", ["(0028,1050)=-1e308", "(0028,1051)=1e308"]),
            ("c-rescale-nan.dcm", ["(0028,1053)=nan"]),
            ("d-spacing.dcm", ["(0028,0030)=1e309\\1"]),
        ]
        for (name, assignments) in cases {
            _ = try WatchPoisonTests.poison(name, in: folder, assignments: assignments)
        }
        let result = try CLI.run(["inspect", folder])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.signaled)
        #expect(result.lines.filter { $0.hasPrefix("OK ") && $0.contains("warning: ") }.count == 4, "\(result.stdout)")
        let json = try CLI.run(["inspect", folder, "--json"])
        let warnings = json.lines.filter { $0.contains("is not a usable number") }
        #expect(warnings.count == 4, "\(json.stdout)")
        #expect(json.stdout.contains("Window Center 'inf' is not a usable number: the file's window not used"))
    }
}
