import Foundation
import Testing

@Suite("annulus inspect and render, end to end")
struct InspectCommandTests {
    static let corpus = URL(fileURLWithPath: CLI.packageRoot).deletingLastPathComponent()
        .appendingPathComponent("shared/corpus").path
    static var corpusAvailable: Bool { FileManager.default.fileExists(atPath: corpus + "/expectations.csv") }

    @Test(
        "the whole corpus: a result per file, exit 1, no signal, nothing unlabelled on stderr",
        .enabled(if: corpusAvailable, "corpus not found at ../shared/corpus; skipped"))
    func inspectCorpus() throws {
        let result = try CLI.run(["inspect", "--recursive", Self.corpus])
        #expect(!result.signaled)
        #expect(result.status == 1)
        let files = try FileManager.default.subpathsOfDirectory(atPath: Self.corpus).filter { path in
            var isFolder: ObjCBool = false
            FileManager.default.fileExists(atPath: Self.corpus + "/" + path, isDirectory: &isFolder)
            return !isFolder.boolValue
        }
        #expect(files.count >= 376)
        let lines = result.lines
        #expect(lines.count == files.count + 1)
        #expect(lines.last?.hasPrefix("\(files.count) file(s): ") == true)
        #expect(lines.last?.contains("nesting-too-deep 1") == true)
        for line in result.stderr.split(separator: "\n") {
            #expect(line.contains(" annulus."), "stderr line not from the logger: \(line)")
        }
    }

    @Test(
        "--json: one object per file with the documented keys, then a summary",
        .enabled(if: corpusAvailable, "corpus not found at ../shared/corpus; skipped"))
    func inspectJSON() throws {
        let folder = Self.corpus + "/pydicom/src/pydicom/data/test_files"
        let result = try CLI.run(["inspect", "--json", folder])
        let objects = try result.lines.map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let keys: Set<String> = [
            "path", "status", "reason", "error", "sopClassUID", "sopClassName", "modality", "patientID",
            "studyInstanceUID", "seriesInstanceUID", "sopInstanceUID", "accessionNumber", "transferSyntaxUID",
            "transferSyntaxName", "hasPixelData", "pixelsDecodable", "rows", "columns", "frames", "bitsAllocated",
            "bitsStored", "photometricInterpretation", "windowCenter", "windowWidth", "warnings",
        ]
        for object in objects.dropLast() { #expect(Set(object.keys) == keys) }
        let summary = try #require(objects.last?["summary"] as? [String: Any])
        #expect(summary["files"] as? Int == objects.count - 1)
        let j2k = objects.first { ($0["path"] as? String)?.hasSuffix("MR_small_jp2klossless.dcm") == true }
        // JPEG 2000 decodes through OpenJPEG.
        #expect(j2k?["status"] as? String == "ok")
        #expect(j2k?["pixelsDecodable"] as? Bool == true)
        #expect((j2k?["transferSyntaxName"] as? String)?.contains("JPEG 2000") == true)
        let ct = objects.first { ($0["path"] as? String)?.hasSuffix("/CT_small.dcm") == true }
        #expect(ct?["rows"] as? Int == 128)
        #expect(ct?["modality"] as? String == "CT")
    }

    @Test("the bundled SampleStudies inspect cleanly: exit 0")
    func inspectSamples() throws {
        let result = try CLI.run(["inspect", "-r", CLI.packageRoot + "/SampleStudies"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.lines.last?.hasSuffix("0 failed") == true)
    }

    @Test(
        "usage errors exit 2",
        arguments: [
            ["inspect"], ["inspect", "--max-sequence-depth", "0", "x"], ["inspect", "--bogus", "x"],
            ["render", "x"], ["render", "x", "--out", "/tmp", "--window", "wide"],
            ["render", "x", "--out", "/tmp", "--frames", "0"], ["nonsense"],
        ])
    func usageErrors(arguments: [String]) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 2, "\(arguments): \(result.stderr)")
        #expect(!result.stderr.isEmpty)
    }

    @Test("a missing path is reported as a failed file, exit 1")
    func missingPath() throws {
        let result = try CLI.run(["inspect", "/nonexistent/annulus-test.dcm"])
        #expect(result.status == 1)
        #expect(result.stdout.contains("FAIL /nonexistent/annulus-test.dcm: unreadable: no such file or folder"))
    }

    @Test("a missing DICOM dictionary stops with an actionable message")
    func missingDictionary() throws {
        let result = try CLI.run(
            ["inspect", CLI.packageRoot + "/SampleStudies"], environment: ["DCMDICTPATH": "/nonexistent/dicom.dic"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("dictionary"))
        #expect(result.stderr.contains("DCMDICTPATH"))
    }

    @Test("render writes PNGs atomically and reports failures without stopping")
    func renderSamplesAndFailures() throws {
        let out = FileManager.default.temporaryDirectory
            .appendingPathComponent("annulus-render-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        let broken = out + "-input.dcm"
        try Data("not dicom at all".utf8).write(to: URL(fileURLWithPath: broken))
        defer { try? FileManager.default.removeItem(atPath: broken) }
        let series = CLI.packageRoot + "/SampleStudies/patient1-lumbar-mr/series-03-ax-t2"
        let result = try CLI.run(["render", series, broken, "--out", out, "--json"])
        #expect(result.status == 1)
        let written = try FileManager.default.subpathsOfDirectory(atPath: out)
        #expect(written.filter { $0.hasSuffix(".png") }.count == 10)
        #expect(!written.contains { $0.contains(".tmp-") })
        let png = try Data(contentsOf: URL(fileURLWithPath: out + "/IM0001.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(result.stdout.contains("\"reason\":\"not-dicom\""))
    }
}

@Suite("annulus --help")
struct HelpTests {
    @Test(
        "help prints usage and exits 0, for the tool and for a subcommand",
        arguments: [["--help"], ["render", "--help"], ["help", "watch"]])
    func help(arguments: [String]) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("USAGE:"), "\(result.stdout)\(result.stderr)")
        #expect(!result.stderr.contains("CommandError"))
    }
}
