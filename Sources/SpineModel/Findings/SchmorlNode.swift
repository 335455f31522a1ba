/// A Schmorl node: an endplate defect with disc material in the vertebral body.
public struct SchmorlNode: Codable, Sendable, Hashable {
    /// Which endplate of the disc.
    public enum Endplate: String, Codable, Sendable, Hashable, CaseIterable, VocabularyTerm {
        /// The endplate above the disc.
        case upper
        /// The endplate below the disc.
        case lower
        /// Both endplates.
        case both
    }

    /// Whether a Schmorl node (endplate defect) is seen.
    public var present: Bool
    /// Which endplate, when present and recorded.
    public var endplate: Endplate?

    /// Creates a Schmorl node record.
    public init(present: Bool, endplate: Endplate? = nil) {
        self.present = present
        self.endplate = endplate
    }

    static let fieldSpecs: [FieldSpec] = [
        FieldSpec(name: "present", values: .yesNo, isRequired: true, help: "whether an endplate defect is seen"),
        FieldSpec(name: "endplate", values: .oneOf(Endplate.terms), help: "upper, lower or both; present only"),
    ]
}

extension SchmorlNode: FindingDetail {
    static let kind = FindingKind.schmorl

    init(reading reader: FieldReader) throws(SpineValidationError) {
        self.init(present: try reader.requiredFlag("present"), endplate: try reader.term("endplate"))
        try validate()
    }

    /// Refuses an endplate for an absent node.
    public func validate() throws(SpineValidationError) {
        if !present, let endplate {
            throw .conflict(
                "endplate", value: endplate.rawValue,
                "endplate describes a present Schmorl node: drop it or set present=yes"
            )
        }
    }

    /// "Schmorl node (upper endplate)" or "no Schmorl node".
    public var summary: String {
        guard present else { return "no Schmorl node" }
        guard let endplate else { return "Schmorl node" }
        return endplate == .both ? "Schmorl nodes (both endplates)" : "Schmorl node (\(endplate.rawValue) endplate)"
    }

    /// The recorded fields, by command-line name.
    public var fields: [(name: String, value: String)] {
        var rows: [(name: String, value: String)] = [("present", YesNo.word(present))]
        if let endplate { rows.append(("endplate", endplate.rawValue)) }
        return rows
    }
}
