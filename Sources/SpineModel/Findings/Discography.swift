/// Provocation discography of one disc: the modified Dallas grade of annular disruption on (CT-)discography
/// and the pain response.
public struct Discography: Codable, Sendable, Hashable {
    /// Modified Dallas grade of annular disruption, 0–4; encoded in JSON as the number.
    ///
    /// A grade 5 (contrast leaking outside the annulus) appears in some descriptions but is unconfirmed in
    /// this project's sources, so it is refused; record the leak on the annulargram instead.
    public enum DallasGrade: Int, Codable, Sendable, Hashable, CaseIterable, Comparable, VocabularyTerm {
        /// Contrast stays in the nucleus.
        case grade0 = 0
        /// Contrast into the inner third of the annulus.
        case grade1
        /// Contrast into the middle third.
        case grade2
        /// Contrast into the outer third, over less than 30° of the circumference.
        case grade3
        /// Contrast into the outer third, over more than 30° of the circumference.
        case grade4

        /// The grade number.
        public var term: String { String(rawValue) }

        static let scale: (range: ClosedRange<Int>, text: String)? = (0...4, "0–4")

        /// Ordered by depth of disruption.
        public static func < (lhs: DallasGrade, rhs: DallasGrade) -> Bool { lhs.rawValue < rhs.rawValue }

        /// Decodes the number 0–4, refusing 5 as unconfirmed.
        public init(from decoder: any Decoder) throws {
            let number = try decoder.singleValueContainer().decode(Int.self)
            if number == 5 { throw SpineValidationError.dallasGrade5 }
            guard let grade = DallasGrade(rawValue: number) else {
                throw SpineValidationError.outOfRange(String(number), for: Discography.fieldSpecs[1], scale: "0–4")
            }
            self = grade
        }
    }

    /// The pain response on provocation.
    public enum Response: String, Codable, Sendable, Hashable, CaseIterable, VocabularyTerm {
        /// The usual pain reproduced (the disc is a candidate pain source).
        case concordant
        /// Pain, clearly not the usual pain.
        case discordant
        /// Pain that is neither clearly the usual pain nor clearly another ("similar", partly familiar).
        case nonConcordant = "non-concordant"
        /// No pain: a negative disc (what a control disc should show).
        case noResponse = "none"

        static let aliases: [String: Response] = [
            "no": .noResponse, "negative": .noResponse, "no-pain": .noResponse, "nonconcordant": .nonConcordant,
            "non-concordant-pain": .nonConcordant,
        ]
    }

    /// The largest description kept, in characters.
    public static let maxDescriptionLength = 500

    /// The modified Dallas grade, if recorded (a negative control disc often has none).
    public var grade: DallasGrade?
    /// The pain response.
    public var response: Response
    /// Pain reported on injection, 0–10, if recorded.
    public var pain: Int?
    /// Pressure above opening pressure at the response, psi (0–200), if recorded.
    public var pressure: Double?
    /// Contrast volume injected, mL (0–20), if recorded.
    public var volume: Double?
    /// The annulargram or post-discography CT description, one line, if recorded.
    public var imagingDescription: String?
    /// Whether an adjacent control disc was negative: only in versions stored before control discs were
    /// recorded at their own level. Read, never written by new input; the candidacy engine derives the support
    /// from the neighbouring levels' discography and uses this only when no neighbour was injected.
    public var controlNegative: Bool?

    /// Creates a discography record.
    public init(
        grade: DallasGrade? = nil, response: Response, pain: Int? = nil, pressure: Double? = nil,
        volume: Double? = nil, imagingDescription: String? = nil, controlNegative: Bool? = nil
    ) {
        self.grade = grade
        self.response = response
        self.pain = pain
        self.pressure = pressure
        self.volume = volume
        self.imagingDescription = imagingDescription
        self.controlNegative = controlNegative
    }

    private enum CodingKeys: String, CodingKey {
        case grade, response, pain, pressure, volume, controlNegative
        case imagingDescription = "description"
    }

    /// Whether the disc is negative (no pain on injection): what a control disc at this level shows.
    public var isNegative: Bool { response == .noResponse }

