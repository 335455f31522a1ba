/// One field of a finding kind as the command line and the JSON know it: its name, what it accepts,
/// whether it is required, and a line of help.
public struct FieldSpec: Sendable, Equatable {
    /// What a field accepts.
    public enum Values: Sendable, Equatable {
        /// Exactly one of these words.
        case oneOf([String])
        /// One or more of these words, separated by commas (or `+`).
        case setOf([String])
        /// `yes` or `no` (also `true`/`false`, `y`/`n`, `present`/`absent`).
        case yesNo
        /// A number in `range`, in `unit`; whole numbers only when `wholeNumber`.
        case number(range: ClosedRange<Double>, unit: String?, wholeNumber: Bool)
        /// Free text of at most `maxLength` characters, one line, no control characters.
        case text(maxLength: Int)
    }

    /// The field's name on the command line and in `show` tables (kebab-case: `tear-side`).
    public let name: String
    /// What the field accepts.
    public let values: Values
    /// Whether every finding of the kind must have the field. Fields required only by another field's
    /// value (the side of a foraminal stenosis) are not marked here; their `help` says when.
    public let isRequired: Bool
    /// One line for `--help` and the documentation.
    public let help: String

    /// Creates a field description.
    public init(name: String, values: Values, isRequired: Bool = false, help: String) {
        self.name = name
        self.values = values
        self.isRequired = isRequired
        self.help = help
    }

    /// The field's key in the annotation JSON: the name in lower camel case (`tear-side` → `tearSide`).
    public var jsonKey: String {
        let parts = name.split(separator: "-")
        guard let first = parts.first else { return name }
        return String(first) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
    }

    /// The accepted values, for messages: the words, `yes`/`no`, or a one-element range description.
    public var allowed: [String] {
        switch values {
        case .oneOf(let words), .setOf(let words): words
        case .yesNo: ["yes", "no"]
        case .number: [rangeText]
        case .text(let maxLength): ["text up to \(maxLength) characters"]
        }
    }

    /// The accepted range of a number field, or `nil` for words.
    public var range: ClosedRange<Double>? {
        if case .number(let range, _, _) = values { return range }
        return nil
    }

    /// The unit of a number field (`mm`, `psi`, `mL`, `%`, `°`), or `nil`.
    public var unit: String? {
        if case .number(_, let unit, _) = values { return unit }
        return nil
    }

    /// The range in words, with its unit: `0–10`, `0–100%`, `≥ 0 psi`; for words, the words joined by `|`.
    public var rangeText: String {
        guard case .number(let range, let unit, _) = values else { return allowedShort }
        let bounds =
            range.upperBound.isInfinite
            ? "≥ \(formatNumber(range.lowerBound))"
            : "\(formatNumber(range.lowerBound))–\(formatNumber(range.upperBound))"
        return bounds + FieldSpec.unitSuffix(unit)
    }

    /// A value with the field's unit, as shown in tables: `15 psi`, `40%`.
    func display(_ number: Double) -> String {
        formatNumber(number) + FieldSpec.unitSuffix(unit)
    }

    /// ` mm`, `%`, `°` or nothing.
    static func unitSuffix(_ unit: String?) -> String {
        guard let unit else { return "" }
        return unit == "%" || unit == "°" ? unit : " \(unit)"
    }

    /// The words accepted, for `name=<…>` hints: `concentric|radial|transverse`, `yes|no`, `0–10`.
    var allowedShort: String {
        switch values {
        case .oneOf(let words): words.joined(separator: "|")
        case .setOf(let words): words.joined(separator: ",")
        case .yesNo: "yes|no"
        case .number: rangeText
        case .text(let maxLength): "text (≤ \(maxLength) characters)"
        }
    }

    /// The words of a word field, or none.
    var choices: [String] {
        switch values {
        case .oneOf(let words), .setOf(let words): words
        case .yesNo, .number, .text: []
        }
    }

    /// Whether a number field takes whole numbers only.
    var isWholeNumber: Bool {
        if case .number(_, _, let whole) = values { return whole }
        return false
    }

    /// Whether `typed` names this field: case, separators and the JSON spelling do not matter
    /// (`tear-side`, `tear_side`, `tearSide`).
    func matches(name typed: String) -> Bool {
        typed.lowercased().removingSeparators() == name.removingSeparators()
    }

    /// Checks free text against the field's length: one line, not empty, no control characters (they would
    /// reach terminals, logs and the EHR).
    func check(text: String, of kind: FindingKind) throws(SpineValidationError) {
        guard case .text(let maxLength) = values else { return }
        guard !text.isEmpty, text.count <= maxLength,
            !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { throw .badValue(text, for: self, of: kind, suggestion: nil) }
    }

    /// Checks a number against the field's range and whole-number rule.
    func check(_ number: Double) throws(SpineValidationError) {
        guard case .number(let range, _, let whole) = values else { return }
        guard number.isFinite, range.contains(number) else {
            throw .outOfRange(formatNumber(number), for: self)
        }
        if whole, number != number.rounded() {
            throw .notANumber(formatNumber(number), for: self)
        }
    }
}
