/// An annular fissure, described as Lumbar Disc Nomenclature 2.0 does (Fardon et al., Spine J 2014).
///
/// "Annular fissure" is the preferred term ("tear" implies injury), and a fissure alone is not a herniation.
/// On input, the informal zone `paracentral` is mapped to `central` + `subarticular` and then needs a side.
/// A reader who looked and saw none records `present=no` (then nothing else), so that "no fissure" is a
/// finding rather than a gap.
public struct AnnularFissure: Codable, Sendable, Hashable {
    /// How the fissure runs through the annulus.
    public enum FissureType: String, Codable, Sendable, Hashable, CaseIterable, VocabularyTerm {
        /// Delamination between lamellae.
        case concentric
        /// From the nucleus outward.
        case radial
        /// Peripheral fibres torn at the ring apophysis.
        case transverse
    }

    /// Zones in the axial plane; one fissure can span several.
    public enum AxialZone: String, Codable, Sendable, Hashable, CaseIterable, Comparable, VocabularyTerm {
        /// Central (behind the middle of the disc).
        case central
        /// Subarticular, the lateral recess.
        case subarticular
        /// Foraminal.
        case foraminal
        /// Extraforaminal, far lateral.
        case extraforaminal
        /// Anterior.
        case anterior

        static let aliases: [String: AxialZone] = [
            "lateral-recess": .subarticular, "far-lateral": .extraforaminal, "extra-foraminal": .extraforaminal,
        ]

        /// Declaration order: central, subarticular, foraminal, extraforaminal, anterior.
        public static func < (lhs: AxialZone, rhs: AxialZone) -> Bool {
            allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
        }
    }

    /// Zones along the craniocaudal axis.
    public enum CraniocaudalZone: String, Codable, Sendable, Hashable, CaseIterable, VocabularyTerm {
        /// At the level of the disc.
        case discal
        /// Above the pedicle.
        case suprapedicular
        /// At the pedicle.
        case pedicular
        /// Below the pedicle.
        case infrapedicular
    }

    /// Whether the fissure crosses the whole annulus.
    public enum Thickness: String, Codable, Sendable, Hashable, CaseIterable, VocabularyTerm {
        /// Part of the annulus.
        case partial
        /// The full thickness of the annulus.
        case full
    }

    /// False when the reader looked for a fissure and saw none (then every other field is empty).
    public var present: Bool
    /// Concentric, radial or transverse (always recorded for a present fissure).
    public var type: FissureType?
    /// The axial zones the fissure spans (encoded in the order central, subarticular, foraminal,
    /// extraforaminal, anterior).
    public var zones: Set<AxialZone>
    /// The side, if recorded.
    public var side: Side?
    /// The craniocaudal zone, if recorded.
    public var craniocaudal: CraniocaudalZone?
    /// Partial or full thickness, if recorded.
    public var thickness: Thickness?

    /// Creates a fissure description.
    public init(
        type: FissureType,
        zones: Set<AxialZone> = [],
        side: Side? = nil,
        craniocaudal: CraniocaudalZone? = nil,
        thickness: Thickness? = nil
    ) {
        self.present = true
        self.type = type
        self.zones = zones
        self.side = side
        self.craniocaudal = craniocaudal
        self.thickness = thickness
    }

    /// "No annular fissure": the reader looked and saw none.
    public static let absent = AnnularFissure(absent: ())

    private init(absent: Void) {
        present = false
        type = nil
        zones = []
    }

    /// The zones in their fixed order.
    public var orderedZones: [AxialZone] { zones.sorted() }

    /// The informal zone accepted on input and mapped to central + subarticular.
    static let paracentral = "paracentral"

    static let fieldSpecs: [FieldSpec] = [
        FieldSpec(
            name: "type", values: .oneOf(FissureType.terms),
            help: "concentric (between lamellae), radial (from the nucleus outward), transverse (at the ring "
                + "apophysis); required for a present fissure"
        ),
        FieldSpec(
            name: "zones", values: .setOf(AxialZone.terms + [paracentral]),
            help: "axial zones, comma-separated; paracentral means central,subarticular and needs a side"
        ),
        FieldSpec(name: "side", values: .oneOf(Side.terms), help: "the patient's side"),
        FieldSpec(
            name: "craniocaudal", values: .oneOf(CraniocaudalZone.terms),
            help: "craniocaudal zone relative to the pedicle"
        ),
        FieldSpec(name: "thickness", values: .oneOf(Thickness.terms), help: "partial or full thickness of the annulus"),
        FieldSpec(
            name: "present", values: .yesNo,
            help: "no when the reader looked and saw no fissure (then give nothing else); yes by default"
        ),
    ]

