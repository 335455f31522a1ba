/// A closed set of words for one field, each with one canonical spelling and, optionally, other spellings
/// accepted on input.
protocol VocabularyTerm: CaseIterable, Hashable, Sendable {
    /// The canonical spelling: written to JSON (for string-valued terms), shown in tables and messages.
    var term: String { get }
    /// Other accepted spellings, already normalised (`normalizedTerm()`), mapped to their term.
    static var aliases: [String: Self] { get }
    /// For graded scales: the numbers the scale covers and how to say so (`I–V (1–5)`), so that a grade
    /// outside the scale is reported as out of range rather than as a misspelling.
    static var scale: (range: ClosedRange<Int>, text: String)? { get }
}

extension VocabularyTerm {
    static var aliases: [String: Self] { [:] }
    static var scale: (range: ClosedRange<Int>, text: String)? { nil }

    /// The canonical spellings, in declaration order.
    static var terms: [String] { allCases.map(\.term) }

    /// The term `text` spells, if any (case, surrounding spaces and `_`/space versus `-` do not matter).
    static func matching(_ text: String) -> Self? {
        let key = text.normalizedTerm()
        if let hit = allCases.first(where: { $0.term.lowercased() == key }) { return hit }
        return aliases[key]
    }

    /// The number a graded value stands for (`3`, `III`), if it is written as one.
    static func gradeNumber(_ text: String) -> Int? {
        let key = text.normalizedTerm()
        if let number = Int(key) { return number }
        let roman = ["i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x"]
        return roman.firstIndex(of: key).map { $0 + 1 }
    }
}

extension VocabularyTerm where Self: RawRepresentable, RawValue == String {
    var term: String { rawValue }
}

/// Reads `yes`/`no` answers.
enum YesNo {
    /// The accepted spellings of yes and no.
    static let spellings: [String: Bool] = [
        "yes": true, "y": true, "true": true, "present": true,
        "no": false, "n": false, "false": false, "absent": false, "none": false,
    ]

    /// `yes` or `no`.
    static func word(_ value: Bool) -> String { value ? "yes" : "no" }
}
