import Foundation
import SpineModel
import Testing

@Suite("Disc labels: the labelled set, the nearest labelled disc, the next disc to label, refusals")
struct DiscLabelTests {
    /// A label of `level` clicked at patient position (x, y, z) on an image of series 1.2.3.4.
    static func label(_ level: DiscLevel, _ x: Double = 0, _ y: Double = 0, z: Double, points: Int = 1)
        -> DiscLabel
    {
        let anchor = ImageAnchor(
            studyInstanceUID: "1.2.3", seriesInstanceUID: "1.2.3.4", sopInstanceUID: "1.2.3.4.8",
            points: (0..<points).map { PixelPoint(x: 100 + Double($0), y: 200) },
            patientPositions: (0..<points).map { _ in [x, y, z] })
        return DiscLabel(level: level, position: PatientPoint(x: x, y: y, z: z), anchor: anchor)
    }

    /// L5-S1, L4-L5 and L3-L4 about 40 mm apart, as on a lumbar sagittal slice.
    static func lumbar(basis: LevelNumberingBasis = .fromSacrum) throws -> DiscLabelSet {
        try DiscLabelSet(
            basis: basis, labels: [label(.L4L5, 0, 10, z: -40), label(.L5S1, 0, 20, z: -78), label(.L3L4, 0, 5, z: 0)])
    }

    /// The error of making a set, or nil.
    static func setError(_ basis: LevelNumberingBasis, _ labels: [DiscLabel]) -> SpineValidationError? {
        validationError { () throws(SpineValidationError) in try DiscLabelSet(basis: basis, labels: labels) }
    }

    @Test("a spine's chain of discs ends at L5-S1, at L5-L6 (six lumbar-type vertebrae) or at S1-S2")
    func chains() throws {
        #expect(DiscLevel.chain() == DiscLevel.mobile)
        #expect(DiscLevel.chain(lowest: .L5L6).suffix(3) == [.L3L4, .L4L5, .L5L6])
        #expect(!DiscLevel.chain(lowest: .L5L6).contains(.L5S1))
        #expect(DiscLevel.chain(lowest: .S1S2).suffix(3) == [.L4L5, .L5S1, .S1S2])
        #expect(DiscLevel.chain(lowest: .L3L4).last == .L3L4)
        #expect(try DiscLevel.fromBottom(2, lowest: .S1S2) == .L5S1, "fromBottom reads the same chain")
        #expect(try DiscLevel.fromBottom(2, lowest: .L5L6) == .L4L5)
    }

    @Test("labels are kept cranial to caudal; the lowest disc follows a labelled transitional level")
    func ordering() throws {
        let set = try Self.lumbar()
        #expect(set.labels.map(\.level) == [.L3L4, .L4L5, .L5S1])
        #expect(set.lowest == .L5S1 && set.chain.last == .L5S1)
        #expect(set.label(of: .L4L5)?.position == PatientPoint(x: 0, y: 10, z: -40))
        #expect(set.label(of: .L2L3) == nil)
        let lumbarised = try DiscLabelSet(basis: .fromSacrum, labels: [Self.label(.S1S2, z: -110)])
        #expect(lumbarised.lowest == .S1S2 && lumbarised.chain.suffix(2) == [.L5S1, .S1S2])
        let six = try DiscLabelSet(basis: .fromC2, labels: [Self.label(.L5L6, z: -80)])
        #expect(six.lowest == .L5L6)
    }

