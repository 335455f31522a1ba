import Foundation

/// A password in memory, kept out of logs and messages: it prints as `<password>`, never as its text.
///
/// The text is normalised to Unicode NFC, so the same password typed on systems that compose accents differently
/// hashes the same.
public struct Password: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The NFC-normalised text; read it only to hash or verify.
    let text: String

    /// Wraps `text` (normalised to NFC).
    public init(_ text: String) { self.text = text.precomposedStringWithCanonicalMapping }

    /// The length of the UTF-8 text in bytes (what bcrypt reads).
    public var byteCount: Int { text.utf8.count }

    /// Whether `other` is the same password (compared in time that depends only on the lengths).
    public func matches(_ other: Password) -> Bool { Secret.constantTimeEquals(text, other.text) }

    /// `<password>`: never the text.
    public var description: String { "<password>" }

    /// `<password>`: never the text.
    public var debugDescription: String { "<password>" }
}

/// The password rules: at least 12 characters, at most 72 bytes of UTF-8 (bcrypt reads no further, so a longer
/// password is refused rather than silently truncated), no control characters (a NUL would end the text bcrypt
/// sees), and not the account name.
public enum PasswordPolicy {
    /// The fewest characters accepted.
    public static let minimumCharacters = 12
    /// The most bytes accepted (bcrypt's limit).
    public static let maximumBytes = 72

    /// Checks `password` for `accountName`; throws `AccountError.weakPassword` naming the rule broken.
    public static func check(_ password: Password, accountName: String) throws(AccountError) {
        let characters = password.text.count
        guard characters >= minimumCharacters else {
            throw AccountError.weakPassword(
                reason: "is too short (\(characters) characters): use at least \(minimumCharacters), for example a"
                    + " few unrelated words")
        }
        guard password.byteCount <= maximumBytes else {
            throw AccountError.weakPassword(
                reason: "is too long (\(password.byteCount) bytes of UTF-8): bcrypt reads only the first"
                    + " \(maximumBytes), so use at most \(maximumBytes) bytes")
        }
        guard !password.text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw AccountError.weakPassword(reason: "contains a control character (a tab, a NUL, …): leave them out")
        }
        guard password.text.lowercased() != accountName.lowercased() else {
            throw AccountError.weakPassword(reason: "is the account name: choose something else")
        }
    }
}
