/// The disc contour in Lumbar Disc Nomenclature 2.0 terms (Fardon et al., Spine J 2014).
public struct DiscContour: Codable, Sendable, Hashable {
    /// Normal, bulge, or a herniation type.
    public enum ContourType: String, Codable, Sendable, Hashable, CaseIterable, Comparable, VocabularyTerm {
        /// Normal contour.
        case normal
        /// Circumferential, or asymmetric over more than 25% of the circumference.
        case bulge
        /// Focal (under 25%), the base wider than the dome.
        case protrusion
        /// Displaced material wider than its base, or through an annular defect.
        case extrusion
        /// A fragment no longer continuous with the disc.
        case sequestration

        static let aliases: [String: ContourType] = [
            "bulging": .bulge, "protruded": .protrusion, "extruded": .extrusion, "sequestered": .sequestration,
        ]

        /// Ordered from normal to sequestration.
        public static func < (lhs: ContourType, rhs: ContourType) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }

        /// Whether the contour is a herniation (protrusion, extrusion or sequestration).
        public var isHerniation: Bool { self >= .protrusion }
    }

    /// The contour.
    public var type: ContourType
    /// Whether displaced material is contained by the outer annulus, if recorded.
    public var contained: Bool?
    /// Whether displaced material has migrated away from the disc level (a modifier), if recorded.
    public var migration: Bool?

    /// Creates a contour record.
    public init(type: ContourType, contained: Bool? = nil, migration: Bool? = nil) {
        self.type = type
        self.contained = contained
        self.migration = migration
    }

    static let fieldSpecs: [FieldSpec] = [
        FieldSpec(
            name: "type", values: .oneOf(ContourType.terms), isRequired: true,
            help: "normal, bulge (>25% of the circumference), protrusion, extrusion, sequestration"
        ),
        FieldSpec(name: "contained", values: .yesNo, help: "displaced material contained by the outer annulus"),
        FieldSpec(name: "migration", values: .yesNo, help: "displaced material migrated away from the disc level"),
    ]
}

extension DiscContour: FindingDetail {
    static let kind = FindingKind.contour

    init(reading reader: FieldReader) throws(SpineValidationError) {
        self.init(
            type: try reader.requiredTerm("type"), contained: try reader.flag("contained"),
            migration: try reader.flag("migration")
        )
    }

    /// Nothing to check beyond the types.
    public func validate() throws(SpineValidationError) {}

    /// "extrusion, not contained, migrated".
    public var summary: String {
        var parts = [type.rawValue]
        if let contained { parts.append(contained ? "contained" : "not contained") }
        if let migration { parts.append(migration ? "migrated" : "not migrated") }
        return parts.joined(separator: ", ")
    }

    /// The recorded fields, by command-line name.
    public var fields: [(name: String, value: String)] {
        var rows: [(name: String, value: String)] = [("type", type.rawValue)]
        if let contained { rows.append(("contained", YesNo.word(contained))) }
        if let migration { rows.append(("migration", YesNo.word(migration))) }
        return rows
    }
}
