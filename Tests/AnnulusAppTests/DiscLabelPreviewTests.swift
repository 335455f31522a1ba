import AnnulusApp
import Foundation
import Imaging
import Testing

@Suite("Disc labels on the study's annotated previews and contact sheets")
struct DiscLabelPreviewTests {
    /// The pixels of the PNG at `path` that are cyan (the disc labels' colour; the sample MR is grey).
    static func cyanPixels(_ path: String) throws -> Int {
        let image = try PNGDecoder.decode(try #require(FileManager.default.contents(atPath: path)))
        guard image.channels == .rgb else { return 0 }
        let top = Double(image.maxValue)
        return stride(from: 0, to: image.samples.count, by: 3).filter { index in
            Double(image.samples[index]) < 0.3 * top && Double(image.samples[index + 1]) > 0.8 * top
                && Double(image.samples[index + 2]) > 0.8 * top
        }.count
    }

    @Test("the image the discs were clicked on, every image they project on, and a sheet per stack they fall on")
    func labelledPreviews() async throws {
        let (fixture, _) = try await DiscLabelUseCaseTests.labelled()
        let change = try await fixture.useCases.addFinding(
            NewFindingRequest(
                study: "ACC-MR-0001", level: "L4-L5", kind: "hiz", fields: ["present=yes"],
                anchor: AnchorRequest(seriesNumber: 3, instanceNumber: 3, points: ["128,150"])),
            by: AppFixture.clinician)
        let written = try await fixture.useCases.annotatedPreviews(
            AnnotatedPreviewRequest(
                study: "ACC-MR-0001", out: fixture.root + "/annotated", options: PreviewOptions(longestSide: 256)),
            by: AppFixture.clinician)
        let images = written.filter { $0.kind == .image }
        #expect(
            images.map(\.path) == [
                fixture.root + "/annotated/series3-3-annotated.png",
                fixture.root + "/annotated/series1-8-annotated.png",
            ])
        #expect(images.first?.annotations == [change.version.annotationID] && images.first?.discLabels == ["L4-L5"])
        #expect(images.last?.annotations == [] && images.last?.discLabels == ["L3-L4", "L4-L5", "L5-S1"])
        for image in images { #expect(try Self.cyanPixels(image.path) > 20, "\(image.path)") }

        let sheets = written.filter { $0.kind == .sheet }
        #expect(
            sheets.map { ($0.path as NSString).lastPathComponent } == [
                "sheet-series1-levels.png", "sheet-series2-levels.png", "sheet-series3-stack1-levels.png",
                "sheet-series3-stack2-levels.png",
            ])
        #expect(sheets.first?.discLabels == ["L3-L4", "L4-L5", "L5-S1"])
        #expect(sheets.suffix(2).map(\.discLabels) == [["L4-L5"], ["L5-S1"]], "one axial block through each disc")
        for sheet in sheets { #expect(try Self.cyanPixels(sheet.path) > 20, "\(sheet.path)") }
    }

    @Test("without labels, nothing cyan is drawn and no sheet is written")
    func unlabelled() async throws {
        let fixture = try await AppFixture()
        _ = try await fixture.useCases.addFinding(
            NewFindingRequest(
                study: "ACC-MR-0001", level: "L4-L5", kind: "hiz", fields: ["present=yes"],
                anchor: AnchorRequest(seriesNumber: 1, instanceNumber: 8, points: ["247,351"])),
            by: AppFixture.clinician)
        let written = try await fixture.useCases.annotatedPreviews(
            AnnotatedPreviewRequest(
                study: "ACC-MR-0001", out: fixture.root + "/annotated", options: PreviewOptions(longestSide: 256)),
            by: AppFixture.clinician)
        #expect(written.map(\.kind) == [.image] && written.first?.discLabels == [])
        #expect(try Self.cyanPixels(try #require(written.first?.path)) == 0)
    }
}
