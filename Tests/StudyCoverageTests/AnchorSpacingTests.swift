import SpineModel
import Testing

@testable import StudyCoverage

/// Marks at heights that cannot fit their levels, and how far images reach along the body.
@Suite("Anchor spacing and craniocaudal extent")
struct AnchorSpacingTests {
    static let l4l5 = AnchoredLevel(level: .L4L5, height: -100, label: "finding 3f2a9c1b")

    @Test("marks at plausible heights agree: adjacent lumbar discs about 35 mm apart, C5-C6 far above L4-L5")
    func plausible() {
        #expect(AnchorSpacing.conflict(level: .L5S1, height: -135, others: [Self.l4l5]) == nil)
        #expect(AnchorSpacing.conflict(level: .L3L4, height: -62, others: [Self.l4l5]) == nil)
        #expect(AnchorSpacing.conflict(level: .C5C6, height: 330, others: [Self.l4l5]) == nil)
        #expect(AnchorSpacing.conflict(level: .L4L5, height: -95, others: [Self.l4l5]) == nil, "same level: no check")
        #expect(AnchorSpacing.conflict(level: .L5L6, height: 500, others: [Self.l4l5]) == nil, "transitional: no check")
        #expect(AnchorSpacing.conflict(level: .L5S1, height: -110, others: [Self.l4l5]) == nil, "a tilted disc: 10 mm")
    }

    @Test("C5-C6 marked beside the L4-L5 mark is refused with both marks named")
    func besideAnotherLevel() throws {
        let conflict = try #require(AnchorSpacing.conflict(level: .C5C6, height: -88, others: [Self.l4l5]))
        #expect(conflict.segments == 18 && conflict.heightAbove == 12)
        #expect(
            conflict.description.hasPrefix(
                "C5-C6 is marked 12 mm above the L4-L5 mark of finding 3f2a9c1b, but C5-C6 lies 18 level(s) above L4-L5 "
                    + "(expected "),
            "\(conflict.description)")
    }

    @Test("wrong side, too far: L5-S1 marked above L4-L5, L5-S1 200 mm below it, L3-L4 40 mm below it")
    func contradictions() throws {
        #expect(AnchorSpacing.conflict(level: .L5S1, height: -60, others: [Self.l4l5]) != nil, "40 mm above L4-L5")
        #expect(AnchorSpacing.conflict(level: .L5S1, height: -300, others: [Self.l4l5]) != nil, "200 mm below")
        let below = try #require(AnchorSpacing.conflict(level: .L3L4, height: -140, others: [Self.l4l5]))
        #expect(below.description.contains("40 mm below") && below.description.contains("at most 80 mm above"))
    }

    @Test("the first conflicting mark is reported; non-finite heights are ignored")
    func severalMarks() {
        let others = [
            AnchoredLevel(level: .L3L4, height: .nan, label: "a"), Self.l4l5,
            AnchoredLevel(level: .L5S1, height: -135, label: "c"),
        ]
        #expect(AnchorSpacing.conflict(level: .L2L3, height: -30, others: others) == nil)
        #expect(AnchorSpacing.conflict(level: .L2L3, height: -120, others: others)?.other.label == "finding 3f2a9c1b")
        #expect(AnchorSpacing.conflict(level: .L2L3, height: .infinity, others: others) == nil)
    }

    @Test("check() reports an anchor conflict with the header verdict, and the problem says both")
    func inDecision() throws {
        let facts = CoverageFacts(
            studyDescription: nil,
            series: [SeriesFacts(seriesInstanceUID: "1.1", seriesNumber: 1, bodyPartExamined: "WHOLESPINE")])
        let decision = LevelCoverage.check(
            level: .C5C6, facts: facts, anchorSeriesUID: "1.1", anchorHeight: -88, otherAnchors: [Self.l4l5])
        #expect(decision.verdict == .covered && decision.disagrees)
        #expect(try #require(decision.problem).hasPrefix("C5-C6 is marked 12 mm above"))
    }

    @Test("extent: a sagittal stack reaches its field of view along z; bad geometry is skipped")
    func extent() throws {
        // Sagittal: rows run head to foot (column direction -z), 512 rows of 0.6 mm.
        let sagittal = ImagePlane(
            position: [10, -150, 100], orientation: [0, 1, 0, 0, 0, -1], pixelSpacing: [0.6, 0.6], rows: 512,
            columns: 512)
        #expect(abs(try #require(CraniocaudalExtent.of([sagittal])) - 0.6 * 511) < 1e-9)
        // Axial slices 4 mm apart: the extent is the stack's.
        let axial = (0..<10).map {
            ImagePlane(
                position: [-100, -100, Double($0) * 4], orientation: [1, 0, 0, 0, 1, 0], pixelSpacing: [0.5, 0.5],
                rows: 256, columns: 256)
        }
        #expect(CraniocaudalExtent.of(axial) == 36)
        var broken = sagittal
        broken.position = [.nan, 0, 0]
        var huge = sagittal
        huge.position = [0, 0, 1e12]
        var skewed = sagittal
        skewed.orientation = [0, 5, 0, 0, 0, -1]
        var flat = sagittal
        flat.pixelSpacing = [0, 0.6]
        var short = sagittal
        short.orientation = [0, 1, 0]
        #expect(CraniocaudalExtent.of([broken, huge, skewed, flat, short]) == nil)
        #expect(abs((CraniocaudalExtent.of([broken, sagittal]) ?? 0) - 0.6 * 511) < 1e-9)
        #expect(CraniocaudalExtent.of([]) == nil)
    }
}
