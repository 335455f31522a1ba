/// The `name=value` assignments of one finding, checked against its kind's fields and read as typed values.
///
/// Construction refuses malformed assignments, unknown fields (with a near-miss suggestion) and fields given
/// more than once; the accessors then read each value, refusing values outside the vocabulary or range.
struct FieldReader {
    /// The kind being read.
    let kind: FindingKind
    /// The raw value of each field given, by the field's canonical name.
    private let given: [String: String]

    /// Splits and checks the assignments.
    init(kind: FindingKind, assignments: [String]) throws(SpineValidationError) {
        self.kind = kind
        var values: [String: [String]] = [:]
        var order: [String] = []
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "=") else {
                throw .malformedAssignment(assignment, of: kind)
            }
            let name = String(assignment[..<equals]).trimmedWhitespace()
            let value = String(assignment[assignment.index(after: equals)...]).trimmedWhitespace()
            guard !name.isEmpty else { throw .malformedAssignment(assignment, of: kind) }
            guard let spec = kind.fieldSpecs.first(where: { $0.matches(name: name) }) else {
                throw .unknownField(name, of: kind)
            }
            if values[spec.name] == nil { order.append(spec.name) }
            values[spec.name, default: []].append(value)
        }
        for name in order where values[name]!.count > 1 {
            throw .duplicate(name, values: values[name]!)
        }
        given = values.mapValues { $0[0] }
    }

    /// The description of a field of this kind.
    func spec(_ name: String) -> FieldSpec {
        guard let spec = kind.fieldSpecs.first(where: { $0.name == name }) else {
            preconditionFailure("\(kind.rawValue) has no field spec named \(name)")
        }
        return spec
    }

    /// The value as typed, if the field was given.
    func raw(_ name: String) -> String? { given[name] }

    /// The error for a field that must be given but was not.
    func missing(_ name: String, because reason: String? = nil, allowed: [String]? = nil) -> SpineValidationError {
        .missing(spec(name), of: kind, because: reason, allowed: allowed)
    }

    /// One word of the field's vocabulary, or `nil` when the field was not given.
    func term<T: VocabularyTerm>(_ name: String, as type: T.Type = T.self) throws(SpineValidationError) -> T? {
        guard let value = given[name] else { return nil }
        return try Self.parseTerm(value, spec: spec(name), kind: kind)
    }

    /// One word of the field's vocabulary; the field must be given.
    func requiredTerm<T: VocabularyTerm>(_ name: String, as type: T.Type = T.self) throws(SpineValidationError) -> T {
        guard let value: T = try term(name) else { throw missing(name) }
        return value
    }

    /// The items of a list field (separated by commas or `+`), or `nil` when the field was not given.
    func listItems(_ name: String) throws(SpineValidationError) -> [String]? {
        guard let value = given[name] else { return nil }
        let items = value.split(whereSeparator: { $0 == "," || $0 == "+" }).map { String($0).trimmedWhitespace() }
            .filter { !$0.isEmpty }
        guard !items.isEmpty else { throw .badValue(value, for: spec(name), of: kind, suggestion: nil) }
        return items
    }

    /// Several words of the field's vocabulary, in the order given without repeats; `nil` when the field
    /// was not given.
    func terms<T: VocabularyTerm>(_ name: String, as type: T.Type = T.self) throws(SpineValidationError) -> [T]? {
        guard let items = try listItems(name) else { return nil }
        var result: [T] = []
        for item in items {
            let parsed: T = try parse(item, field: name)
            if !result.contains(parsed) { result.append(parsed) }
        }
        return result
    }

    /// One word of `field`'s vocabulary, read from `text` (an item of a list, or a whole value).
    func parse<T: VocabularyTerm>(_ text: String, field: String, as type: T.Type = T.self) throws(SpineValidationError)
        -> T
    {
        try Self.parseTerm(text, spec: spec(field), kind: kind)
    }

    /// A yes/no answer, or `nil` when the field was not given.
    /// Whether the field was given at all.
    func has(_ name: String) -> Bool { given[name] != nil }

    func flag(_ name: String) throws(SpineValidationError) -> Bool? {
        guard let value = given[name] else { return nil }
        guard let answer = YesNo.spellings[value.normalizedTerm()] else {
            let suggestion = NearMiss.suggest(value, among: ["yes", "no", "true", "false", "present", "absent"])
            throw .badValue(value, for: spec(name), of: kind, suggestion: suggestion)
        }
        return answer
    }

    /// A yes/no answer; the field must be given.
    func requiredFlag(_ name: String) throws(SpineValidationError) -> Bool {
        guard let value = try flag(name) else { throw missing(name) }
        return value
    }

    /// A number within the field's range, or `nil` when the field was not given. The field's unit may follow
    /// the number (`4mm`, `40%`, `2.5 mL`).
    func number(_ name: String) throws(SpineValidationError) -> Double? {
        guard let value = given[name] else { return nil }
        let spec = spec(name)
        var text = value.lowercased().trimmedWhitespace()
        for suffix in Self.unitSpellings(spec.unit) where text.hasSuffix(suffix) {
            text = String(text.dropLast(suffix.count)).trimmedWhitespace()
            break
        }
        let plain =
            !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "." || $0 == "-" || $0 == "+") }
        guard plain, let number = Double(text), number.isFinite else { throw .notANumber(value, for: spec) }
        guard spec.range?.contains(number) ?? true else { throw .outOfRange(value, for: spec) }
        try spec.check(number)
        return number
    }

    /// One line of free text within the field's length, or `nil` when the field was not given
    /// (`FieldSpec.check(text:of:)`).
    func text(_ name: String) throws(SpineValidationError) -> String? {
        guard let value = given[name] else { return nil }
        try spec(name).check(text: value, of: kind)
        return value
    }

    /// A number within the field's range; the field must be given.
    func requiredNumber(_ name: String) throws(SpineValidationError) -> Double {
        guard let value = try number(name) else { throw missing(name) }
        return value
    }

    /// A word of `T`, with near-miss suggestions and out-of-range reports for graded scales.
    static func parseTerm<T: VocabularyTerm>(
        _ value: String, spec: FieldSpec, kind: FindingKind
    ) throws(SpineValidationError) -> T {
        if let hit = T.matching(value) { return hit }
        if let scale = T.scale, let number = T.gradeNumber(value), !scale.range.contains(number) {
            throw .outOfRange(value, for: spec, scale: scale.text)
        }
        let suggestion = NearMiss.suggest(value, among: T.terms + T.aliases.keys.sorted())
        throw .badValue(value, for: spec, of: kind, suggestion: suggestion)
    }

    /// How a unit may be written after a number, longest first.
    private static func unitSpellings(_ unit: String?) -> [String] {
        switch unit {
        case "mm": ["mm"]
        case "psi": ["psi"]
        case "mL": ["ml", "cc"]
        case "%": ["percent", "%"]
        case "°": ["degrees", "degree", "deg", "°"]
        default: []
        }
    }
}
