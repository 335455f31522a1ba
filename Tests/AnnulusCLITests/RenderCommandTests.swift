import DicomIO
import Foundation
import Testing

@Suite("annulus render: studies, sheets, cines, memory")
struct RenderCommandTests {
    /// Runs the CLI and returns its exit status and peak resident memory in KiB, read from the child's own
    /// `VmHWM` in /proc while it runs. (wait4's ru_maxrss cannot be used: a child forked from this large test
    /// process inherits the parent's resident size in that figure.)
    static func runMeasuringMemory(_ arguments: [String]) throws -> (status: Int32, peakKiB: Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let statusFile = "/proc/\(process.processIdentifier)/status"
        var peak = 0
        while process.isRunning {
            if let text = try? String(contentsOfFile: statusFile, encoding: .utf8),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                let kib = Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "")
            {
                peak = max(peak, kib)
            }
            usleep(5000)
        }
        process.waitUntilExit()
        return (process.terminationStatus, peak)
    }

    /// A JPEG-LS cine of `frames` 256 × 256 frames: a moving gradient with 5 bits of noise, so each compressed
    /// fragment is large (about 45 KB).
    static func writeCine(_ path: String, frames: Int) throws {
        let writer = try DicomWriter()
        try writer.set(.sopClassUID, "1.2.840.10008.5.1.4.1.1.12.2.1")
        try writer.set(.sopInstanceUID, "1.2.3.9.\(frames)")
        try writer.set(.studyInstanceUID, "1.2.3.9")
        try writer.set(.seriesInstanceUID, "1.2.3.9.1")
        try writer.set(.modality, "RF")
        try writer.set(.frameTime, "66.7")
        try writer.set(.numberOfFrames, "\(frames)")
        try writer.setMonochromePixelModule(rows: 256, columns: 256, bitsAllocated: 8, bitsStored: 8)
        var state: UInt32 = 12345
        let samples = (0..<(frames * 256 * 256)).map { index -> UInt8 in
            state = state &* 1_664_525 &+ 1_013_904_223
            let gradient = (index % 256 + index / (256 * 256)) % 200
            return UInt8(gradient + Int(state >> 27))
        }
        try writer.setPixels(samples)
        try writer.write(to: path, transferSyntax: .jpegLSLossless)
    }

    /// The frame count announced in an APNG's acTL chunk.
    static func announcedFrames(_ png: Data) -> Int? {
        let bytes = [UInt8](png)
        guard let range = png.range(of: Data("acTL".utf8)) else { return nil }
        let start = range.upperBound
        return bytes[start..<start + 4].reduce(0) { $0 << 8 | Int($1) }
    }

    @Test("a long cine renders as one animated PNG with flat memory: 400 frames cost no more than 40")
    func cineMemoryIsBounded() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-cine-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Self.writeCine(folder + "/short.dcm", frames: 40)
        try Self.writeCine(folder + "/long.dcm", frames: 400)
        let short = try Self.runMeasuringMemory(["render", folder + "/short.dcm", "--out", folder + "/out"])
        let long = try Self.runMeasuringMemory(["render", folder + "/long.dcm", "--out", folder + "/out"])
        if short.status != 0 || long.status != 0 {
            let rerun = try CLI.run(["render", folder + "/short.dcm", "--out", folder + "/out"])
            Issue.record("render failed (\(short.status), \(long.status)): \(rerun.stdout) \(rerun.stderr)")
            return
        }
        let png = try Data(contentsOf: URL(fileURLWithPath: folder + "/out/long.png"))
        #expect(Self.announcedFrames(png) == 400)
        // The 360 extra frames hold about 16 MB of compressed fragments; none of it may stay resident.
        let growthKiB = long.peakKiB - short.peakKiB
        #expect(growthKiB < 8 * 1024, "peak RSS grew by \(growthKiB) KiB: \(short.peakKiB) → \(long.peakKiB) KiB")
    }

    @Test("the SampleStudies render into previews, a cine and one contact sheet per stack")
    func sampleStudiesWithSheets() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-sheets-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let result = try CLI.run([
            "render", CLI.packageRoot + "/SampleStudies", "--out", out, "--sheet", "--size", "128", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        let objects = result.lines.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        let written = objects.flatMap { ($0["written"] as? [[String: Any]]) ?? [] }
        let sheets = written.filter { $0["kind"] as? String == "sheet" }.compactMap { $0["path"] as? String }
        let cines = written.filter { $0["kind"] as? String == "cine" }
        // Patient 1: sag T2, sag T1, two axial blocks; patient 2: sag T2, sag T1; plus the cine's own sheet.
        #expect(sheets.count == 7, "\(sheets)")
        #expect(sheets.contains { $0.hasSuffix("series-03-ax-t2/sheet-series3-stack2.png") })
        #expect(cines.count == 1)
        #expect(cines.first?["frames"] as? Int == 40)
        let images = written.filter { $0["kind"] as? String == "image" }
        #expect(images.count == 70)
        #expect(images.allSatisfy { max($0["width"] as? Int ?? 0, $0["height"] as? Int ?? 0) == 128 })
        let summary = objects.last?["summary"] as? [String: Int]
        #expect(summary == ["rendered": 71, "failed": 0, "sheets": 7])
        // Nothing but finished PNGs in the output tree.
        let files = FileManager.default.enumerator(atPath: out)?.compactMap { $0 as? String } ?? []
        #expect(files.filter { $0.hasSuffix(".png") }.count == 70 + 1 + 7)
        #expect(!files.contains { ($0 as NSString).lastPathComponent.hasPrefix(".") })
    }

    @Test("16-bit previews and bad options")
    func optionsAndErrors() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-16-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let slice = CLI.packageRoot + "/SampleStudies/patient1-lumbar-mr/series-01-sag-t2/IM0008.dcm"
        let result = try CLI.run(["render", slice, "--out", out, "--bit-depth", "16", "--window", "file:T2 SPINE"])
        #expect(result.status == 0, "\(result.stderr)")
        let png = try Data(contentsOf: URL(fileURLWithPath: out + "/IM0008.png"))
        #expect(png[24] == 16, "IHDR bit depth")
        #expect(png[25] == 0, "grey")
        let missing = try CLI.run(["render", slice, "--out", out, "--window", "file:BONE"])
        #expect(missing.status == 1)
        #expect(missing.stdout.contains("no window explained as 'BONE'"))
        #expect(missing.stdout.contains("1 (T2 SPINE)"))
        for bad in [["--bit-depth", "12"], ["--size", "4"], ["--window", "percentile:90,10"]] {
            let usage = try CLI.run(["render", slice, "--out", out] + bad)
            #expect(usage.status == 2, "\(bad)")
        }
    }
}
