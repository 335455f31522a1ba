/// A high-intensity zone (HIZ; Aprill and Bogduk, Br J Radiol 1992): bright T2 signal in the annulus,
/// separate from the nucleus and brighter than it.
///
/// Supportive evidence only: an HIZ is common in people without pain.
public struct HighIntensityZone: Codable, Sendable, Hashable {
    /// Where in the annulus the zone lies.
    public enum Position: String, Codable, Sendable, Hashable, CaseIterable, VocabularyTerm {
        /// The posterior annulus (the classic HIZ).
        case posterior
        /// The anterior annulus.
        case anterior
    }

    /// Whether an HIZ is seen.
    public var present: Bool
    /// Posterior or anterior, when present.
    public var position: Position?
    /// The side, when present.
    public var side: Side?

    /// Creates an HIZ record.
    public init(present: Bool, position: Position? = nil, side: Side? = nil) {
        self.present = present
        self.position = position
        self.side = side
    }

    static let fieldSpecs: [FieldSpec] = [
        FieldSpec(name: "present", values: .yesNo, isRequired: true, help: "whether an HIZ is seen"),
        FieldSpec(
            name: "position", values: .oneOf(Position.terms),
            help: "posterior (classic) or anterior annulus; present only"
        ),
        FieldSpec(name: "side", values: .oneOf(Side.terms), help: "the patient's side; present only"),
    ]
}

extension HighIntensityZone: FindingDetail {
    static let kind = FindingKind.hiz

    init(reading reader: FieldReader) throws(SpineValidationError) {
        self.init(
            present: try reader.requiredFlag("present"), position: try reader.term("position"),
            side: try reader.term("side")
        )
        try validate()
    }

    /// Refuses a position or side for an absent HIZ.
    public func validate() throws(SpineValidationError) {
        guard !present else { return }
        if let position {
            throw .conflict(
                "position", value: position.rawValue, "position describes a present HIZ: drop it or set present=yes"
            )
        }
        if let side {
            throw .conflict("side", value: side.rawValue, "side describes a present HIZ: drop it or set present=yes")
        }
    }

    /// "HIZ posterior left" or "no HIZ".
    public var summary: String {
        guard present else { return "no HIZ" }
        return (["HIZ", position?.rawValue, side?.rawValue].compactMap { $0 }).joined(separator: " ")
    }

    /// The recorded fields, by command-line name.
    public var fields: [(name: String, value: String)] {
        var rows: [(name: String, value: String)] = [("present", YesNo.word(present))]
        if let position { rows.append(("position", position.rawValue)) }
        if let side { rows.append(("side", side.rawValue)) }
        return rows
    }
}
