import DicomIO
import Foundation
import Testing

/// Each category of ../shared/corpus/expectations.csv behaves as the corpus manifest says.
@Suite("Corpus conformance", .enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct CorpusConformanceTests {
    @Test("image files: header, pixel module and first frame read", arguments: Corpus.rows("image"))
    func imageFilesDecode(_ row: Corpus.Row) throws {
        let file = try DicomFile(path: row.url)
        let pixels = try file.pixelDescription()
        if let rows = Int(row.rows) { #expect(pixels.rows == rows) }
        if let columns = Int(row.columns) { #expect(pixels.columns == columns) }
        if let frames = Int(row.frames) { #expect(pixels.frames == frames) }
        let stored = try file.storedFrame(0)
        #expect(stored.bytes.count == Int(pixels.storedFrameBytes))
        let rendered = try file.renderedFrame(0)
        #expect(rendered.width == pixels.columns && rendered.height == pixels.rows)
        #expect(rendered.pixels.count == pixels.rows * pixels.columns * rendered.samplesPerPixel)
    }

    @Test(
        "image files: 8-bit rendering equals DCMTK's dcmj2pnm/dcml2pnm pixel for pixel",
        .enabled(if: DCMTKOracle.has("dcmj2pnm"), "DCMTK's command-line tools are not installed (apt install dcmtk)"),
        arguments: Corpus.rows("image"))
    func renderingMatchesDCMTK(_ row: Corpus.Row) throws {
        let file = try DicomFile(path: row.url)
        let ours = try file.renderedFrame(0, voi: .fileWindowOrMinMax)
        let reference = try #require(
            try DCMTKOracle.render(row.url, transferSyntaxUID: file.transferSyntax.uid),
            "DCMTK did not render \(row.path)")
        #expect(ours.width == reference.width)
        #expect(ours.height == reference.height)
        #expect(ours.samplesPerPixel == reference.samplesPerPixel)
        let differing = zip(ours.pixels, reference.pixels).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) of \(reference.pixels.count) samples differ from DCMTK")
    }

    @Test(
        "unsupported codecs: header readable, pixels refused naming the syntax (JPEG 2000: decoded)",
        arguments: Corpus.rows("unsupported-codec"))
    func unsupportedCodecsAreRefusedClearly(_ row: Corpus.Row) throws {
        let file = try DicomFile(path: row.url)
        #expect(file.dataset.string(.sopInstanceUID) != nil)
        let jpeg2000 = [
            "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.4.201", "1.2.840.10008.1.2.4.202",
            "1.2.840.10008.1.2.4.203",
        ]
        if jpeg2000.contains(file.transferSyntax.uid) {
            // JPEG 2000 decodes through OpenJPEG, HTJ2K through OpenJPH; a damaged codestream fails with the reason.
            do {
                _ = try file.storedFrame(0)
            } catch {
                #expect(
                    error.kind == .decodeFailed
                        && (error.message.contains("JPEG 2000") || error.message.contains("HTJ2K")),
                    "\(error)")
            }
            return
        }
        if file.transferSyntax.isDecodable && file.dataset.string(DicomTag(0x07A1, 0x1011)) == nil {
            // Native data DCMTK cannot display (e.g. 32-bit RGB): stored values decode, rendering fails clearly.
            #expect(throws: Never.self) { _ = try file.storedFrame(0).bytes.count }
            do {
                _ = try file.renderedFrame(0)
            } catch {
                #expect(error.kind == .decodeFailed && !error.message.isEmpty)
            }
            return
        }
        let error = try #require(throws: DicomError.self) { _ = try file.storedFrame(0).bytes.count }
        #expect(error.kind == .unsupportedTransferSyntax)
        #expect(error.path == row.url)
        let syntax = file.transferSyntax
        let namesIt = error.message.contains(syntax.name) || error.message.contains("Elscint")
        #expect(namesIt, "message should name the syntax: \(error.message)")
        #expect(!file.transferSyntax.isDecodable || error.message.contains("Elscint"))
    }

    @Test("objects without pixel data: header readable, pixels refused", arguments: Corpus.rows("no-pixel-data"))
    func noPixelDataIsReportedClearly(_ row: Corpus.Row) throws {
        let file = try DicomFile(path: row.url)
        #expect(!file.dataset.tags.isEmpty)
        let error = try #require(throws: DicomError.self) { try file.renderedFrame(0) }
        #expect([.noPixelData, .malformed, .unsupportedTransferSyntax].contains(error.kind))
        #expect(!error.message.isEmpty)
    }

    @Test("malformed files: a clear error, never a crash", arguments: Corpus.rows("malformed"))
    func malformedFilesFailClearly(_ row: Corpus.Row) {
        let error = firstFailure(row.url)
        #expect(error != nil, "\(row.path) should fail")
        #expect(error?.path == row.url)
        #expect([.malformed, .notDicom, .decodeFailed, .unsupportedTransferSyntax].contains(error?.kind))
        #expect((error?.message.count ?? 0) > 10)
    }

    @Test("files DCMTK cannot handle: read, or a clear error", arguments: Corpus.rows("dcmtk-fails"))
    func dcmtkFailuresAreContained(_ row: Corpus.Row) {
        if let error = firstFailure(row.url) {
            #expect(error.kind != .internal, "\(error)")
            #expect(!error.message.isEmpty)
        }
    }

    @Test(
        "adversarial files: refused before any large allocation or deep recursion",
        arguments: Corpus.rows("adversarial"))
    func adversarialFilesAreRefused(_ row: Corpus.Row) throws {
        let before = ResourceUsage.peakResidentBytes()
        let error = try #require(firstFailure(row.url))
        #expect([.nestingTooDeep, .malformed, .tooLarge].contains(error.kind), "\(error)")
        let grown = ResourceUsage.peakResidentBytes() - before
        #expect(grown < 256 << 20, "peak RSS grew by \(grown >> 20) MiB")
    }

    @Test("inspect's header summary never fails to produce a record", arguments: Corpus.rows)
    func everyFileHasASummary(_ row: Corpus.Row) {
        let summary = HeaderSummary.read(path: row.url)
        #expect(summary.path == row.url)
        switch row.category {
        case "image": #expect(summary.status == .ok, "\(summary.error ?? "")")
        case "unsupported-codec" where !TransferSyntax(uid: summary.transferSyntaxUID ?? "").isDecodable:
            #expect(summary.status == .failed)
            #expect(summary.pixelsDecodable == false)
        case "malformed", "adversarial": #expect(summary.status == .failed)
        default: break
        }
        if summary.status == .failed { #expect(summary.error?.isEmpty == false) }
    }

    /// Opens fully and decodes the first frame; returns the first error met, or nil.
    private func firstFailure(_ path: String) -> DicomError? {
        do throws(DicomError) {
            let file = try DicomFile(path: path)
            _ = try file.storedFrame(0)
            _ = try file.renderedFrame(0)
            return nil
        } catch {
            return error
        }
    }
}

/// Process resource figures for memory assertions.
enum ResourceUsage {
    /// Peak resident set size of this process so far, in bytes.
    static func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}
