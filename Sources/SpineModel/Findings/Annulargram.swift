/// An annulargram of one disc: contrast injected into the annulus under fluoroscopy shows the tear before
/// fibrin sealant is delivered into it.
public struct Annulargram: Codable, Sendable, Hashable {
    /// Where the contrast goes. A small closed set, so that readers describe the same picture with the same
    /// word and tables and exports can compare discs; anything finer belongs in the annotation's note.
    public enum Pattern: String, Codable, Sendable, Hashable, CaseIterable, VocabularyTerm {
        /// Confined to the nucleus.
        case nuclear
        /// Into the annulus without a distinct track.
        case annular
        /// Along a radial track from the nucleus towards the periphery.
        case radial
        /// Spreading around the circumference between lamellae (a concentric pattern).
        case circumferential
        /// Leaving the disc into the epidural space.
        case epidural

        static let aliases: [String: Pattern] = ["nucleus": .nuclear, "concentric": .circumferential]
    }

    /// The contrast pattern, if recorded.
    public var pattern: Pattern?
    /// Whether a tear is seen.
    public var tear: Bool
    /// The side of the tear, when one is seen and its side recorded.
    public var tearSide: Side?
    /// Whether contrast leaked into the epidural space, if recorded.
    public var epiduralLeak: Bool?
    /// Fibrin sealant delivered, mL (≥ 0), if recorded.
    public var fibrinVolume: Double?

    /// Creates an annulargram record.
    public init(
        pattern: Pattern? = nil, tear: Bool, tearSide: Side? = nil, epiduralLeak: Bool? = nil,
        fibrinVolume: Double? = nil
    ) {
        self.pattern = pattern
        self.tear = tear
        self.tearSide = tearSide
        self.epiduralLeak = epiduralLeak
        self.fibrinVolume = fibrinVolume
    }

    static let fieldSpecs: [FieldSpec] = [
        FieldSpec(
            name: "tear", values: .yesNo, isRequired: true, help: "whether the contrast shows a tear (annular fissure)"
        ),
        FieldSpec(
            name: "pattern", values: .oneOf(Pattern.terms),
            help: "where the contrast goes: nuclear, annular, radial, circumferential, epidural"
        ),
        FieldSpec(name: "tear-side", values: .oneOf(Side.terms), help: "side of the tear; only when tear=yes"),
        FieldSpec(name: "epidural-leak", values: .yesNo, help: "whether contrast leaked into the epidural space"),
        FieldSpec(
            name: "fibrin-volume", values: .number(range: 0...20, unit: "mL", wholeNumber: false),
            help: "fibrin sealant delivered"
        ),
    ]
}

extension Annulargram: FindingDetail {
    static let kind = FindingKind.annulargram

    init(reading reader: FieldReader) throws(SpineValidationError) {
        self.init(
            pattern: try reader.term("pattern"), tear: try reader.requiredFlag("tear"),
            tearSide: try reader.term("tear-side"), epiduralLeak: try reader.flag("epidural-leak"),
            fibrinVolume: try reader.number("fibrin-volume")
        )
        try validate()
    }

    /// Checks the volume, and refuses a tear side without a tear or an epidural pattern without a leak.
    public func validate() throws(SpineValidationError) {
        try Self.check(fibrinVolume, field: "fibrin-volume")
        if !tear, let tearSide {
            throw .conflict(
                "tear-side", value: tearSide.rawValue,
                "tear-side describes a tear that is seen: drop it or set tear=yes"
            )
        }
        if pattern == .epidural, epiduralLeak == false {
            throw .conflict(
                "epidural-leak", value: "no",
                "pattern=epidural means contrast reached the epidural space: set epidural-leak=yes or change the pattern"
            )
        }
    }

    /// "annulargram radial, tear left, epidural leak, fibrin 2 mL".
    public var summary: String {
        var parts = ["annulargram" + (pattern.map { " \($0.rawValue)" } ?? "")]
        parts.append(tear ? "tear" + (tearSide.map { " \($0.rawValue)" } ?? "") : "no tear")
        if let epiduralLeak { parts.append(epiduralLeak ? "epidural leak" : "no epidural leak") }
        if let fibrinVolume { parts.append("fibrin \(Self.display(fibrinVolume, field: "fibrin-volume"))") }
        return parts.joined(separator: ", ")
    }

    /// The recorded fields, by command-line name, with units.
    public var fields: [(name: String, value: String)] {
        var rows: [(name: String, value: String)] = [("tear", YesNo.word(tear))]
        if let pattern { rows.append(("pattern", pattern.rawValue)) }
        if let tearSide { rows.append(("tear-side", tearSide.rawValue)) }
        if let epiduralLeak { rows.append(("epidural-leak", YesNo.word(epiduralLeak))) }
        if let fibrinVolume {
            rows.append(("fibrin-volume", Self.display(fibrinVolume, field: "fibrin-volume")))
        }
        return rows
    }
}
