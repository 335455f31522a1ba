#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The discs a clinician labelled on one study, with how the vertebrae were counted: the study's map from patient
/// space to disc levels (docs/annotations.md, "Disc labels").
///
/// A set is checked when made and when read: each level at most once; a transitional level (L5-L6, S1-S2) only
/// with a counted basis (`from-C2` or `from-sacrum`), since its name depends on the counting; the levels of one
/// spine (`DiscLevel.chain(lowest:)`: L5-L6 is the lowest disc of six lumbar-type vertebrae, so it excludes L5-S1
/// and S1-S2); and positions in the levels' order along the body (a cranial disc not marked more than
/// `orderTolerance` below a caudal one, two discs at least `minimumSeparation` apart). Labels are kept cranial to
/// caudal.
public struct DiscLabelSet: Sendable, Hashable {
    /// How the vertebrae were counted.
    public let basis: LevelNumberingBasis
    /// The labels, cranial to caudal.
    public let labels: [DiscLabel]

    /// Two labelled discs closer than this (mm) are one click given two names.
    public static let minimumSeparation = 4.0
    /// How far (mm) a cranial disc may be marked below a caudal one before the order is refused (a mark lies
    /// anywhere on a tilted disc).
    public static let orderTolerance = 5.0

    /// An empty set (nothing labelled yet).
    public init(basis: LevelNumberingBasis = .unknown) {
        self.basis = basis
        labels = []
    }

    /// A checked set of `labels` (in any order; errors name a label by its index as given, `labels[2].level`).
    ///
    /// - Throws: `SpineValidationError`: `duplicate-level`, `bad-value` (field `basis`: a transitional level
    ///   without a counted basis), `conflict` (L5-L6 with L5-S1 or S1-S2), `labels-out-of-order`, or the anchor's
    ///   `invalid-anchor`.
    public init(basis: LevelNumberingBasis, labels: [DiscLabel]) throws(SpineValidationError) {
        try Self.check(basis: basis, labels)
        self.basis = basis
        self.labels = labels.sorted { $0.level < $1.level }
    }

    /// The label of `level`, if it is labelled.
    public func label(of level: DiscLevel) -> DiscLabel? { labels.first { $0.level == level } }

    /// The discs of this spine, cranial to caudal: ending at S1-S2 or L5-L6 when one is labelled, else at L5-S1.
    public var chain: [DiscLevel] { DiscLevel.chain(lowest: lowest) }

    /// The lowest disc of this spine: S1-S2 or L5-L6 when labelled, else L5-S1.
    public var lowest: DiscLevel {
        if label(of: .S1S2) != nil { return .S1S2 }
        if label(of: .L5L6) != nil { return .L5L6 }
        return .L5S1
    }

    /// The labelled disc nearest `point` in patient space and the runner-up; nil when nothing is labelled. Ties
    /// go to the cranial disc.
    public func nearest(to point: PatientPoint) -> NearestDisc? {
        let ranked = labels.map { DiscDistance(level: $0.level, distance: $0.position.distance(to: point)) }
            .sorted { ($0.distance, $0.level) < ($1.distance, $1.level) }
        guard let first = ranked.first else { return nil }
        return NearestDisc(nearest: first, runnerUp: ranked.dropFirst().first)
    }

    /// The disc above `level` in this spine's order (L5-S1 → L4-L5 → L3-L4 …; S1-S2 → L5-S1; L5-L6 → L4-L5), or
    /// nil above C2-C3. The numbering basis does not change the order; it says how the names were counted.
    public func proposedNext(after level: DiscLevel) -> DiscLevel? {
        let chain = chain.contains(level) ? chain : DiscLevel.chain(lowest: level)
        guard let index = chain.firstIndex(of: level), index > 0 else { return nil }
        return chain[index - 1]
    }

    /// The disc to label next: L5-S1 when nothing is labelled; else the first unlabelled disc above the lowest
    /// labelled one (a gap left below the highest label is proposed first); nil when every disc up to C2-C3 is
    /// labelled.
    public var nextToLabel: DiscLevel? {
        guard let lowestLabelled = labels.last?.level else { return .L5S1 }
        var level = lowestLabelled
        while let next = proposedNext(after: level) {
            if label(of: next) == nil { return next }
            level = next
        }
        return nil
    }

