import AnnulusApp
import AnnulusRecords
import Foundation
import SpineModel
import Testing

@Suite("Use cases: add, amend, retract, list, show and history of findings, in process")
struct AnnotationUseCaseTests {
    @Test("add: an anchored draft with patient positions from the image's geometry, listed and shown by its author")
    func addAnchored() async throws {
        let fixture = try await AppFixture()
        let change = try await fixture.useCases.addFinding(
            NewFindingRequest(
                study: "ACC-MR-0001", level: "l4/l5", numberingBasis: "from-sacrum", kind: "annular-fissure",
                fields: ["type=radial", "zones=central", "side=midline", "thickness=full"], note: "second read",
                anchor: AnchorRequest(seriesNumber: 1, instanceNumber: 8, pixelPoints: [PixelPoint(x: 300, y: 270)])),
            by: AppFixture.clinician)
        let version = change.version
        #expect(version.version == 1 && version.status == .draft && version.author == "dr.okafor")
        #expect(version.level == "L4-L5" && version.findingKind == "annular-fissure")
        #expect(change.warning == nil && change.note == nil)
        let annotation = try LevelAnnotation.decode(version.payload)
        let anchor = try #require(annotation.anchor)
        #expect(anchor.frame == 1 && anchor.points == [PixelPoint(x: 300, y: 270)])
        #expect(anchor.patientPositions?.first?.count == 3, "the sagittal slice has a full geometry")
        #expect(annotation.note == "second read" && annotation.numberingBasis == .fromSacrum)

        let listed = try await fixture.useCases.findings(
            ofStudy: "ACC-MR-0001", includeRetracted: false, by: AppFixture.colleague)
        #expect(listed.study.accessionNumber == "ACC-MR-0001")
        #expect(listed.items.map(\.version) == [version])
        let shown = try await fixture.useCases.finding(id: String(version.annotationID.prefix(6)), by: .watcher)
        #expect(shown.version == version && shown.warning == nil)
        let view = AnnotationView(shown.version)
        #expect(view.id == version.annotationID && view.annotation?.level == .L4L5 && view.levelWarning == nil)
    }

    @Test("add refuses a misspelt level or finding with the field, the allowed values and the likely one")
    func addInvalidInput() async throws {
        let fixture = try await AppFixture()
        let level = await AppFixture.error {
            try await fixture.useCases.addFinding(
                NewFindingRequest(study: "ACC-MR-0001", level: "L4-L6", kind: "pfirrmann", fields: ["grade=3"]),
                by: AppFixture.clinician)
        }
        #expect(level?.kind == .invalidInput && level?.field == "level" && level?.code == "unknown-level")
        let value = await AppFixture.error {
            try NewFindingRequest(
                study: "ACC-MR-0001", level: "L4-L5", kind: "annular-fissure", fields: ["type=radail"]
            ).parsed()
        }
        #expect(value?.kind == .invalidInput && value?.field == "type")
        #expect(value?.suggestion == "radial" && value?.allowed.contains("concentric") == true)
        #expect(value?.isRefusal == true)
        let stored = try await fixture.useCases.findings(
            ofStudy: "ACC-MR-0001", includeRetracted: true, by: AppFixture.clinician)
        #expect(stored.items.isEmpty, "nothing was written")
    }

    @Test("add refuses an unknown study (not found) and an anchor outside the study's images (invalid input)")
    func addUnknowns() async throws {
        let fixture = try await AppFixture()
        let study = await AppFixture.error {
            try await fixture.add("ACC-XX-9999", "L4-L5", "pfirrmann", ["grade=3"])
        }
        #expect(study?.kind == .notFound && study?.code == "unknown-study" && study?.field == "study")
        #expect(study?.message.contains("no study matches 'ACC-XX-9999'") == true)
        let instance = await AppFixture.error {
            try await fixture.useCases.addFinding(
                NewFindingRequest(
                    study: "ACC-MR-0001", level: "L4-L5", kind: "pfirrmann", fields: ["grade=3"],
                    anchor: AnchorRequest(seriesNumber: 1, instanceNumber: 99, points: ["10,10"])),
                by: AppFixture.clinician)
        }
        #expect(instance?.kind == .invalidInput && instance?.field == "anchor.instance")
        #expect(instance?.message == "series 1 has no instance 99; its instances are 1…15")
        let point = await AppFixture.error {
            try await fixture.useCases.addFinding(
                NewFindingRequest(
                    study: "ACC-MR-0001", level: "L4-L5", kind: "pfirrmann", fields: ["grade=3"],
                    anchor: AnchorRequest(seriesNumber: 1, instanceNumber: 8, points: ["600,10"])),
                by: AppFixture.clinician)
        }
        #expect(point?.code == "point-outside-image" && point?.value == "600,10")
    }