    private enum CodingKeys: String, CodingKey {
        case present, type, zones, side, craniocaudal, thickness
    }

    /// Decodes the JSON form; `zones` may be absent (no zone recorded), `present` is absent for a present
    /// fissure (the form every annotation had before "no fissure" could be recorded).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        present = try container.decodeIfPresent(Bool.self, forKey: .present) ?? true
        type =
            present
            ? try container.decode(FissureType.self, forKey: .type)
            : try container.decodeIfPresent(FissureType.self, forKey: .type)
        zones = Set(try container.decodeIfPresent([AxialZone].self, forKey: .zones) ?? [])
        side = try container.decodeIfPresent(Side.self, forKey: .side)
        craniocaudal = try container.decodeIfPresent(CraniocaudalZone.self, forKey: .craniocaudal)
        thickness = try container.decodeIfPresent(Thickness.self, forKey: .thickness)
    }

    /// Encodes the JSON form, zones in their fixed order and omitted when empty; `present` only when false, so
    /// a present fissure encodes exactly as before.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !present { try container.encode(false, forKey: .present) }
        try container.encodeIfPresent(type, forKey: .type)
        if !zones.isEmpty { try container.encode(orderedZones, forKey: .zones) }
        try container.encodeIfPresent(side, forKey: .side)
        try container.encodeIfPresent(craniocaudal, forKey: .craniocaudal)
        try container.encodeIfPresent(thickness, forKey: .thickness)
    }
}

extension AnnularFissure: FindingDetail {
    static let kind = FindingKind.annularFissure

    init(reading reader: FieldReader) throws(SpineValidationError) {
        if try reader.flag("present") == false {
            for field in ["type", "zones", "side", "craniocaudal", "thickness"] where reader.has(field) {
                throw .conflict(
                    field, value: nil, "\(field) describes a fissure that is present: drop it or set present=yes")
            }
            self = .absent
            return
        }
        let type: FissureType = try reader.requiredTerm("type")
        let side: Side? = try reader.term("side")
        var zones = Set<AxialZone>()
        for item in try reader.listItems("zones") ?? [] {
            guard item.normalizedTerm() == Self.paracentral else {
                zones.insert(try reader.parse(item, field: "zones"))
                continue
            }
            guard let side else {
                throw reader.missing(
                    "side", because: "paracentral means central+subarticular on one side",
                    allowed: ["left", "right", "bilateral"]
                )
            }
            guard side != .midline else {
                throw .conflict(
                    "side", value: "midline",
                    "paracentral lies off the midline: give side=left, right or bilateral, "
                        + "or use zones=central with side=midline"
                )
            }
            zones.formUnion([.central, .subarticular])
        }
        self.init(
            type: type, zones: zones, side: side, craniocaudal: try reader.term("craniocaudal"),
            thickness: try reader.term("thickness")
        )
    }

    /// A present fissure has a type; an absent one has nothing else.
    public func validate() throws(SpineValidationError) {
        if present && type == nil {
            throw .conflict("type", value: nil, "a present fissure needs its type: concentric, radial or transverse")
        }
        if !present && (type != nil || !zones.isEmpty || side != nil || craniocaudal != nil || thickness != nil) {
            throw .conflict("present", value: "no", "an absent fissure has no type, zones, side or thickness")
        }
    }

    /// "radial full fissure, central+subarticular left, discal".
    public var summary: String {
        guard present else { return "no annular fissure" }
        var parts = [[type?.rawValue, thickness?.rawValue, "fissure"].compactMap { $0 }.joined(separator: " ")]
        let location = [zones.isEmpty ? nil : orderedZones.map(\.rawValue).joined(separator: "+"), side?.rawValue]
            .compactMap { $0 }.joined(separator: " ")
        if !location.isEmpty { parts.append(location) }
        if let craniocaudal { parts.append(craniocaudal.rawValue) }
        return parts.joined(separator: ", ")
    }

    /// The recorded fields, by command-line name.
    public var fields: [(name: String, value: String)] {
        guard present, let type else { return [("present", "no")] }
        var rows: [(name: String, value: String)] = [("type", type.rawValue)]
        if !zones.isEmpty { rows.append(("zones", orderedZones.map(\.rawValue).joined(separator: ","))) }
        if let side { rows.append(("side", side.rawValue)) }
        if let craniocaudal { rows.append(("craniocaudal", craniocaudal.rawValue)) }
        if let thickness { rows.append(("thickness", thickness.rawValue)) }
        return rows
    }
}