    /// The checks of `init(basis:labels:)`, on labels in the order given.
    private static func check(basis: LevelNumberingBasis, _ labels: [DiscLabel]) throws(SpineValidationError) {
        var seen: [DiscLevel: Int] = [:]
        for (index, label) in labels.enumerated() {
            do { try label.validate() } catch {
                throw SpineValidationError(
                    problem: error.problem, field: "labels[\(index)].anchor.\(error.field ?? "points")",
                    value: error.value, allowed: error.allowed, suggestion: error.suggestion, message: error.message)
            }
            if let first = seen[label.level] {
                throw SpineValidationError(
                    problem: .duplicateLevel, field: "labels[\(index)].level", value: label.level.name,
                    message: "\(label.level.name) is labelled twice (labels \(first) and \(index)): label each disc "
                        + "once")
            }
            seen[label.level] = index
            if label.level.isTransitional, basis == .unknown {
                let counted = [LevelNumberingBasis.fromC2, .fromSacrum].map(\.rawValue)
                throw SpineValidationError(
                    problem: .badValue, field: "basis", value: basis.rawValue, allowed: counted,
                    message: "\(label.level.name) is a transitional level, whose name depends on how the vertebrae "
                        + "were counted: give the basis (\(counted.joined(separator: " or ")))")
            }
        }
        if let l5l6 = seen[.L5L6], let other = seen[.L5S1] ?? seen[.S1S2] {
            let name = labels[other].level.name
            throw SpineValidationError(
                problem: .conflict, field: "labels[\(other)].level", value: name,
                message: "L5-L6 (label \(l5l6)) is the lowest disc of six lumbar-type vertebrae, so that spine has no "
                    + "\(name) (label \(other)): name the lowest disc L5-L6, or L5-S1 (with S1-S2 below it for a "
                    + "lumbarised S1), not both")
        }
        try checkOrder(labels)
    }

    /// Positions in the levels' order: a cranial disc not below a caudal one, distinct discs apart.
    private static func checkOrder(_ labels: [DiscLabel]) throws(SpineValidationError) {
        for (i, upper) in labels.enumerated() {
            for (j, lower) in labels.enumerated() where upper.level < lower.level {
                let apart = upper.position.distance(to: lower.position)
                if apart < minimumSeparation {
                    throw SpineValidationError(
                        problem: .labelsOutOfOrder, field: "labels[\(max(i, j))].anchor",
                        value: lower.position.description,
                        message: "\(upper.level.name) and \(lower.level.name) are marked \(millimetres(apart)) "
                            + "apart: each disc needs its own click, on its centre")
                }
                let above = upper.position.z - lower.position.z
                if above < -orderTolerance {
                    throw SpineValidationError(
                        problem: .labelsOutOfOrder, field: "labels[\(max(i, j))].level",
                        value: labels[max(i, j)].level.name,
                        message: "\(upper.level.name) is marked \(millimetres(-above)) below \(lower.level.name), but "
                            + "it is the disc above it: check the levels (the labels may be swapped)")
                }
            }
        }
    }
}

/// `12 mm`, `3.5 mm`: whole millimetres from 10 mm, one decimal below.
func millimetres(_ value: Double) -> String {
    let rounded = value >= 10 ? value.rounded() : (value * 10).rounded() / 10
    return "\(formatNumber(rounded)) mm"
}

extension DiscLabelSet: Codable {
    private enum CodingKeys: String, CodingKey { case basis, labels }

    /// Decodes `{"basis", "labels"}` and checks it as `init(basis:labels:)` does.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(
            basis: try container.decode(LevelNumberingBasis.self, forKey: .basis),
            labels: try container.decode([DiscLabel].self, forKey: .labels))
    }

    /// Encodes `{"basis", "labels"}`, labels cranial to caudal.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(basis, forKey: .basis)
        try container.encode(labels, forKey: .labels)
    }

    /// Compact JSON with sorted keys: the same set always gives the same bytes.
    public func encodedJSON() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(self) } catch {
            // Levels, finite numbers and UIDs always encode; a failure is a programming error.
            preconditionFailure("DiscLabelSet failed to encode: \(error)")
        }
    }

    /// Reads a stored set and checks it.
    ///
    /// - Throws: `SpineValidationError`: the set's own checks, or `malformed-data` for JSON of the wrong shape.
    public static func decode(_ data: Data) throws(SpineValidationError) -> DiscLabelSet {
        do { return try JSONDecoder().decode(DiscLabelSet.self, from: data) } catch let error as SpineValidationError {
            throw error
        } catch {
            throw SpineValidationError(
                problem: .malformedData, field: nil, value: nil, message: "disc label JSON is not valid: \(error)")
        }
    }
}
