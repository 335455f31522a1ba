import SpineModel

/// A finding's mark that lies at another labelled disc than its level's.
public struct DiscLabelConflict: Sendable, Equatable, CustomStringConvertible {
    /// The finding's level.
    public var level: DiscLevel
    /// The labelled disc the mark is nearest.
    public var nearest: DiscDistance
    /// How far the mark is from its own level's labelled disc; nil when that level is not labelled.
    public var own: DiscDistance?

    /// Creates a conflict.
    public init(level: DiscLevel, nearest: DiscDistance, own: DiscDistance?) {
        self.level = level
        self.nearest = nearest
        self.own = own
    }

    /// "L4-L5 is marked 6 mm from the labelled L3-L4 disc but 34 mm from the labelled L4-L5 disc", or, when its
    /// level is not labelled, "L2-L3 is marked 3 mm from the labelled L4-L5 disc (L2-L3 is not labelled)".
    public var description: String {
        let start =
            "\(level.name) is marked \(Self.millimetres(nearest.distance)) from the labelled "
            + "\(nearest.level.name) disc"
        guard let own else { return start + " (\(level.name) is not labelled)" }
        return start + " but \(Self.millimetres(own.distance)) from the labelled \(level.name) disc"
    }

    /// Whole millimetres (at least 1 when not zero, so that a near mark never reads "0 mm").
    static func millimetres(_ value: Double) -> String {
        let rounded = Int(value.rounded())
        return "\(value > 0 && rounded == 0 ? 1 : rounded) mm"
    }
}

/// Whether a finding's mark agrees with the study's disc labels: a mark belongs to the labelled disc nearest it
/// in patient space (sagittal and axial images alike, since both place a click in patient space). Only clear
/// contradictions count:
///
/// - its level is labelled: another labelled disc is nearer than its own by more than `margin` (a mark in a
///   vertebral body, such as a Modic change or a Schmorl node, lies between two discs and is not refused);
/// - its level is not labelled: the mark lies at another labelled disc, within `atDisc` mm of its centre (and
///   within 40% of the distance from that disc to its nearest labelled neighbour, for the close cervical discs).
public enum DiscLabelCheck {
    /// How much nearer (mm) another labelled disc must be than the finding's own before the level is refused.
    public static let margin = 5.0
    /// How close (mm) to another labelled disc a mark must be when the finding's level is not labelled.
    public static let atDisc = 10.0

    /// The conflict of a mark at `point` for `level` with `labels`, or nil when they agree (or say nothing).
    public static func conflict(level: DiscLevel, at point: PatientPoint, labels: DiscLabelSet) -> DiscLabelConflict? {
        guard point.isFinite, let answer = labels.nearest(to: point), answer.nearest.level != level else {
            return nil
        }
        let nearest = answer.nearest
        if let own = labels.label(of: level) {
            let ownDistance = DiscDistance(level: level, distance: own.position.distance(to: point))
            guard ownDistance.distance - nearest.distance > margin else { return nil }
            return DiscLabelConflict(level: level, nearest: nearest, own: ownDistance)
        }
        guard let centre = labels.label(of: nearest.level)?.position else { return nil }
        let neighbour = labels.labels.filter { $0.level != nearest.level }.map { $0.position.distance(to: centre) }
            .min()
        let radius = min(atDisc, neighbour.map { 0.4 * $0 } ?? atDisc)
        guard nearest.distance <= radius else { return nil }
        return DiscLabelConflict(level: level, nearest: nearest, own: nil)
    }
}
