import TextSafety

/// A refused intake value: which field, what was given, what is allowed and, for a near miss, a suggestion.
public struct IntakeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The field (`back-pain`, `odi`) or the text given when the field itself is not known.
    public var field: String
    /// The value given, if any.
    public var value: String?
    /// What is wrong and what to do instead.
    public var message: String
    /// The allowed words, when the field takes a closed set.
    public var allowed: [String]
    /// The closest allowed word, when the value looks like a typo.
    public var suggestion: String?

    /// Creates an error.
    public init(field: String, value: String? = nil, message: String, allowed: [String] = [], suggestion: String? = nil)
    {
        self.field = field
        self.value = value
        self.message = message
        self.allowed = allowed
        self.suggestion = suggestion
    }

    /// One line: the field and value, the message, the suggestion and the allowed values. The field and value
    /// are given by a user or read from a file: their control characters are escaped for the terminal.
    public var description: String {
        var text = value.map { "\(field.terminalSafe)=\($0.terminalSafe): " } ?? "\(field.terminalSafe): "
        text += message.terminalSafe
        if let suggestion { text += "; did you mean \(suggestion.terminalSafe)?" }
        if !allowed.isEmpty { text += " (allowed: \(allowed.joined(separator: ", ")))" }
        return text
    }
}
