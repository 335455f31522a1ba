/// Spondylolisthesis at the level, by Meyerding grade (I is under 25% slip).
public struct Spondylolisthesis: Codable, Sendable, Hashable {
    /// Meyerding grades 0 (no slip) to V (spondyloptosis); encoded in JSON as the number 0–5.
    public enum Grade: Int, Codable, Sendable, Hashable, CaseIterable, Comparable, VocabularyTerm {
        /// Grade 0: no slip.
        case grade0 = 0
        /// Under 25% slip.
        case I
        /// 25–50%.
        case II
        /// 50–75%.
        case III
        /// 75–100%.
        case IV
        /// Over 100% (spondyloptosis).
        case V

        /// `0` or the Roman numeral.
        public var term: String { ["0", "I", "II", "III", "IV", "V"][rawValue] }

        static let aliases: [String: Grade] = [
            "none": .grade0, "no": .grade0, "1": .I, "2": .II, "3": .III, "4": .IV, "5": .V,
        ]
        static let scale: (range: ClosedRange<Int>, text: String)? = (0...5, "0–V (0–5)")

        /// Ordered by slip.
        public static func < (lhs: Grade, rhs: Grade) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The Meyerding grade.
    public var grade: Grade

    /// Creates a spondylolisthesis record.
    public init(grade: Grade) {
        self.grade = grade
    }

    static let fieldSpecs: [FieldSpec] = [
        FieldSpec(
            name: "grade", values: .oneOf(Grade.terms), isRequired: true,
            help: "Meyerding 0 (none) or I–V (1–5 accepted); I is under 25% slip"
        )
    ]
}

extension Spondylolisthesis: FindingDetail {
    static let kind = FindingKind.spondylolisthesis

    init(reading reader: FieldReader) throws(SpineValidationError) {
        self.init(grade: try reader.requiredTerm("grade"))
    }

    /// Nothing to check beyond the type.
    public func validate() throws(SpineValidationError) {}

    /// "spondylolisthesis Meyerding II" or "no spondylolisthesis".
    public var summary: String {
        grade == .grade0 ? "no spondylolisthesis" : "spondylolisthesis Meyerding \(grade.term)"
    }

    /// The recorded fields, by command-line name.
    public var fields: [(name: String, value: String)] { [("grade", grade.term)] }
}