    @Test("a level the study does not show is refused with the evidence, and accepted with a reason as a warning")
    func levelOutsideStudy() async throws {
        let fixture = try await AppFixture()
        let request = NewFindingRequest(study: "ACC-MR-0001", level: "C5-C6", kind: "pfirrmann", fields: ["grade=3"])
        let refused = await AppFixture.error {
            try await fixture.useCases.addFinding(request, by: AppFixture.clinician)
        }
        #expect(refused?.kind == .invalidInput && refused?.code == "level-outside-study" && refused?.field == "level")
        #expect(refused?.message.contains("C5-C6 is a cervical level, but the study shows the lumbar spine") == true)

        var accepted = request
        accepted.levelOutsideStudy = "sagittal localiser reaches C5-C6"
        let change = try await fixture.useCases.addFinding(accepted, by: AppFixture.clinician)
        let warning = try #require(change.warning)
        #expect(warning.override?.reason == "sagittal localiser reaches C5-C6" && warning.override?.version == 1)
        #expect(warning.problem.contains("LSPINE"))
        let listed = try await fixture.useCases.findings(
            ofStudy: "ACC-MR-0001", includeRetracted: false, by: AppFixture.clinician)
        #expect(listed.items.first?.warning == warning, "the recorded override is listed with the finding")
        let triage = try await fixture.useCases.triage(study: "ACC-MR-0001", includeDrafts: false, by: .watcher)
        #expect(triage.acceptedOutside.map(\.annotationID) == [change.version.annotationID])

        // An override that is not needed is not recorded, and the change says so.
        var unneeded = NewFindingRequest(study: "ACC-MR-0001", level: "L4-L5", kind: "pfirrmann", fields: ["grade=3"])
        unneeded.levelOutsideStudy = "just in case"
        let plain = try await fixture.useCases.addFinding(unneeded, by: AppFixture.clinician)
        #expect(plain.warning == nil && plain.note?.contains("--level-outside-study is not needed") == true)
    }

    @Test("amend writes a new draft with the fields merged; history keeps every version with its author and reason")
    func amendAndHistory() async throws {
        let fixture = try await AppFixture()
        let added = try await fixture.add(
            "ACC-MR-0001", "L4-L5", "annular-fissure", ["type=radial", "zones=central", "side=midline"])
        let amended = try await fixture.useCases.amendFinding(
            AmendFindingRequest(id: added.annotationID, fields: ["type=transverse"], reason: "second read"),
            by: AppFixture.colleague)
        #expect(amended.version.version == 2 && amended.version.author == "dr.lindqvist")
        let fields = try LevelAnnotation.decode(amended.version.payload).finding.fields
        #expect(fields.first { $0.name == "type" }?.value == "transverse")
        #expect(fields.first { $0.name == "side" }?.value == "midline", "fields not given are kept")
        let history = try await fixture.useCases.history(id: added.annotationID, by: AppFixture.clinician)
        #expect(history.map(\.version) == [1, 2] && history.map(\.author) == ["dr.okafor", "dr.lindqvist"])
        #expect(history.last?.reason == "second read")

        let malformed = await AppFixture.error {
            try await fixture.useCases.amendFinding(
                AmendFindingRequest(id: added.annotationID, fields: ["transverse"]), by: AppFixture.colleague)
        }
        #expect(malformed?.code == "malformed-assignment" && malformed?.field == "fields")
    }

    @Test("retract needs a reason; a retracted finding refuses amending (conflict) and is listed only when asked")
    func retract() async throws {
        let fixture = try await AppFixture()
        let added = try await fixture.add("ACC-MR-0001", "L5-S1", "pfirrmann", ["grade=2"])
        let noReason = await AppFixture.error {
            try await fixture.useCases.retractFinding(id: added.annotationID, reason: "  ", by: AppFixture.clinician)
        }
        #expect(noReason?.kind == .invalidInput && noReason?.field == "reason")
        let retracted = try await fixture.useCases.retractFinding(
            id: added.annotationID, reason: "wrong level", by: AppFixture.clinician)
        #expect(retracted.status == .retracted && retracted.version == 2)
        let amend = await AppFixture.error {
            try await fixture.useCases.amendFinding(
                AmendFindingRequest(id: added.annotationID, fields: ["grade=3"]), by: AppFixture.clinician)
        }
        #expect(amend?.kind == .conflict && amend?.code == "annotation-retracted")
        #expect(amend?.message.contains("it cannot be amended") == true)
        let current = try await fixture.useCases.findings(
            ofStudy: "ACC-MR-0001", includeRetracted: false, by: AppFixture.clinician)
        let all = try await fixture.useCases.findings(
            ofStudy: "ACC-MR-0001", includeRetracted: true, by: AppFixture.clinician)
        #expect(current.items.isEmpty && all.items.map(\.version.status) == [.retracted])
    }

    @Test("an unknown, too short or ambiguous annotation id is named: not found, or invalid input with the matches")
    func annotationReferences() async throws {
        let fixture = try await AppFixture()
        let unknown = await AppFixture.error {
            try await fixture.useCases.finding(id: "ffffffff", by: AppFixture.clinician)
        }
        #expect(unknown?.kind == .notFound && unknown?.code == "unknown-annotation")
        let short = await AppFixture.error { try await fixture.useCases.history(id: "ab", by: AppFixture.clinician) }
        #expect(short?.kind == .invalidInput && short?.code == "annotation-prefix-too-short" && short?.value == "ab")
    }
}
