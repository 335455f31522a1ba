import AnnulusApp
import AnnulusRecords
import DicomIO
import Foundation
import SampleStudyGenerator
import SpineModel
import Store
import Testing

/// Where the sample lumbar MR's discs are: the phantom's disc centres (the generator's own geometry) as pixels on the
/// study's stored images.
struct SampleDiscs {
    /// The phantom of patient 1 (L4-L5 degenerated, thinner).
    static let phantom = LumbarPhantom(pathology: .degeneratedL4L5WithHIZAndL5S1Protrusion)

    let store: AnnulusStore
    let study: StudySummary

    init(_ fixture: AppFixture) throws {
        store = fixture.store
        study = try fixture.store.resolveStudy("ACC-MR-0001")
    }

    /// The phantom's centre of `level` (LPS, mm).
    static func centre(_ level: String) throws -> Vector3 { try #require(phantom.discCenter(level)) }

    /// The images of series `number`.
    func images(series number: Int) throws -> [InstanceRecord] {
        let series = try #require(try store.series(ofStudy: study.studyInstanceUID).first { $0.seriesNumber == number })
        return try store.instances(ofSeries: series.seriesInstanceUID)
    }

    /// The image of series `number` whose plane passes nearest `point`, and its instance number.
    func image(series number: Int, nearest point: Vector3) throws -> InstanceRecord {
        try #require(
            try images(series: number).min { Self.offPlane(point, $0) < Self.offPlane(point, $1) })
    }

    /// The SCOORD pixel of `point` projected on `record`'s plane (x column, y row; 0.5 is the first pixel's centre).
    static func pixel(of point: Vector3, on record: InstanceRecord) throws -> PixelPoint {
        let (origin, row, column, spacing) = try geometry(record)
        let offset = point - origin
        return PixelPoint(x: offset.dot(row) / spacing[1] + 0.5, y: offset.dot(column) / spacing[0] + 0.5)
    }

    /// A click at `level`'s centre on the image of series `number` through it, moved by `shift` mm (in the patient).
    func click(_ level: String, series number: Int, shift: Vector3 = Vector3(0, 0, 0)) throws -> AnchorRequest {
        let point = try Self.centre(level) + shift
        let record = try image(series: number, nearest: point)
        return AnchorRequest(
            sopInstanceUID: record.sopInstanceUID, pixelPoints: [try Self.pixel(of: point, on: record)])
    }

    private static func geometry(_ record: InstanceRecord) throws -> (Vector3, Vector3, Vector3, [Double]) {
        let position = try #require(record.imagePosition)
        let orientation = try #require(record.imageOrientation)
        let spacing = try #require(record.pixelSpacing)
        return (
            Vector3(position[0], position[1], position[2]), Vector3(orientation[0], orientation[1], orientation[2]),
            Vector3(orientation[3], orientation[4], orientation[5]), spacing
        )
    }

    private static func offPlane(_ point: Vector3, _ record: InstanceRecord) -> Double {
        guard let (origin, row, column, _) = try? geometry(record) else { return .infinity }
        return abs((point - origin).dot(row.cross(column)))
    }
}

@Suite("Use cases: disc labels, the nearest labelled level, the wrong-level check")
struct DiscLabelUseCaseTests {
    /// L5-S1, L4-L5 and L3-L4 clicked at their centres on the mid-sagittal T2.
    static func lumbarLabels(_ discs: SampleDiscs) throws -> [DiscLabelRequest.Label] {
        try ["L5-S1", "L4-L5", "L3-L4"].map {
            DiscLabelRequest.Label(level: $0, anchor: try discs.click($0, series: 1))
        }
    }

    /// The fixture with L5-S1 to L3-L4 labelled.
    static func labelled() async throws -> (AppFixture, SampleDiscs) {
        let fixture = try await AppFixture()
        let discs = try SampleDiscs(fixture)
        _ = try await fixture.useCases.labelDiscs(
            DiscLabelRequest(
                study: "ACC-MR-0001", basis: "from-sacrum", labels: try lumbarLabels(discs), reason: "first read"),
            by: AppFixture.clinician)
        return (fixture, discs)
    }

    @Test("labelling: positions from the images' geometry, the basis and author kept, the next disc proposed")
    func labelAndShow() async throws {
        let fixture = try await AppFixture()
        let discs = try SampleDiscs(fixture)
        let none = try await fixture.useCases.discLabels(ofStudy: "ACC-MR-0001", by: AppFixture.colleague)
        #expect(none.current == nil && none.next == .L5S1 && none.labels.labels.isEmpty)

        let recorded = try await fixture.useCases.labelDiscs(
            DiscLabelRequest(
                study: "ACC-MR-0001", basis: "sacrum", labels: try Self.lumbarLabels(discs), reason: "first read"),
            by: AppFixture.clinician)
        let current = try #require(recorded.current)
        #expect(current.version == 1 && current.author == "dr.okafor" && current.reason == "first read")
        #expect(current.labels.basis == .fromSacrum && recorded.next == .L2L3)
        #expect(current.labels.labels.map(\.level) == [.L3L4, .L4L5, .L5S1])
        for label in current.labels.labels {
            let centre = try SampleDiscs.centre(label.level.name)
            let distance = label.position.distance(to: PatientPoint(x: centre.x, y: centre.y, z: centre.z))
            #expect(distance < 0.01, "\(label.level) lies where the phantom's disc is (\(distance) mm)")
            #expect(label.anchor.studyInstanceUID == discs.study.studyInstanceUID && label.anchor.frame == 1)
        }
        let shown = try await fixture.useCases.discLabels(ofStudy: "ACC-MR-0001", by: AppFixture.colleague)
        #expect(shown.current == current && shown.next == .L2L3)
    }

