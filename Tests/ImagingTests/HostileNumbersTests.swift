import DicomIO
import Foundation
import Testing

@testable import Imaging

/// Header values that parse but cannot be computed with (NaN, ±infinity, absurd magnitudes) are refused in one
/// place (HeaderNumbers) with a reasoned fallback, never trapped on, and derived images stay within the image
/// memory bound. Each case is a SampleStudies MR slice changed with DCMTK's own `dcmodify`, as a sender could.
@Suite("Hostile header numbers")
struct HostileNumbersTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let slice = packageRoot + "/SampleStudies/patient2-lumbar-mr/series-01-sag-t2/IM0006.dcm"

    /// A copy of the sample slice with `assignments` ("(gggg,eeee)=value") applied by dcmodify.
    static func poisoned(_ assignments: [String], erase: [String] = [], in folder: String) throws -> String {
        let path = folder + "/poison-\(UUID().uuidString).dcm"
        try FileManager.default.copyItem(atPath: slice, toPath: path)
        var arguments = ["-nb", "-q"]
        for assignment in assignments { arguments += ["-i", assignment] }
        for tag in erase { arguments += ["-e", tag] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/dcmodify")
        process.arguments = arguments + [path]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "dcmodify \(arguments)")
        return path
    }

    static func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "annulus-numbers-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func render(_ path: String, options: PreviewOptions = PreviewOptions()) throws -> PreviewImage {
        let file = try DicomFile(path: path)
        return try FrameRenderer(file: file).image(frame: 0, options: options)
    }

    @Test(
        "rescale, window and spacing values that are not usable numbers render with a fallback and a warning",
        arguments: [
            ["(0028,1053)=nan"], ["(0028,1053)=inf"], ["(0028,1052)=-inf"], ["(0028,1053)=1e-300"],
            ["(0028,1050)=inf", "(0028,1051)=1e308"], ["(0028,1050)=-1e308", "(0028,1051)=nan"],
            ["(0028,0030)=inf\\1"], ["(0028,0030)=1\\1e-300"], ["(0028,0030)=1e309\\1"],
        ])
    func unusableNumbers(assignments: [String]) throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try Self.poisoned(assignments, in: folder)
        let image = try Self.render(path)
        let reference = try Self.render(Self.slice)
        #expect(image.width > 0 && image.height > 0)
        let summary = HeaderSummary.read(path: path)
        #expect(summary.status == .ok)
        #expect(summary.warnings.contains { $0.contains("is not a usable number") }, "\(summary.warnings)")
        // Spacing refused: drawn on the stored grid (square pixels), not stretched to an absurd size.
        if assignments.contains(where: { $0.hasPrefix("(0028,0030)") }) {
            #expect(image.width == reference.width || image.height == reference.height)
        }
    }

    @Test(
        "absurd pixel aspect from ImagerPixelSpacing or PixelAspectRatio is drawn square, at once",
        arguments: [["(0018,1164)=1\\0.0000004"], ["(0028,0034)=1\\100000"], ["(0028,0034)=100000\\1"]])
    func absurdAspect(assignments: [String]) throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try Self.poisoned(assignments, erase: ["(0028,0030)"], in: folder)
        let started = ContinuousClock.now
        let image = try Self.render(path)
        #expect(ContinuousClock.now - started < .seconds(5))
        let stored = try DicomFile(path: path).pixelDescription()
        #expect(image.width == stored.columns && image.height == stored.rows)
    }

    @Test("a requested size beyond the image memory bound is refused by name, not allocated")
    func sizeBeyondBudget() throws {
        let file = try DicomFile(path: Self.slice, options: DicomReadOptions(maxDecodedBytes: 64 << 20))
        #expect {
            _ = try FrameRenderer(file: file).image(frame: 0, options: PreviewOptions(longestSide: 1_000_000))
        } throws: { error in
            (error as? DicomError)?.kind == .tooLarge
                && (error as? DicomError)?.message.contains("--max-image-memory") == true
        }
    }

    @Test(
        "slice positions that are not usable numbers leave the stack ordered by instance number",
        arguments: ["nan\\0\\0", "inf\\0\\0", "0\\1e300\\0", "-1e309\\2\\3"])
    func unusablePositions(position: String) throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let series = Self.packageRoot + "/SampleStudies/patient2-lumbar-mr/series-01-sag-t2"
        var headers: [InstanceHeader] = []
        for (index, name) in try FileManager.default.contentsOfDirectory(atPath: series).sorted().enumerated() {
            var path = series + "/" + name
            if index == 2 {
                let copy = folder + "/" + name
                try FileManager.default.copyItem(atPath: path, toPath: copy)
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/dcmodify")
                process.arguments = ["-nb", "-q", "-i", "(0020,0032)=\(position)", copy]
                try process.run()
                process.waitUntilExit()
                path = copy
            }
            headers.append(InstanceHeader(file: try DicomFile(path: path, options: .headerOnly)))
        }
        let model = StudyOrganizer.organize(headers)
        let slices = model.flatMap(\.studies).flatMap(\.series).flatMap(\.stacks).flatMap(\.slices)
        #expect(slices.count == headers.count)
    }

    @Test("checked conversion: NaN, infinities and huge values never trap")
    func saturatingConversion() {
        #expect(Int(saturating: .nan) == 0)
        #expect(Int(saturating: .infinity) == .max)
        #expect(Int(saturating: -.infinity) == .min)
        #expect(Int(saturating: 1e300) == .max)
        #expect(Int(saturating: 2.5) == 3)
        #expect(
            PreviewSize.fitting(columns: 512, rows: 512, spacing: (1, 1e-300), longestSide: nil)
                == PreviewSize(width: 512, height: 512))
        #expect(
            PreviewSize.fitting(columns: 512, rows: 512, spacing: (2, 1), longestSide: nil)
                == PreviewSize(width: 512, height: 1024))
    }
}

@Suite("Derived image bounds")
struct DerivedImageBoundsTests {
    @Test("a stack sheet shows at most maximumTiles slices, evenly spread, first and last included")
    func sheetTiles() {
        #expect(StackSheetRenderer.shownSlices(count: 10) == Array(0..<10))
        let shown = StackSheetRenderer.shownSlices(count: 100_000)
        #expect(shown.count == StackSheetRenderer.maximumTiles)
        #expect(shown.first == 0 && shown.last == 99_999)
        #expect(zip(shown, shown.dropFirst()).allSatisfy { $0 < $1 })
    }
}
