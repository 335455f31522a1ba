/// Segmental instability on flexion-extension views (more than 3 mm translation or 5° angulation).
///
/// `present` is the reader's judgement; the measurements are recorded as given and not used to overrule it.
public struct Instability: Codable, Sendable, Hashable {
    /// Whether the level is unstable.
    public var present: Bool
    /// Translation on flexion-extension, mm (≥ 0), if measured.
    public var translation: Double?
    /// Angulation on flexion-extension, degrees (0–90), if measured.
    public var angulation: Double?

    /// Translation above which a level is usually called unstable, mm.
    public static let translationThreshold = 3.0
    /// Angulation above which a level is usually called unstable, degrees.
    public static let angulationThreshold = 5.0

    /// Creates an instability record.
    public init(present: Bool, translation: Double? = nil, angulation: Double? = nil) {
        self.present = present
        self.translation = translation
        self.angulation = angulation
    }

    /// Whether a measurement exceeds the usual threshold (more than 3 mm or more than 5°).
    public var exceedsThreshold: Bool {
        (translation ?? 0) > Self.translationThreshold || (angulation ?? 0) > Self.angulationThreshold
    }

    static let fieldSpecs: [FieldSpec] = [
        FieldSpec(
            name: "present", values: .yesNo, isRequired: true,
            help: "whether the level is unstable (usually more than 3 mm or 5° on flexion-extension)"
        ),
        FieldSpec(
            name: "translation", values: .number(range: 0...50, unit: "mm", wholeNumber: false),
            help: "translation on flexion-extension"
        ),
        FieldSpec(
            name: "angulation", values: .number(range: 0...90, unit: "°", wholeNumber: false),
            help: "angulation on flexion-extension"
        ),
    ]
}

extension Instability: FindingDetail {
    static let kind = FindingKind.instability

    init(reading reader: FieldReader) throws(SpineValidationError) {
        self.init(
            present: try reader.requiredFlag("present"), translation: try reader.number("translation"),
            angulation: try reader.number("angulation")
        )
    }

    /// Checks the measurements' ranges.
    public func validate() throws(SpineValidationError) {
        try Self.check(translation, field: "translation")
        try Self.check(angulation, field: "angulation")
    }

    /// "unstable: 4 mm translation, 6° angulation" or "stable".
    public var summary: String {
        let measures = [
            translation.map { Self.display($0, field: "translation") + " translation" },
            angulation.map { Self.display($0, field: "angulation") + " angulation" },
        ].compactMap { $0 }
        let word = present ? "unstable" : "stable"
        return measures.isEmpty ? word : "\(word): \(measures.joined(separator: ", "))"
    }

    /// The recorded fields, by command-line name, with units.
    public var fields: [(name: String, value: String)] {
        var rows: [(name: String, value: String)] = [("present", YesNo.word(present))]
        if let translation { rows.append(("translation", Self.display(translation, field: "translation"))) }
        if let angulation { rows.append(("angulation", Self.display(angulation, field: "angulation"))) }
        return rows
    }
}