    @Test("the nearest labelled disc to a click, sagittal and axial alike, with the runner-up")
    func proposeLevel() async throws {
        let (fixture, discs) = try await Self.labelled()
        // The click of issue 15: "L4-L5 at 300,270 on the sagittal T2" is on the L3-L4 disc.
        let issue = try await fixture.useCases.proposeLevel(
            study: "ACC-MR-0001", anchor: AnchorRequest(seriesNumber: 1, instanceNumber: 8, points: ["300,270"]),
            by: AppFixture.colleague)
        #expect(issue.nearest.nearest.level == .L3L4 && issue.nearest.runnerUp?.level == .L4L5)
        #expect(issue.labelsVersion == 1)

        // On the axial block through L4-L5, 15 mm to the patient's left of the disc's centre.
        let axial = try await fixture.useCases.proposeLevel(
            study: "ACC-MR-0001", anchor: try discs.click("L4-L5", series: 3, shift: Vector3(15, 0, 0)),
            by: AppFixture.colleague)
        #expect(axial.nearest.nearest.level == .L4L5)
        #expect(abs(axial.nearest.nearest.distance - 15) < 0.5, "\(axial.nearest.nearest.distance)")
        #expect(axial.nearest.runnerUp.map { $0.distance > 30 } == true)
        #expect(abs(axial.point.x - 15) < 0.5)

        // On the axial block through L5-S1, a posterior protrusion 8 mm behind the centre.
        let protrusion = try await fixture.useCases.proposeLevel(
            study: "ACC-MR-0001", anchor: try discs.click("L5-S1", series: 3, shift: Vector3(0, 8, 0)),
            by: AppFixture.colleague)
        #expect(protrusion.nearest.nearest.level == .L5S1 && protrusion.nearest.runnerUp?.level == .L4L5)

        // A parasagittal slice of the T1 series, 8.8 mm to the right, at L3-L4.
        let parasagittal = try await fixture.useCases.proposeLevel(
            study: "ACC-MR-0001", anchor: try discs.click("L3-L4", series: 2, shift: Vector3(-8.8, 0, 0)),
            by: AppFixture.colleague)
        #expect(parasagittal.nearest.nearest.level == .L3L4)
    }

    @Test("proposing without labels is a conflict; a click on an image without geometry is refused")
    func proposeRefusals() async throws {
        let fixture = try await AppFixture()
        let discs = try SampleDiscs(fixture)
        let unlabelled = await AppFixture.error {
            try await fixture.useCases.proposeLevel(
                study: "ACC-MR-0001", anchor: try discs.click("L4-L5", series: 1), by: AppFixture.colleague)
        }
        #expect(unlabelled?.kind == .conflict && unlabelled?.code == "no-disc-labels")
        let unknown = await AppFixture.error {
            try await fixture.useCases.proposeLevel(
                study: "ACC-XX-9999", anchor: try discs.click("L4-L5", series: 1), by: AppFixture.colleague)
        }
        #expect(unknown?.kind == .notFound)
        let fluoroscopy = await AppFixture.error {
            try await fixture.useCases.labelDiscs(
                DiscLabelRequest(
                    study: "ACC-RF-0001",
                    labels: [
                        .init(
                            level: "L4-L5",
                            anchor: AnchorRequest(seriesNumber: 1, instanceNumber: 1, points: ["200,200"]))
                    ]),
                by: AppFixture.clinician)
        }
        #expect(fluoroscopy?.code == "anchor-without-geometry" && fluoroscopy?.field == "labels[0].anchor")
    }

