import TextSafety

/// The grammar of account names: 1–64 ASCII letters, digits, `.`, `_`, `-` or `@`, starting with a letter or a
/// digit; stored lower-case, unique ignoring case. `anonymous` is reserved (the audit trail's actor for requests
/// without credentials).
public enum AccountName {
    /// The longest name, in characters.
    public static let maximumLength = 64

    /// Names no account may take.
    public static let reserved: Set<String> = ["anonymous"]

    /// `text` lower-cased when it is a valid name; otherwise `AccountError.invalidName` or `.reservedName`.
    public static func normalized(_ text: String) throws(AccountError) -> String {
        guard !text.isEmpty else { throw AccountError.invalidName(given: text, reason: "it is empty") }
        guard text.unicodeScalars.count <= maximumLength else {
            throw AccountError.invalidName(given: text, reason: "it is longer than \(maximumLength) characters")
        }
        for scalar in text.unicodeScalars where !isAllowed(scalar) {
            throw AccountError.invalidName(
                given: text, reason: "'\(String(scalar).terminalSafeScalar)' is not allowed in a name")
        }
        guard let first = text.unicodeScalars.first, isAlphanumeric(first) else {
            throw AccountError.invalidName(given: text, reason: "it must start with a letter or a digit")
        }
        let name = text.lowercased()
        guard !reserved.contains(name) else { throw AccountError.reservedName(name) }
        return name
    }

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    private static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        isAlphanumeric(scalar) || scalar == "." || scalar == "_" || scalar == "-" || scalar == "@"
    }
}

extension String {
    fileprivate var terminalSafeScalar: String { TerminalText.escaped(self) }
}
