import DicomIO
import Foundation
@testable import Imaging
import Testing

/// Annulus computes grey windowing itself; DCMTK's display pipeline is the reference it must agree with.
@Suite("Grey windowing agrees with DCMTK on the corpus")
struct DCMTKAgreementTests {
    /// Corpus image files (expectations.csv category `image`) that are grey.
    static let greyImages: [String] = {
        let csv = StudyOrganizerTests.corpus + "/expectations.csv"
        guard let text = try? String(contentsOfFile: csv, encoding: .utf8) else { return [] }
        return text.split(whereSeparator: \.isNewline).dropFirst().compactMap { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            guard fields.count >= 11, fields[10] == "image", fields[7].hasPrefix("MONOCHROME") else { return nil }
            return StudyOrganizerTests.corpus + "/" + fields[0]
        }
    }()

    @Test(
        "the file's window and min-max match DCMTK's 8-bit output within one grey level",
        .enabled(if: StudyOrganizerTests.corpusAvailable, "corpus absent"))
    func agreement() throws {
        var compared = 0
        for path in Self.greyImages {
            let file = try DicomFile(path: path)
            let renderer = try FrameRenderer(file: file)
            // Large images only cost time in a debug test build; 512 × 512 and below cover every pipeline path.
            guard renderer.usesOwnGreyPipeline, renderer.pixels.rows * renderer.pixels.columns <= 512 * 512 else {
                continue
            }
            let parameters = GreyscaleParameters(dataset: file.dataset, pixels: renderer.pixels)
            // DCMTK's min-max counts padding; Annulus deliberately does not (tested on its own), so padded images
            // are compared on their file window only.
            let choices: [(WindowChoice, VOISelection)] =
                (parameters.windows.isEmpty ? [] : [(.fileWindow(index: 1), .fileWindow(0))])
                + (parameters.padding == nil ? [(.minMax, .minMax)] : [])
            for (ours, theirs) in choices {
                let reference = try file.renderedFrame(0, voi: theirs)
                let values = try renderer.displayValues(frame: 0, window: ours)
                let mine = FrameRenderer.quantize(
                    values, width: reference.width, height: reference.height, channels: .grey, bitDepth: 8)
                let worst = zip(mine.samples, reference.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
                #expect(worst <= 1, "\(path) \(ours): differs by \(worst)")
                compared += 1
            }
        }
        #expect(compared >= 50, "only \(compared) comparisons")
    }

    @Test(
        "grey JPEG 2000 with a Presentation LUT Shape shows as DCMTK shows its uncompressed sibling",
        .enabled(if: StudyOrganizerTests.corpusAvailable, "corpus absent"),
        arguments: [
            (
                "pydicom-data/data_store/data/emri_small.dcm",
                "pydicom-data/data_store/data/emri_small_jpeg_2k_lossless.dcm"
            )
        ])
    func jpeg2000AgreesWithItsUncompressedSibling(reference: String, jpeg2000: String) throws {
        let native = try DicomFile(path: StudyOrganizerTests.corpus + "/" + reference)
        let compressed = try DicomFile(path: StudyOrganizerTests.corpus + "/" + jpeg2000)
        let renderer = try FrameRenderer(file: compressed)
        #expect(renderer.usesOwnGreyPipeline, "DCMTK cannot read JPEG 2000 pixels")
        for frame in [0, 9] {
            let theirs = try native.renderedFrame(frame, voi: .minMax)
            let mine = try renderer.image(
                frame: frame, options: PreviewOptions(window: .minMax, orientationLetters: false))
            #expect(mine.width == theirs.width && mine.height == theirs.height)
            let worst = zip(mine.samples, theirs.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
            #expect(worst <= 1, "frame \(frame) differs by \(worst)")
        }
    }
}
