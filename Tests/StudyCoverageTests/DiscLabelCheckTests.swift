import SpineModel
import StudyCoverage
import Testing

@Suite("Disc labels in the level check: a mark at another labelled disc")
struct DiscLabelCheckTests {
    /// A label of `level` at (0, y, z).
    static func label(_ level: DiscLevel, y: Double = 0, z: Double) -> DiscLabel {
        DiscLabel(
            level: level, position: PatientPoint(x: 0, y: y, z: z),
            anchor: ImageAnchor(
                studyInstanceUID: "1.2.3", seriesInstanceUID: "1.2.3.4", sopInstanceUID: "1.2.3.4.8",
                points: [PixelPoint(x: 256, y: 256)], patientPositions: [[0, y, z]]))
    }

    /// L5-S1, L4-L5 and L3-L4, 38 mm apart.
    static let lumbar = try! DiscLabelSet(
        basis: .fromSacrum, labels: [label(.L5S1, z: -76), label(.L4L5, z: -38), label(.L3L4, z: 0)])

    @Test("a mark nearer another labelled disc than its own: both levels and distances named")
    func nearerOther() throws {
        let conflict = try #require(
            DiscLabelCheck.conflict(level: .L4L5, at: PatientPoint(x: 0, y: 2, z: -6), labels: Self.lumbar))
        #expect(conflict.nearest.level == .L3L4 && conflict.own?.level == .L4L5)
        #expect(
            conflict.description
                == "L4-L5 is marked 6 mm from the labelled L3-L4 disc but 32 mm from the labelled L4-L5 disc")
        // An axial mark 20 mm to the side of L5-S1, called L4-L5.
        #expect(
            DiscLabelCheck.conflict(level: .L4L5, at: PatientPoint(x: 20, y: 8, z: -74), labels: Self.lumbar) != nil)
    }

    @Test("agreeing: at its own disc, off to the side of it, or in the vertebral body between two discs")
    func agreeing() {
        for point in [
            PatientPoint(x: 0, y: 0, z: -38), PatientPoint(x: -25, y: 15, z: -35),
            PatientPoint(x: 0, y: 0, z: -19), PatientPoint(x: 0, y: 0, z: -17),
        ] {
            #expect(DiscLabelCheck.conflict(level: .L4L5, at: point, labels: Self.lumbar) == nil, "\(point)")
        }
        #expect(
            DiscLabelCheck.conflict(level: .L4L5, at: PatientPoint(x: 0, y: 0, z: -13), labels: Self.lumbar) != nil,
            "beyond the 5 mm margin: 13 mm from L3-L4, 25 mm from L4-L5")
        #expect(
            DiscLabelCheck.conflict(level: .L4L5, at: PatientPoint(x: 0, y: 0, z: 0), labels: DiscLabelSet()) == nil,
            "no labels: nothing to compare")
        #expect(
            DiscLabelCheck.conflict(level: .L4L5, at: PatientPoint(x: .nan, y: 0, z: 0), labels: Self.lumbar) == nil)
    }

    @Test("a level not labelled: refused only at another labelled disc (10 mm, less between close discs)")
    func unlabelled() throws {
        let at = try #require(
            DiscLabelCheck.conflict(level: .L2L3, at: PatientPoint(x: 0, y: 3, z: -36), labels: Self.lumbar))
        #expect(
            at.own == nil
                && at.description == "L2-L3 is marked 4 mm from the labelled L4-L5 disc (L2-L3 is not labelled)")
        #expect(DiscLabelCheck.conflict(level: .L2L3, at: PatientPoint(x: 0, y: 0, z: 36), labels: Self.lumbar) == nil)
        #expect(DiscLabelCheck.conflict(level: .L2L3, at: PatientPoint(x: 0, y: 0, z: 12), labels: Self.lumbar) == nil)
        let cervical = try DiscLabelSet(
            basis: .fromC2, labels: [Self.label(.C4C5, z: 15), Self.label(.C5C6, z: 0)])
        #expect(
            DiscLabelCheck.conflict(level: .C6C7, at: PatientPoint(x: 0, y: 0, z: -7), labels: cervical) == nil,
            "7 mm is beyond 40% of the 15 mm between the cervical discs")
        #expect(DiscLabelCheck.conflict(level: .C6C7, at: PatientPoint(x: 0, y: 0, z: -5), labels: cervical) != nil)
    }

    @Test("LevelCoverage.check carries the conflict: the level disagrees and the problem names it")
    func inTheDecision() {
        let facts = CoverageFacts(
            studyDescription: "MR LUMBAR SPINE",
            series: [SeriesFacts(seriesInstanceUID: "1.2.3.4", bodyPartExamined: "LSPINE")])
        let decision = LevelCoverage.check(
            level: .L4L5, facts: facts, anchorSeriesUID: "1.2.3.4", anchorPoint: PatientPoint(x: 0, y: 0, z: -4),
            discLabels: Self.lumbar)
        #expect(decision.verdict == .covered && decision.disagrees)
        #expect(
            decision.problem
                == "L4-L5 is marked 4 mm from the labelled L3-L4 disc but 34 mm from the labelled L4-L5 disc")
        let agreeing = LevelCoverage.check(
            level: .L4L5, facts: facts, anchorPoint: PatientPoint(x: 0, y: 0, z: -38), discLabels: Self.lumbar)
        #expect(!agreeing.disagrees && agreeing.discLabelConflict == nil && agreeing.problem == nil)
        #expect(!LevelCoverage.check(level: .L4L5, facts: facts, discLabels: Self.lumbar).disagrees, "unmarked")
    }
}
