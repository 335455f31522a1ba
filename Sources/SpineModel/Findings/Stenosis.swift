/// Canal, subarticular or foraminal stenosis, graded as the RSNA 2024 lumbar spine labels are
/// (normal/mild, moderate, severe).
///
/// On input, `location` may carry the side (`foraminal-left`); it is stored as `location` plus `side`.
public struct Stenosis: Codable, Sendable, Hashable {
    /// Where the narrowing is.
    public enum Location: String, Codable, Sendable, Hashable, CaseIterable, VocabularyTerm {
        /// The central spinal canal.
        case canal
        /// The subarticular zone (lateral recess); needs a side.
        case subarticular
        /// The neural foramen; needs a side.
        case foraminal

        static let aliases: [String: Location] = [
            "central": .canal, "spinal-canal": .canal, "foramen": .foraminal, "lateral-recess": .subarticular,
        ]

        /// Whether the location is paired, so that a side is needed.
        public var needsSide: Bool { self != .canal }
    }

    /// Severity.
    public enum Grade: String, Codable, Sendable, Hashable, CaseIterable, Comparable, VocabularyTerm {
        /// Normal or mild (one RSNA 2024 class).
        case normalMild = "normal-mild"
        /// Moderate.
        case moderate
        /// Severe.
        case severe

        static let aliases: [String: Grade] = [
            "normal/mild": .normalMild, "normal": .normalMild, "mild": .normalMild, "none": .normalMild,
            "normal-or-mild": .normalMild,
        ]

        /// Ordered by severity.
        public static func < (lhs: Grade, rhs: Grade) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// Canal, subarticular or foraminal.
    public var location: Location
    /// Left, right or bilateral, for subarticular and foraminal stenosis; `nil` for the canal.
    public var side: Side?
    /// The severity.
    public var grade: Grade

    /// Creates a stenosis record; `validate()` checks that paired locations have a side and the canal none.
    public init(location: Location, side: Side? = nil, grade: Grade) {
        self.location = location
        self.side = side
        self.grade = grade
    }

    /// The sides a paired location may have.
    static let pairedSides: [Side] = [.left, .right, .bilateral]

    /// Locations with their side, as accepted on input.
    static let combinedLocations: [String: (Location, Side)] = {
        var combined: [String: (Location, Side)] = [:]
        for location in [Location.subarticular, .foraminal] {
            for side in pairedSides {
                combined["\(location.rawValue)-\(side.rawValue)"] = (location, side)
                combined["\(side.rawValue)-\(location.rawValue)"] = (location, side)
            }
        }
        return combined
    }()

    static let fieldSpecs: [FieldSpec] = [
        FieldSpec(
            name: "location",
            values: .oneOf(
                Location.terms + ["subarticular-left", "subarticular-right", "foraminal-left", "foraminal-right"]
            ),
            isRequired: true,
            help: "canal, subarticular or foraminal; the side may be attached (foraminal-left) or given as side="
        ),
        FieldSpec(
            name: "side", values: .oneOf(pairedSides.map(\.rawValue)),
            help: "left, right or bilateral; needed for subarticular and foraminal, refused for canal"
        ),
        FieldSpec(
            name: "grade", values: .oneOf(Grade.terms), isRequired: true,
            help: "normal-mild (normal/mild, normal and mild accepted), moderate, severe"
        ),
    ]
}

extension Stenosis: FindingDetail {
    static let kind = FindingKind.stenosis

    init(reading reader: FieldReader) throws(SpineValidationError) {
        guard let rawLocation = reader.raw("location") else { throw reader.missing("location") }
        var side: Side? = try reader.term("side")
        let location: Location
        if let combined = Self.combinedLocations[rawLocation.normalizedTerm()] {
            if let side, side != combined.1 {
                throw .conflict(
                    "side", value: side.rawValue,
                    "location=\(rawLocation) already says \(combined.1.rawValue), but side=\(side.rawValue): give one side"
                )
            }
            (location, side) = combined
        } else if let plain = Location.matching(rawLocation) {
            location = plain
        } else {
            let spec = reader.spec("location")
            let suggestion = NearMiss.suggest(rawLocation, among: spec.choices + Location.aliases.keys.sorted())
            throw .badValue(rawLocation, for: spec, of: .stenosis, suggestion: suggestion)
        }
        let grade: Grade = try reader.requiredTerm("grade")
        if location.needsSide, side == nil {
            throw reader.missing("side", because: "\(location.rawValue) stenosis is on one side or both")
        }
        self.init(location: location, side: side, grade: grade)
        try validate()
    }

    /// Requires a side for subarticular and foraminal stenosis, and refuses one (or midline) elsewhere.
    public func validate() throws(SpineValidationError) {
        switch (location.needsSide, side) {
        case (true, nil):
            throw .missing(
                Self.fieldSpecs[1], of: .stenosis, because: "\(location.rawValue) stenosis is on one side or both")
        case (true, .midline?):
            throw .conflict(
                "side", value: "midline", "\(location.rawValue) stenosis is left, right or bilateral, not midline")
        case (false, let side?):
            throw .conflict(
                "side", value: side.rawValue,
                "canal stenosis has no side: drop side=\(side.rawValue), or use location=subarticular or foraminal"
            )
        default:
            return
        }
    }

    /// "moderate left foraminal stenosis", "normal/mild canal stenosis".
    public var summary: String {
        let severity = grade == .normalMild ? "normal/mild" : grade.rawValue
        return [severity, side?.rawValue, location.rawValue, "stenosis"].compactMap { $0 }.joined(separator: " ")
    }

    /// The recorded fields, by command-line name.
    public var fields: [(name: String, value: String)] {
        var rows: [(name: String, value: String)] = [("location", location.rawValue)]
        if let side { rows.append(("side", side.rawValue)) }
        rows.append(("grade", grade.rawValue))
        return rows
    }
}
