import AnnulusApp
import DicomIO
import Foundation
import SpineModel
import Testing

@Suite("The level check against disc labels: a mark nearer another labelled disc")
struct DiscLabelLevelCheckTests {
    @Test("a finding marked at another labelled disc is refused with both levels and distances, then accepted")
    func sagittal() async throws {
        let (fixture, _) = try await DiscLabelUseCaseTests.labelled()
        let issue = AnchorRequest(seriesNumber: 1, instanceNumber: 8, points: ["300,270"])
        let request = NewFindingRequest(
            study: "ACC-MR-0001", level: "L4-L5", kind: "hiz", fields: ["present=yes"], anchor: issue)
        let refused = await AppFixture.error {
            try await fixture.useCases.addFinding(request, by: AppFixture.clinician)
        }
        #expect(refused?.kind == .invalidInput && refused?.code == "level-nearer-other-disc")
        #expect(refused?.field == "level" && refused?.value == "L4-L5")
        let message = refused?.message ?? ""
        #expect(message.contains("from the labelled L3-L4 disc but"), "\(message)")
        #expect(message.contains("mm from the labelled L4-L5 disc"), "\(message)")
        #expect(
            try await fixture.useCases.findings(ofStudy: "ACC-MR-0001", includeRetracted: true, by: .watcher).items
                .isEmpty)

        var accepted = request
        accepted.levelOutsideStudy = "the HIZ sits at the upper endplate, read on the axial"
        let change = try await fixture.useCases.addFinding(accepted, by: AppFixture.clinician)
        #expect(change.warning?.override?.reason == "the HIZ sits at the upper endplate, read on the axial")
        #expect(change.warning?.problem.contains("labelled L3-L4 disc") == true)
        let listed = try await fixture.useCases.findings(
            ofStudy: "ACC-MR-0001", includeRetracted: false, by: AppFixture.colleague)
        #expect(listed.items.first?.warning?.override?.author == "dr.okafor")
    }

    @Test("a mark at its own disc passes, sagittal and axial; a vertebral-body mark between two discs passes")
    func agreeing() async throws {
        let (fixture, discs) = try await DiscLabelUseCaseTests.labelled()
        for (level, series, shift) in [
            ("L4-L5", 1, Vector3(0, 10, 0)), ("L5-S1", 3, Vector3(-12, 6, 0)), ("L4-L5", 3, Vector3(10, 14, 0)),
        ] {
            let change = try await fixture.useCases.addFinding(
                NewFindingRequest(
                    study: "ACC-MR-0001", level: level, kind: "hiz", fields: ["present=yes"],
                    anchor: try discs.click(level, series: series, shift: shift)),
                by: AppFixture.clinician)
            #expect(change.warning == nil, "\(level) on series \(series)")
        }
        // Modic change in the L4 body, about midway between the L3-L4 and L4-L5 discs: not a clear contradiction.
        let l3l4 = try SampleDiscs.centre("L3-L4")
        let l4l5 = try SampleDiscs.centre("L4-L5")
        let body = (l3l4 + l4l5) * 0.5 - l4l5
        let modic = try await fixture.useCases.addFinding(
            NewFindingRequest(
                study: "ACC-MR-0001", level: "L4-L5", kind: "modic", fields: ["upper=1"],
                anchor: try discs.click("L4-L5", series: 1, shift: body)),
            by: AppFixture.clinician)
        #expect(modic.warning == nil)
    }

    @Test("on an axial image: L5-S1 marked on the L4-L5 block is refused; amending a level to the wrong disc too")
    func axialAndAmend() async throws {
        let (fixture, discs) = try await DiscLabelUseCaseTests.labelled()
        let onL4L5 = try discs.click("L4-L5", series: 3, shift: Vector3(5, 12, 0))
        let axial = await AppFixture.error {
            try await fixture.useCases.addFinding(
                NewFindingRequest(
                    study: "ACC-MR-0001", level: "L5-S1", kind: "contour", fields: ["type=protrusion"],
                    anchor: onL4L5),
                by: AppFixture.clinician)
        }
        #expect(axial?.code == "level-nearer-other-disc")
        #expect(axial?.message.contains("L5-S1 is marked") == true && axial?.message.contains("labelled L4-L5") == true)

        let right = try await fixture.useCases.addFinding(
            NewFindingRequest(
                study: "ACC-MR-0001", level: "L4-L5", kind: "contour", fields: ["type=protrusion"], anchor: onL4L5),
            by: AppFixture.clinician)
        #expect(right.warning == nil)
        let amended = await AppFixture.error {
            try await fixture.useCases.amendFinding(
                AmendFindingRequest(id: right.version.annotationID, level: "L3-L4"), by: AppFixture.clinician)
        }
        #expect(amended?.code == "level-nearer-other-disc")
    }

    @Test("a level not labelled: refused only when marked right at another labelled disc")
    func unlabelledLevel() async throws {
        let (fixture, discs) = try await DiscLabelUseCaseTests.labelled()
        let atL4L5 = await AppFixture.error {
            try await fixture.useCases.addFinding(
                NewFindingRequest(
                    study: "ACC-MR-0001", level: "L2-L3", kind: "hiz", fields: ["present=yes"],
                    anchor: try discs.click("L4-L5", series: 1, shift: Vector3(0, 2, 1))),
                by: AppFixture.clinician)
        }
        #expect(atL4L5?.code == "level-nearer-other-disc")
        #expect(atL4L5?.message.contains("(L2-L3 is not labelled)") == true)
        let own = try await fixture.useCases.addFinding(
            NewFindingRequest(
                study: "ACC-MR-0001", level: "L2-L3", kind: "hiz", fields: ["present=yes"],
                anchor: try discs.click("L2-L3", series: 1)),
            by: AppFixture.clinician)
        #expect(own.warning == nil)
    }

    @Test("findings stored before the labels are listed with the warning, no override recorded")
    func before() async throws {
        let fixture = try await AppFixture()
        let discs = try SampleDiscs(fixture)
        let early = try await fixture.useCases.addFinding(
            NewFindingRequest(
                study: "ACC-MR-0001", level: "L4-L5", kind: "hiz", fields: ["present=yes"],
                anchor: AnchorRequest(seriesNumber: 1, instanceNumber: 8, points: ["300,270"])),
            by: AppFixture.clinician)
        #expect(early.warning == nil, "no labels yet: nothing to compare with")
        _ = try await fixture.useCases.labelDiscs(
            DiscLabelRequest(study: "ACC-MR-0001", labels: try DiscLabelUseCaseTests.lumbarLabels(discs)),
            by: AppFixture.clinician)
        let listed = try await fixture.useCases.findings(
            ofStudy: "ACC-MR-0001", includeRetracted: false, by: AppFixture.colleague)
        let warning = try #require(listed.items.first?.warning)
        #expect(warning.override == nil && warning.problem.contains("labelled L3-L4 disc"))
        let shown = try await fixture.useCases.finding(id: early.version.annotationID, by: .watcher)
        #expect(shown.warning == warning)
    }
}
