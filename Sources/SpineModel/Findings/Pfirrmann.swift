/// The Pfirrmann grade of disc degeneration on mid-sagittal T2 (Pfirrmann et al., Spine 2001).
public struct Pfirrmann: Codable, Sendable, Hashable {
    /// Grades I (homogeneous, bright) to V (black, collapsed); encoded in JSON as the number 1–5.
    public enum Grade: Int, Codable, Sendable, Hashable, CaseIterable, Comparable, VocabularyTerm {
        /// Homogeneous, bright white; clear nucleus/annulus distinction; normal height.
        case I = 1
        /// Inhomogeneous with or without horizontal bands; clear distinction; normal height.
        case II
        /// Inhomogeneous, grey; unclear distinction; normal to slightly decreased height.
        case III
        /// Inhomogeneous, grey to black; distinction lost; normal to moderately decreased height.
        case IV
        /// Inhomogeneous, black; distinction lost; collapsed disc space.
        case V

        /// The Roman numeral, as the grade is written.
        public var term: String { ["I", "II", "III", "IV", "V"][rawValue - 1] }

        static let aliases: [String: Grade] = ["1": .I, "2": .II, "3": .III, "4": .IV, "5": .V]
        static let scale: (range: ClosedRange<Int>, text: String)? = (1...5, "I–V (1–5)")

        /// Ordered by severity.
        public static func < (lhs: Grade, rhs: Grade) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    /// The grade.
    public var grade: Grade

    /// Creates a Pfirrmann grading.
    public init(grade: Grade) {
        self.grade = grade
    }

    static let fieldSpecs: [FieldSpec] = [
        FieldSpec(
            name: "grade", values: .oneOf(Grade.terms), isRequired: true,
            help: "I–V (1–5 accepted) on mid-sagittal T2"
        )
    ]
}

extension Pfirrmann: FindingDetail {
    static let kind = FindingKind.pfirrmann

    init(reading reader: FieldReader) throws(SpineValidationError) {
        self.init(grade: try reader.requiredTerm("grade"))
    }

    /// Nothing to check beyond the type.
    public func validate() throws(SpineValidationError) {}

    /// "Pfirrmann III".
    public var summary: String { "Pfirrmann \(grade.term)" }

    /// The recorded fields, by command-line name.
    public var fields: [(name: String, value: String)] { [("grade", grade.term)] }
}
