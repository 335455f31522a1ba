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
}