    @Test("nearest: the labelled disc closest in patient space, its distance and the runner-up")
    func nearest() throws {
        let set = try Self.lumbar()
        let answer = try #require(set.nearest(to: PatientPoint(x: 10, y: 15, z: -35)))
        #expect(answer.nearest.level == .L4L5)
        #expect(abs(answer.nearest.distance - (100.0 + 25 + 25).squareRoot()) < 1e-9)
        #expect(answer.runnerUp?.level == .L3L4)
        #expect(abs((answer.runnerUp?.distance ?? 0) - (100.0 + 100 + 1225).squareRoot()) < 1e-9)
        #expect(answer.margin.map { $0 > 20 } == true)
        // An axial click far to the side of L5-S1 is still L5-S1: the sideways offset adds to every distance.
        #expect(set.nearest(to: PatientPoint(x: -30, y: 25, z: -75))?.nearest.level == .L5S1)
        // A point exactly between two discs goes to the cranial one.
        #expect(set.nearest(to: PatientPoint(x: 0, y: 7.5, z: -20))?.nearest.level == .L3L4)

        #expect(DiscLabelSet(basis: .unknown).nearest(to: PatientPoint(x: 0, y: 0, z: 0)) == nil)
        let single = try DiscLabelSet(basis: .unknown, labels: [Self.label(.L4L5, z: 0)])
        let alone = try #require(single.nearest(to: PatientPoint(x: 3, y: 4, z: 0)))
        #expect(
            alone.nearest == DiscDistance(level: .L4L5, distance: 5) && alone.runnerUp == nil && alone.margin == nil)
    }

    @Test(
        "proposedNext: the disc above, in the spine's order",
        arguments: [
            (DiscLevel.L5S1, DiscLevel?.some(.L4L5)), (.L4L5, .L3L4), (.L1L2, .T12L1), (.T1T2, .C7T1), (.C3C4, .C2C3),
            (.C2C3, nil), (.S1S2, .L5S1), (.L5L6, .L4L5),
        ])
    func proposedNext(level: DiscLevel, expected: DiscLevel?) throws {
        #expect(DiscLabelSet(basis: .fromSacrum).proposedNext(after: level) == expected)
        #expect(try Self.lumbar().proposedNext(after: level) == expected)
    }

    @Test("nextToLabel: L5-S1 first, then up the spine, filling a gap first, nil when the spine is done")
    func nextToLabel() throws {
        #expect(DiscLabelSet(basis: .unknown).nextToLabel == .L5S1)
        #expect(try DiscLabelSet(basis: .unknown, labels: [Self.label(.L5S1, z: -80)]).nextToLabel == .L4L5)
        #expect(try Self.lumbar().nextToLabel == .L2L3)
        let gap = try DiscLabelSet(
            basis: .unknown, labels: [Self.label(.L5S1, z: -80), Self.label(.L4L5, z: -40), Self.label(.L2L3, z: 40)])
        #expect(gap.nextToLabel == .L3L4)
        let started = try DiscLabelSet(basis: .unknown, labels: [Self.label(.L3L4, z: 0)])
        #expect(started.nextToLabel == .L2L3, "labelling may start above L5-S1 when the images do")
        let lumbarised = try DiscLabelSet(basis: .fromSacrum, labels: [Self.label(.S1S2, z: -110)])
        #expect(lumbarised.nextToLabel == .L5S1)
        let whole = try DiscLabelSet(
            basis: .fromC2,
            labels: DiscLevel.mobile.enumerated().map { Self.label($1, z: 500 - 30 * Double($0)) })
        #expect(whole.nextToLabel == nil)
    }

    @Test("refused: a level twice, a transitional level without a counted basis, L5-L6 with L5-S1")
    func refusedLevels() {
        let twice = Self.setError(.unknown, [Self.label(.L4L5, z: 0), Self.label(.L4L5, z: 40)])
        #expect(twice?.problem == .duplicateLevel && twice?.field == "labels[1].level" && twice?.value == "L4-L5")
        #expect(twice?.message == "L4-L5 is labelled twice (labels 0 and 1): label each disc once")

        let uncounted = Self.setError(.unknown, [Self.label(.L5L6, z: 0)])
        #expect(uncounted?.problem == .badValue && uncounted?.field == "basis")
        #expect(uncounted?.allowed == ["from-C2", "from-sacrum"])
        #expect(uncounted?.message.contains("L5-L6 is a transitional level") == true)
        #expect(Self.setError(.fromC2, [Self.label(.L5L6, z: 0)]) == nil)

        let both = Self.setError(.fromC2, [Self.label(.L5L6, z: 0), Self.label(.L5S1, z: -40)])
        #expect(both?.problem == .conflict && both?.field == "labels[1].level")
        #expect(both?.message.contains("six lumbar-type vertebrae") == true)
        #expect(Self.setError(.fromSacrum, [Self.label(.L5S1, z: 0), Self.label(.S1S2, z: -30)]) == nil)
    }

    @Test("refused: positions against the levels' order, two names on one click, a polyline, no geometry")
    func refusedPositions() throws {
        let swapped = Self.setError(.unknown, [Self.label(.L5S1, z: 0), Self.label(.L4L5, z: -40)])
        #expect(swapped?.problem == .labelsOutOfOrder && swapped?.field == "labels[1].level")
        #expect(
            swapped?.message == "L4-L5 is marked 40 mm below L5-S1, but it is the disc above it: check the levels "
                + "(the labels may be swapped)")
        #expect(
            Self.setError(.unknown, [Self.label(.L5S1, z: 0), Self.label(.L4L5, 0, -20, z: -3)]) == nil,
            "a tilted disc's mark may lie a little low")
        let same = Self.setError(.unknown, [Self.label(.L4L5, 1, 0, z: 0), Self.label(.L3L4, 0, 1, z: 1)])
        #expect(same?.problem == .labelsOutOfOrder && same?.message.contains("are marked 1.7 mm apart") == true)

        let polyline = Self.setError(.unknown, [Self.label(.L4L5, z: 0, points: 2)])
        #expect(polyline?.problem == .invalidAnchor && polyline?.field == "labels[0].anchor.points")

        let flat = ImageAnchor(
            studyInstanceUID: "1.2.3", seriesInstanceUID: "1.2.3.5", sopInstanceUID: "1.2.3.5.1",
            points: [PixelPoint(x: 10, y: 10)])
        let noGeometry = validationError { () throws(SpineValidationError) in
            try DiscLabel(level: .L4L5, anchor: flat)
        }
        #expect(noGeometry?.problem == .invalidAnchor && noGeometry?.field == "patientPositions")
        #expect(noGeometry?.message.contains("has no patient geometry") == true)
        var placed = flat
        placed.patientPositions = [[1, 2, 3]]
        #expect(try DiscLabel(level: .L4L5, anchor: placed).position == PatientPoint(x: 1, y: 2, z: 3))
    }

    @Test("JSON: sorted keys, positions as [x, y, z], read back through the same checks")
    func json() throws {
        let set = try Self.lumbar()
        let data = set.encodedJSON()
        #expect(data == set.encodedJSON())
        #expect(try DiscLabelSet.decode(data) == set)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.hasPrefix(#"{"basis":"from-sacrum","labels":[{"anchor":{"#))
        #expect(text.contains(#""level":"L3-L4","position":[0,5,0]"#))

        let duplicated = text.replacingOccurrences(of: #""level":"L3-L4""#, with: #""level":"L4-L5""#)
        #expect(
            validationError { () throws(SpineValidationError) in try DiscLabelSet.decode(Data(duplicated.utf8)) }?
                .problem == .duplicateLevel)
        let broken = validationError { () throws(SpineValidationError) in
            try DiscLabelSet.decode(Data(#"{"basis":"from-C2","labels":[{"level":"L4-L5","position":[1,2]}]}"#.utf8))
        }
        #expect(broken?.problem == .malformedData)
    }

    @Test("a patient point: from three finite values, the mean of marks, distances and its description")
    func patientPoint() throws {
        #expect(PatientPoint([1, 2]) == nil && PatientPoint([1, .nan, 3]) == nil)
        #expect(PatientPoint(meanOf: [[0, 0, 0], [2, 4, 6]]) == PatientPoint(x: 1, y: 2, z: 3))
        #expect(PatientPoint(meanOf: []) == nil && PatientPoint(meanOf: [[0, 0, 0], [1]]) == nil)
        #expect(PatientPoint(x: 0, y: 3, z: 4).distance(to: PatientPoint(x: 0, y: 0, z: 0)) == 5)
        #expect(PatientPoint(x: 1.25, y: -0.04, z: 100).description == "(1.3, 0, 100)")
    }
}