    @Test("refused with the field and nothing written: a misspelt level or basis, a level twice, swapped discs")
    func labelRefusals() async throws {
        let fixture = try await AppFixture()
        let discs = try SampleDiscs(fixture)
        func refusal(basis: String = "unknown", _ labels: [DiscLabelRequest.Label]) async -> AppError? {
            await AppFixture.error {
                try await fixture.useCases.labelDiscs(
                    DiscLabelRequest(study: "ACC-MR-0001", basis: basis, labels: labels), by: AppFixture.clinician)
            }
        }
        let l5s1 = try discs.click("L5-S1", series: 1)
        let l4l5 = try discs.click("L4-L5", series: 1)

        let misspelt = await refusal([.init(level: "L5-S1", anchor: l5s1), .init(level: "L4-L6", anchor: l4l5)])
        #expect(misspelt?.kind == .invalidInput && misspelt?.field == "labels[1].level")
        #expect(misspelt?.code == "unknown-level")
        let basis = await refusal(basis: "from-sacrun", [.init(level: "L5-S1", anchor: l5s1)])
        #expect(basis?.field == "basis" && basis?.suggestion == "from-sacrum")
        let twice = await refusal([.init(level: "L5-S1", anchor: l5s1), .init(level: "l5/s1", anchor: l4l5)])
        #expect(twice?.code == "duplicate-level" && twice?.field == "labels[1].level")
        let swapped = await refusal([.init(level: "L4-L5", anchor: l5s1), .init(level: "L5-S1", anchor: l4l5)])
        #expect(swapped?.code == "labels-out-of-order")
        #expect(swapped?.message.contains("is marked") == true && swapped?.message.contains("below L5-S1") == true)
        let transitional = await refusal([.init(level: "L5-L6", anchor: l5s1)])
        #expect(transitional?.field == "basis" && transitional?.allowed == ["from-C2", "from-sacrum"])
        var polyline = l5s1
        polyline.points.append("260,300")
        let line = await refusal([.init(level: "L5-S1", anchor: polyline)])
        #expect(line?.code == "invalid-anchor" && line?.field == "labels[0].anchor.points")
        let outside = await refusal([
            .init(level: "L5-S1", anchor: AnchorRequest(seriesNumber: 1, instanceNumber: 8, points: ["900,10"]))
        ])
        #expect(outside?.code == "point-outside-image" && outside?.field == "labels[0].anchor.point")
        let unanchored = await refusal([.init(level: "L5-S1", anchor: AnchorRequest())])
        #expect(unanchored?.code == "anchor-missing" && unanchored?.field == "labels[0].anchor")
        let many = await refusal(Array(repeating: .init(level: "L5-S1", anchor: l5s1), count: 26))
        #expect(many?.code == "too-many-labels")

        #expect(try await fixture.useCases.discLabelHistory(ofStudy: "ACC-MR-0001", by: AppFixture.clinician).isEmpty)
    }

    @Test("every change is a version; a set based on an older version is refused; an empty set clears")
    func history() async throws {
        let (fixture, discs) = try await Self.labelled()
        let more = try Self.lumbarLabels(discs) + [.init(level: "L2-L3", anchor: try discs.click("L2-L3", series: 1))]
        let second = try await fixture.useCases.labelDiscs(
            DiscLabelRequest(study: "ACC-MR-0001", basis: "from-sacrum", labels: more, expectedVersion: 1),
            by: AppFixture.colleague)
        #expect(second.current?.version == 2 && second.next == .L1L2)
        let stale = await AppFixture.error {
            try await fixture.useCases.labelDiscs(
                DiscLabelRequest(study: "ACC-MR-0001", labels: [], expectedVersion: 1), by: AppFixture.clinician)
        }
        #expect(stale?.kind == .conflict && stale?.code == "version-changed")
        #expect(stale?.message.contains("version 2 was recorded by dr.lindqvist") == true)
        let cleared = try await fixture.useCases.labelDiscs(
            DiscLabelRequest(study: "ACC-MR-0001", labels: [], reason: "start again"), by: AppFixture.clinician)
        #expect(cleared.current?.version == 3 && cleared.labels.labels.isEmpty && cleared.next == .L5S1)
        let history = try await fixture.useCases.discLabelHistory(ofStudy: "ACC-MR-0001", by: AppFixture.clinician)
        #expect(history.map(\.version) == [1, 2, 3])
        #expect(history.map(\.labels.labels.count) == [3, 4, 0])
        #expect(history.map(\.author) == ["dr.okafor", "dr.lindqvist", "dr.okafor"])
    }

    @Test("one disc at a time: the others are kept, a level labelled again is replaced, the basis is kept")
    func oneAtATime() async throws {
        let (fixture, discs) = try await Self.labelled()
        let added = try await fixture.useCases.labelDiscs(
            DiscLabelRequest(
                study: "ACC-MR-0001", labels: [.init(level: "L2-L3", anchor: try discs.click("L2-L3", series: 1))],
                keepOthers: true),
            by: AppFixture.clinician)
        #expect(added.labels.labels.map(\.level) == [.L2L3, .L3L4, .L4L5, .L5S1])
        #expect(added.labels.basis == .fromSacrum && added.next == .L1L2 && added.current?.version == 2)
        let moved = try await fixture.useCases.labelDiscs(
            DiscLabelRequest(
                study: "ACC-MR-0001",
                labels: [.init(level: "L3-L4", anchor: try discs.click("L3-L4", series: 1, shift: Vector3(0, 3, 1)))],
                keepOthers: true),
            by: AppFixture.clinician)
        #expect(moved.labels.labels.count == 4)
        let centre = try SampleDiscs.centre("L3-L4")
        let l3l4 = try #require(moved.labels.label(of: .L3L4))
        #expect(abs(l3l4.position.y - (centre.y + 3)) < 0.01 && abs(l3l4.position.z - (centre.z + 1)) < 0.01)
    }
}
