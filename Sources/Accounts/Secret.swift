import Crypto
import Foundation
import TextSafety

/// 32 random bytes from the system's CSPRNG, written as base64url without padding (43 characters), and their
/// SHA-256: what API tokens and session cookies are made of. Only the hash is ever stored.
public struct Secret: Sendable, Equatable {
    /// The number of random bytes.
    public static let byteCount = 32
    /// The length of the base64url text.
    public static let textLength = 43

    /// The random bytes.
    let bytes: [UInt8]

    /// A new secret from the system's cryptographically secure generator.
    public static func generate() -> Secret {
        var generator = SystemRandomNumberGenerator()
        return Secret(bytes: (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The secret written as `text` (base64url, no padding), or nil when it is not exactly that.
    public init?(text: Substring) {
        guard text.utf8.count == Self.textLength, let data = Base64URL.decode(text), data.count == Self.byteCount
        else { return nil }
        let decoded = [UInt8](data)
        // Only the canonical spelling is accepted (the last character's unused bits are zero).
        guard Base64URL.encode(decoded) == String(text) else { return nil }
        bytes = decoded
    }

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// The base64url text (43 characters).
    public var text: String { Base64URL.encode(bytes) }

    /// SHA-256 of the bytes, lower-case hex: what the store keeps.
    public var sha256: String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    /// Compares two strings in time that depends only on their lengths (for anti-CSRF tokens).
    public static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }
}

/// The text form of API tokens: `ann_` followed by a `Secret` (47 characters in all).
public enum APITokenText {
    /// The prefix that makes tokens recognisable (secret scanners, logs).
    public static let prefix = "ann_"

    /// The token text for `secret`.
    public static func format(_ secret: Secret) -> String { prefix + secret.text }

    /// The secret in a presented token, or nil when the text is not a well-formed token.
    public static func parse(_ text: String) -> Secret? {
        guard text.hasPrefix(prefix) else { return nil }
        return Secret(text: text.dropFirst(prefix.count))
    }
}
