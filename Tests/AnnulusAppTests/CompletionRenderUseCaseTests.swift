import AnnulusApp
import DicomIO
import Foundation
import Imaging
import SpineModel
import Testing
import Watch

@Suite("Use cases: study completion, render requests, annotated previews and ingest, in process", .serialized)
struct CompletionRenderUseCaseTests {
    @Test("completing a study renders its previews and sheets, pre-triages it and writes its export")
    func completeStudy() async throws {
        let fixture = try await AppFixture()
        let study = try fixture.store.resolveStudy("ACC-MR-0002")
        let options = CompletionOptions(
            previewsRoot: fixture.dataFolder.previews, exportFolder: fixture.root + "/exports", exportFormat: .findings)
        let report = try StudyCompletionWork(useCases: fixture.useCases, options: options)
            .completeStudy(study.studyInstanceUID)
        #expect(report.failure == nil && report.problems.isEmpty, "\(report)")
        #expect(
            report.summary
                == "\(study.instanceCount) preview(s), 2 contact sheet(s); pre-triage: needs-more-information; "
                + "findings export written")
        let previews = fixture.dataFolder.previews + "/ACC-MR-0002"
        let files = try FileManager.default.subpathsOfDirectory(atPath: previews).filter { $0.hasSuffix(".png") }
        #expect(files.count == study.instanceCount + 2 && files.contains("series1/1.png"))
        #expect(FileManager.default.fileExists(atPath: fixture.root + "/exports/ACC-MR-0002.findings.json"))

        let unknown = await AppFixture.error {
            try await fixture.useCases.completeStudy("1.2.3.4", options: options)
        }
        #expect(unknown?.kind == .notFound)
    }

    @Test("render requests mirror the input layout, report unusable operands, and render in input order")
    func render() async throws {
        let fixture = try await AppFixture(ingest: false)
        let series = AppFixture.sampleStudies + "/patient2-lumbar-mr/series-01-sag-t2"
        let (jobs, problems) = RenderPlanner.jobs(for: [series + "/", "/nonexistent/x.dcm"], out: "/out")
        #expect(jobs.count == 15 && jobs.first?.stem == "/out/IM0001" && jobs.first?.input == series + "/IM0001.dcm")
        #expect(problems.map(\.kind) == [.unreadable])

        var events: [String] = []
        let request = RenderRequest(
            paths: [series + "/IM0001.dcm", series + "/IM0002.dcm"], out: fixture.root + "/png", frames: .automatic,
            options: PreviewOptions(longestSide: 128), sheets: false)
        let tally = await UseCases.renderPreviews(request, readOptions: DicomReadOptions()) { event in
            switch event {
            case .planned(let inputs, _): events.append("planned \(inputs)")
            case .rendered(let input, let written):
                events.append("rendered \((input as NSString).lastPathComponent) \(written.first?.width ?? 0)")
            default: events.append("other")
            }
        }
        #expect(tally == RenderTally(rendered: 2, failed: 0, sheets: 0))
        #expect(events == ["planned 2", "rendered IM0001.dcm 128", "rendered IM0002.dcm 128"])
        #expect(FileManager.default.fileExists(atPath: fixture.root + "/png/IM0002.png"))
    }

    @Test("annotated previews burn each anchored finding onto its image; a study without marks writes nothing")
    func annotatedPreviews() async throws {
        let fixture = try await AppFixture()
        let request = AnnotatedPreviewRequest(
            study: "ACC-MR-0001", out: fixture.root + "/annotated", options: PreviewOptions(longestSide: 256))
        #expect(try await fixture.useCases.annotatedPreviews(request, by: AppFixture.clinician).isEmpty)
        let change = try await fixture.useCases.addFinding(
            NewFindingRequest(
                study: "ACC-MR-0001", level: "L4-L5", kind: "hiz", fields: ["present=yes"],
                anchor: AnchorRequest(seriesNumber: 1, instanceNumber: 8, points: ["300,270"])),
            by: AppFixture.clinician)
        let written = try await fixture.useCases.annotatedPreviews(request, by: AppFixture.clinician)
        #expect(written.map(\.annotations) == [[change.version.annotationID]])
        #expect(written.first?.path == fixture.root + "/annotated/series1-8-annotated.png")
        let path = try #require(written.first?.path)
        let png = try #require(FileManager.default.contents(atPath: path))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }

    @Test("ingest is idempotent: again, every file is unchanged; an operand that is not there is a failed file")
    func ingest() async throws {
        let fixture = try await AppFixture()
        let again = try await fixture.useCases.ingest(
            [AppFixture.sampleStudies, "/nonexistent/annulus.dcm"], by: AppFixture.clinician)
        #expect(again.report.added.isEmpty && again.report.unchanged.count == again.files - 1)
        #expect(again.report.failed.map(\.path) == ["/nonexistent/annulus.dcm"])
        let studies = try await fixture.useCases.studies(by: AppFixture.clinician)
        #expect(studies.compactMap(\.accessionNumber).sorted() == ["ACC-MR-0001", "ACC-MR-0002", "ACC-RF-0001"])
    }
}