    static let fieldSpecs: [FieldSpec] = [
        FieldSpec(
            name: "response", values: .oneOf(Response.terms), isRequired: true,
            help: "concordant (the usual pain), discordant (another pain), non-concordant (pain, not clearly either), "
                + "or none (no pain: a negative disc, e.g. the control)"
        ),
        FieldSpec(
            name: "grade", values: .oneOf(DallasGrade.terms),
            help: "modified Dallas grade 0–4, if recorded (0 nucleus; 1, 2, 3 inner, middle, outer third; 4 outer "
                + "third over 30°)"
        ),
        FieldSpec(
            name: "pain", values: .number(range: 0...10, unit: nil, wholeNumber: true), help: "pain on injection, 0–10"
        ),
        FieldSpec(
            name: "pressure", values: .number(range: 0...200, unit: "psi", wholeNumber: false),
            help: "pressure above opening pressure at the response"
        ),
        FieldSpec(
            name: "volume", values: .number(range: 0...20, unit: "mL", wholeNumber: false),
            help: "contrast volume injected"
        ),
        FieldSpec(
            name: "description", values: .text(maxLength: Discography.maxDescriptionLength),
            help: "the annulargram or post-discography CT description, one line"
        ),
        FieldSpec(
            name: "control-negative", values: .yesNo,
            help: "read from versions stored before 2026-12 only; record the control disc at its own level instead "
                + "(response=none)"
        ),
    ]
}

extension SpineValidationError {
    /// The refusal of a modified Dallas grade 5.
    static let dallasGrade5 = SpineValidationError(
        problem: .unconfirmed, field: "grade", value: "5", allowed: Discography.DallasGrade.terms,
        message: "modified Dallas grade 5 (contrast leaking outside the annulus) is unconfirmed and not accepted; "
            + "record the deepest confirmed grade (0–4) and the leak on the annulargram (epidural-leak=yes)"
    )
}

extension SpineValidationError {
    /// The refusal of the old per-level control flag on new input.
    static let controlAtOwnLevel = SpineValidationError(
        problem: .unconfirmed, field: "control-negative", value: nil, allowed: [],
        message: "record the control disc at its own level instead: e.g. annotate add --level L3-L4 --kind "
            + "discography response=none (the negative-control support is derived from the neighbouring levels)"
    )
}

extension Discography: FindingDetail {
    static let kind = FindingKind.discography

    init(reading reader: FieldReader) throws(SpineValidationError) {
        if let raw = reader.raw("grade"), ["5", "v", "grade-5"].contains(raw.normalizedTerm()) {
            throw .dallasGrade5
        }
        if reader.has("control-negative") { throw .controlAtOwnLevel }
        self.init(
            grade: try reader.term("grade"), response: try reader.requiredTerm("response"),
            pain: try reader.number("pain").map { Int($0) }, pressure: try reader.number("pressure"),
            volume: try reader.number("volume"), imagingDescription: try reader.text("description")
        )
    }

    /// Checks the pain score, pressure, volume and description.
    public func validate() throws(SpineValidationError) {
        try Self.check(pain.map(Double.init), field: "pain")
        try Self.check(pressure, field: "pressure")
        try Self.check(volume, field: "volume")
        try Self.check(imagingDescription, field: "description")
    }

    /// "concordant, pain 7/10, 20 psi above opening, 1.5 mL, Dallas 3".
    public var summary: String {
        var parts = [response == .noResponse ? "negative (no pain)" : response.rawValue]
        if let pain { parts.append("pain \(pain)/10") }
        if let pressure { parts.append("\(Self.display(pressure, field: "pressure")) above opening") }
        if let volume { parts.append(Self.display(volume, field: "volume")) }
        if let grade { parts.append("Dallas \(grade.term)") }
        if let controlNegative { parts.append(controlNegative ? "control negative" : "control positive") }
        return parts.joined(separator: ", ")
    }

    /// The recorded fields, by command-line name, with units.
    public var fields: [(name: String, value: String)] {
        var rows: [(name: String, value: String)] = [("response", response.rawValue)]
        if let grade { rows.append(("grade", grade.term)) }
        if let pain { rows.append(("pain", String(pain))) }
        if let pressure { rows.append(("pressure", Self.display(pressure, field: "pressure"))) }
        if let volume { rows.append(("volume", Self.display(volume, field: "volume"))) }
        if let imagingDescription { rows.append(("description", imagingDescription)) }
        if let controlNegative { rows.append(("control-negative", YesNo.word(controlNegative))) }
        return rows
    }
}
