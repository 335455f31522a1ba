/// The wording of every validation message, in one place so that all of them read alike.
extension SpineValidationError {
    /// "; did you mean X? rest" or "; rest".
    private static func hint(_ suggestion: String?, _ rest: String) -> String {
        suggestion.map { "; did you mean \($0)? \(rest)" } ?? "; \(rest)"
    }

    static func unknownKind(_ text: String) -> SpineValidationError {
        let kinds = FindingKind.allCases.map(\.rawValue)
        let suggestion = NearMiss.suggest(text, among: kinds)
        return SpineValidationError(
            problem: .unknownKind, field: "kind", value: text, allowed: kinds, suggestion: suggestion,
            message: "unknown finding kind \"\(text)\"" + hint(suggestion, "kinds: \(kinds.joined(separator: ", "))")
        )
    }

    static func unknownField(_ name: String, of kind: FindingKind) -> SpineValidationError {
        let names = kind.fieldSpecs.map(\.name)
        let suggestion = NearMiss.suggest(name, among: names)
        return SpineValidationError(
            problem: .unknownField, field: name, value: nil, allowed: names, suggestion: suggestion,
            message: "\(kind.rawValue) has no field \"\(name)\""
                + hint(suggestion, "fields of \(kind.rawValue): \(names.joined(separator: ", "))")
        )
    }

    static func badValue(
        _ value: String, for spec: FieldSpec, of kind: FindingKind, suggestion: String?
    ) -> SpineValidationError {
        let what =
            value.isEmpty
            ? "\(spec.name) has no value" : "\"\(value)\" is not a valid \(spec.name) for \(kind.rawValue)"
        return SpineValidationError(
            problem: .badValue, field: spec.name, value: value, allowed: spec.allowed, suggestion: suggestion,
            message: what + hint(suggestion, "allowed: \(spec.allowed.joined(separator: ", "))")
        )
    }

    static func notANumber(_ value: String, for spec: FieldSpec) -> SpineValidationError {
        let number = spec.isWholeNumber ? "a whole number" : "a number"
        return SpineValidationError(
            problem: .badValue, field: spec.name, value: value, allowed: spec.allowed,
            message: "\(spec.name) must be \(number) \(spec.rangeText), got \"\(value)\""
        )
    }

    static func outOfRange(_ value: String, for spec: FieldSpec, scale: String? = nil) -> SpineValidationError {
        SpineValidationError(
            problem: .outOfRange, field: spec.name, value: value, allowed: spec.allowed,
            message: "\(spec.name) is \(scale ?? spec.rangeText), got \(value)"
        )
    }

    static func missing(
        _ spec: FieldSpec, of kind: FindingKind, because reason: String? = nil, allowed: [String]? = nil
    ) -> SpineValidationError {
        let why = reason.map { " (\($0))" } ?? ""
        let values = allowed.map { $0.joined(separator: "|") } ?? spec.allowedShort
        return SpineValidationError(
            problem: .missingField, field: spec.name, value: nil, allowed: allowed ?? spec.allowed,
            message: "\(kind.rawValue) needs \(spec.name)\(why): add \(spec.name)=<\(values)>"
        )
    }

    static func duplicate(_ name: String, values: [String]) -> SpineValidationError {
        let given = values.map { "\(name)=\($0)" }.joined(separator: ", ")
        return SpineValidationError(
            problem: .duplicateField, field: name, value: values.last,
            message: "\(name) is given \(values.count == 2 ? "twice" : "\(values.count) times") (\(given)); "
                + "give each field once"
        )
    }

    static func malformedAssignment(_ text: String, of kind: FindingKind) -> SpineValidationError {
        let bare = text.trimmedWhitespace()
        if let spec = kind.fieldSpecs.first(where: { $0.matches(name: bare) }) {
            return SpineValidationError(
                problem: .malformedAssignment, field: spec.name, value: nil, allowed: spec.allowed,
                message: "\"\(bare)\" has no value: write \(spec.name)=<\(spec.allowedShort)>"
            )
        }
        // A bare value that belongs to exactly one field: suggest the assignment.
        let owners = kind.fieldSpecs.filter { $0.choices.contains(bare.normalizedTerm()) }
        let suggestion = owners.count == 1 ? "\(owners[0].name)=\(bare.normalizedTerm())" : nil
        let example = suggestion ?? kind.exampleAssignment
        return SpineValidationError(
            problem: .malformedAssignment, field: nil, value: text, suggestion: suggestion,
            message: "\"\(text)\" is not a field assignment" + hint(suggestion, "write name=value, e.g. \(example)")
        )
    }

    static func conflict(_ field: String, value: String?, _ explanation: String) -> SpineValidationError {
        SpineValidationError(problem: .conflict, field: field, value: value, message: explanation)
    }
}
