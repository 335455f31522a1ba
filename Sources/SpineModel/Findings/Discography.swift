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
                throw SpineValidationError.outOfRange(String(number), for: Discography.fieldSpecs[0], scale: "0–4")
            }
            self = grade
        }
    }

    /// The pain response on provocation.
    public enum Response: String, Codable, Sendable, Hashable, CaseIterable, VocabularyTerm {
        /// The usual pain reproduced.
        case concordant
        /// Pain, but not the usual pain.
        case discordant
        /// No pain.
        case noResponse = "none"

        static let aliases: [String: Response] = ["no": .noResponse, "negative": .noResponse, "no-pain": .noResponse]
    }

    /// The modified Dallas grade.
    public var grade: DallasGrade
    /// The pain response.
    public var response: Response
    /// Pain reported on injection, 0–10, if recorded.
    public var pain: Int?
    /// Pressure above opening pressure at the response, psi (≥ 0), if recorded.
    public var pressure: Double?
    /// Whether an adjacent control disc was negative, if one was injected.
    public var controlNegative: Bool?

    /// Creates a discography record.
    public init(
        grade: DallasGrade, response: Response, pain: Int? = nil, pressure: Double? = nil, controlNegative: Bool? = nil
    ) {
        self.grade = grade
        self.response = response
        self.pain = pain
        self.pressure = pressure
        self.controlNegative = controlNegative
    }

    /// Whether this is the supportive pattern: concordant pain with a negative control disc.
    public var isConcordantWithNegativeControl: Bool { response == .concordant && controlNegative == true }

    static let fieldSpecs: [FieldSpec] = [
        FieldSpec(
            name: "grade", values: .oneOf(DallasGrade.terms), isRequired: true,
            help: "modified Dallas grade 0–4 (0 nucleus; 1, 2, 3 inner, middle, outer third; 4 outer third over 30°)"
        ),
        FieldSpec(
            name: "response", values: .oneOf(Response.terms), isRequired: true,
            help: "concordant (the usual pain), discordant, or none"
        ),
        FieldSpec(
            name: "pain", values: .number(range: 0...10, unit: nil, wholeNumber: true), help: "pain on injection, 0–10"
        ),
        FieldSpec(
            name: "pressure", values: .number(range: 0...Double.infinity, unit: "psi", wholeNumber: false),
            help: "pressure above opening pressure at the response"
        ),
        FieldSpec(name: "control-negative", values: .yesNo, help: "whether the adjacent control disc was negative"),
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

extension Discography: FindingDetail {
    static let kind = FindingKind.discography

    init(reading reader: FieldReader) throws(SpineValidationError) {
        if let raw = reader.raw("grade"), ["5", "v", "grade-5"].contains(raw.normalizedTerm()) {
            throw .dallasGrade5
        }
        self.init(
            grade: try reader.requiredTerm("grade"), response: try reader.requiredTerm("response"),
            pain: try reader.number("pain").map { Int($0) }, pressure: try reader.number("pressure"),
            controlNegative: try reader.flag("control-negative")
        )
    }

    /// Checks the pain score and pressure ranges.
    public func validate() throws(SpineValidationError) {
        try Self.check(pain.map(Double.init), field: "pain")
        try Self.check(pressure, field: "pressure")
    }

    /// "Dallas 3, concordant, pain 7/10, 20 psi above opening, control negative".
    public var summary: String {
        var parts = ["Dallas \(grade.term)", response == .noResponse ? "no response" : response.rawValue]
        if let pain { parts.append("pain \(pain)/10") }
        if let pressure { parts.append("\(Self.display(pressure, field: "pressure")) above opening") }
        if let controlNegative { parts.append(controlNegative ? "control negative" : "control positive") }
        return parts.joined(separator: ", ")
    }

    /// The recorded fields, by command-line name, with units.
    public var fields: [(name: String, value: String)] {
        var rows: [(name: String, value: String)] = [("grade", grade.term), ("response", response.rawValue)]
        if let pain { rows.append(("pain", String(pain))) }
        if let pressure { rows.append(("pressure", Self.display(pressure, field: "pressure"))) }
        if let controlNegative { rows.append(("control-negative", YesNo.word(controlNegative))) }
        return rows
    }
}
