import AnnulusRecords
import Findings
import Foundation
import SpineModel
import Testing

/// The SR content builder and the mapper back, without DCMTK: codes, verification, identities, text safety.
@Suite struct SRReportBuilderTests {
    static let identity = SRDocumentIdentity(
        studyInstanceUID: Fixture.studyUID, seriesInstanceUID: "2.25.1", sopInstanceUID: "2.25.2", seriesNumber: 9001,
        instanceNumber: 1, seriesDescription: "Annulus disc-level findings", contentDate: "20260308",
        contentTime: "120000")

    static func builder(_ input: ExportInput) -> SRReportBuilder {
        SRReportBuilder(input: input, personNames: ["dr.okafor": "Okafor^Ada"], images: [:], organization: "Clinic")
    }

    @Test func signedFindingsGiveAVerifiedReportWithOneVerifierPerSigner() {
        let report = Self.builder(Fixture.signedInput).report(identity: Self.identity)
        #expect(report.isVerified)
        #expect(report.verifiers.map(\.name) == ["Okafor^Ada", "dr.rivera"])
        #expect(report.verifiers.first?.dateTime == "20260307090000")
        #expect(report.observers == ["Okafor^Ada", "dr.rivera"])
        #expect(
            report.groups.map(\.trackingIdentifier) == [
                "L4-L5 annular fissure", "L4-L5 high-intensity zone (hiz)", "L5-S1 pfirrmann grade",
            ])
        let fissure = report.groups[0]
        #expect(fissure.site == SRCode("84020006", "SCT", "L4-L5 intervertebral disc"))
        #expect(fissure.finding == SRCode("annular-fissure", "99ANNULUS", "Annular fissure"))
        #expect(fissure.trackingUID == NameBasedUUID.dicomUID(uuidText: "0b7c2a9e-1111-4c1e-9a53-000000000001"))
        #expect(
            fissure.evaluations.contains(
                SREvaluation(
                    SRCode("annular-fissure.side", "99ANNULUS", "side"), .code(SRCode("7771000", "SCT", "Left")))))
        #expect(
            report.groups[2].evaluations.first
                == SREvaluation(SRCodes.pfirrmannClassification, .code(SRCode("pfirrmann.grade.IV", "99ANNULUS", "IV")))
        )
        #expect(report.evaluations.last?.name == SRCodes.disclaimer)
        #expect(report.evaluations.contains { $0.name == SRCodes.candidacyLevel })
    }

    @Test func aDraftMakesTheReportUnverifiedAndATransitionalLevelHasALocalSite() {
        let report = Self.builder(Fixture.draftInput).report(identity: Self.identity)
        #expect(!report.isVerified && report.verifiers.isEmpty)
        let transitional = report.groups.last
        #expect(transitional?.site == SRCode("level.L5-L6", "99ANNULUS", "L5-L6 intervertebral disc"))
        #expect(
            transitional?.evaluations.contains(SREvaluation(SRCodes.status, .code(SRCodes.status(signed: false))))
                == true)
    }

    @Test func controlCharactersBecomeVisibleEscapesLineFeedsStay() {
        var annotation = Fixture.fissure
        annotation.note = "bell\u{7} tab\t esc\u{1B}[31m\nsecond line"
        let input = Fixture.input(
            [Fixture.signed("0b7c2a9e-1111-4c1e-9a53-000000000009", annotation)], includesDrafts: false)
        let report = SRReportBuilder(
            input: input, personNames: ["dr.okafor": "Oka\u{1B}for^Ada"], images: [:], organization: "Clinic"
        ).report(identity: Self.identity)
        let note = report.groups[0].evaluations.first { $0.name == SRCodes.note }
        #expect(note?.value == .text("bell\\u{7} tab\\t esc\\e[31m\nsecond line"))
        #expect(report.observers == ["Oka\\efor^Ada"])
    }

    @Test func trackingUIDsGiveBackTheAnnotationID() {
        let id = "0b7c2a9e-1111-4c1e-9a53-000000000001"
        let uid = NameBasedUUID.dicomUID(uuidText: id)
        #expect(uid?.hasPrefix("2.25.") == true && (uid?.count ?? 99) <= 64)
        #expect(uid.flatMap(NameBasedUUID.uuidText(dicomUID:)) == id)
        #expect(NameBasedUUID.dicomUID(uuidText: "not-a-uuid") == nil)
        #expect(NameBasedUUID.dicomUID(name: "x") == NameBasedUUID.dicomUID(name: "x"))
        #expect(NameBasedUUID.dicomUID(name: "x") != NameBasedUUID.dicomUID(name: "y"))
    }

    /// A group as another tool writes it: its own finding code whose meaning Annulus knows, a SNOMED CT disc.
    static func group(finding: SRCode, site: SRCode?, evaluations: [SRContentItem]) -> SRContentItem {
        SRContentItem(
            relationship: "CONTAINS", valueType: "CONTAINER", concept: SRCode("125007", "DCM", "Measurement Group"),
            template: "1410", value: .container,
            children: [
                SRContentItem(
                    relationship: "HAS OBS CONTEXT", valueType: "TEXT",
                    concept: SRCode("112039", "DCM", "Tracking Identifier"),
                    template: "", value: .string("roi 1")),
                SRContentItem(
                    relationship: "CONTAINS", valueType: "CODE", concept: SRCode("121071", "DCM", "Finding"),
                    template: "",
                    value: .code(finding)),
            ]
                + (site.map {
                    [
                        SRContentItem(
                            relationship: "HAS CONCEPT MOD", valueType: "CODE",
                            concept: SRCode("363698007", "SCT", "Finding Site"), template: "", value: .code($0))
                    ]
                } ?? []) + evaluations)
    }

    static func document(_ groups: [SRContentItem]) -> SRDocumentTree {
        let measurements = SRContentItem(
            relationship: "CONTAINS", valueType: "CONTAINER", concept: SRCode("126010", "DCM", "Imaging Measurements"),
            template: "", value: .container, children: groups)
        return SRDocumentTree(
            sopClassUID: "1.2.840.10008.5.1.4.1.1.88.22", studyInstanceUID: Fixture.studyUID,
            seriesInstanceUID: "2.25.9",
            sopInstanceUID: "2.25.10", completion: "PARTIAL", verification: "UNVERIFIED",
            root: SRContentItem(
                relationship: "", valueType: "CONTAINER",
                concept: SRCode("126000", "DCM", "Imaging Measurement Report"),
                template: "1500", value: .container, children: [measurements]))
    }

    @Test func anotherToolsGroupsAreMappedByMeaningAndSNOMEDOrNamed() {
        let hiz = Self.group(
            finding: SRCode("X1", "99TOOL", "High-intensity zone (HIZ)"), site: SRCode("715056000", "SCT", "L5-S1"),
            evaluations: [
                SRContentItem(
                    relationship: "CONTAINS", valueType: "CODE", concept: SRCode("X2", "99TOOL", "present"),
                    template: "",
                    value: .code(SRCode("52101004", "SCT", "Present")))
            ])
        let noSite = Self.group(finding: SRCode("X1", "99TOOL", "Annular fissure"), site: nil, evaluations: [])
        let unknown = Self.group(
            finding: SRCode("X3", "99TOOL", "Osteophyte"), site: SRCode("84020006", "SCT", "x"), evaluations: [])
        let (findings, unmapped) = SRFindingMapper.map(Self.document([hiz, noSite, unknown]))
        #expect(findings.map(\.annotation.level) == [.L5S1])
        #expect(findings.first?.annotation.finding == .hiz(HighIntensityZone(present: true)))
        #expect(unmapped.map(\.location) == ["group 2 (roi 1)", "group 3 (roi 1)"])
        #expect(unmapped[0].reason.contains("no disc level"))
        #expect(unmapped[1].reason.contains("\"Osteophyte\""))
    }

    @Test func aDocumentThatIsNoMeasurementReportIsNamed() {
        let kos = SRDocumentTree(
            sopClassUID: "1.2.840.10008.5.1.4.1.1.88.59", studyInstanceUID: Fixture.studyUID,
            seriesInstanceUID: "2.25.9",
            sopInstanceUID: "2.25.10", completion: "", verification: "",
            root: SRContentItem(
                relationship: "", valueType: "CONTAINER", concept: SRCode("113000", "DCM", "Of Interest"),
                template: "2010",
                value: .container))
        let (findings, unmapped) = SRFindingMapper.map(kos)
        #expect(findings.isEmpty)
        #expect(unmapped.first?.reason.contains("not a TID 1500 measurement report") == true)
    }
}
