import SpineModel

/// Another finding of the same study marked at a known height: its level and where along the body its mark is.
public struct AnchoredLevel: Sendable, Equatable {
    /// Its disc level.
    public var level: DiscLevel
    /// The mark's height: the z coordinate (mm, towards the head) of its patient position.
    public var height: Double
    /// How to name it to people, e.g. "finding 3f2a9c1b".
    public var label: String

    /// Creates an anchored level.
    public init(level: DiscLevel, height: Double, label: String) {
        self.level = level
        self.height = height
        self.label = label
    }
}

/// A mark that cannot be at its level, given where another finding's mark is.
public struct AnchorConflict: Sendable, Equatable, CustomStringConvertible {
    /// The level checked.
    public var level: DiscLevel
    /// The other finding.
    public var other: AnchoredLevel
    /// How far above the other mark this one is (mm; negative when below).
    public var heightAbove: Double
    /// The steps from one level to the other (adjacent levels: 1).
    public var segments: Int
    /// The range the distance along the body should fall in (mm; the lower bound is relaxed for curvature).
    public var expected: ClosedRange<Double>

    /// "C5-C6 is marked 12 mm above the L4-L5 mark of finding 3f2a9c1b, but C5-C6 lies 18 levels above L4-L5
    /// (expected 114 to 693 mm above)".
    public var description: String {
        let distance = Int(abs(heightAbove).rounded())
        let relation = heightAbove >= 0 ? "\(distance) mm above" : "\(distance) mm below"
        let direction = level < other.level ? "above" : "below"
        let most = Int(expected.upperBound.rounded())
        let least = Int(expected.lowerBound.rounded())
        let expectedText = least > 0 ? "\(least) to \(most) mm \(direction)" : "at most \(most) mm \(direction)"
        return "\(level.name) is marked \(relation) the \(other.level.name) mark of \(other.label), but \(level.name) "
            + "lies \(segments) level(s) \(direction) \(other.level.name) (expected \(expectedText))"
    }
}

/// Whether two marked findings' heights fit their levels: the distance along the body between two discs is at
/// least about half the sum of the typical vertebral heights between them (curvature and tilted discs shorten it)
/// and at most that sum of the largest heights, with `tolerance` for where on a disc a mark lies. Only clear
/// contradictions count: a mark on the wrong side of another level, or far nearer or further than any spine puts
/// them. Transitional levels (L5-L6, S1-S2), whose place depends on the counting, are not compared.
public enum AnchorSpacing {
    /// Slack (mm) for where on a disc a mark lies (a tilted lumbosacral disc spans about 20 mm in height).
    public static let tolerance = 25.0

    /// Centre-to-centre distance between adjacent discs (mm), smallest and largest plausible, by the region of
    /// the vertebra between them.
    static func segmentHeight(vertebra: String) -> ClosedRange<Double> {
        switch vertebra.first {
        case "C": 10...26
        case "T": 14...40
        default: 20...55
        }
    }

    /// The first conflict of a mark at `height` for `level` with the other marks, or nil.
    public static func conflict(level: DiscLevel, height: Double, others: [AnchoredLevel]) -> AnchorConflict? {
        guard height.isFinite, let own = DiscLevel.mobile.firstIndex(of: level) else { return nil }
        for other in others where other.height.isFinite {
            guard let index = DiscLevel.mobile.firstIndex(of: other.level), index != own else { continue }
            let (upper, lower) = (min(own, index), max(own, index))
            var shortest = 0.0
            var longest = 0.0
            for step in (upper + 1)...lower {
                let range = segmentHeight(vertebra: DiscLevel.mobile[step].upperVertebra)
                shortest += range.lowerBound
                longest += range.upperBound
            }
            let expected = (0.5 * shortest - tolerance)...(longest + tolerance)
            // Height of the cranial level's mark above the caudal one's.
            let above = own < index ? height - other.height : other.height - height
            if !expected.contains(above) {
                return AnchorConflict(
                    level: level, other: other, heightAbove: height - other.height, segments: lower - upper,
                    expected: expected)
            }
        }
        return nil
    }
}
