import Foundation

/// One version of a patient's clinical intake.
public struct IntakeVersion: Sendable, Equatable, Codable {
    /// 1, 2, 3, … without gaps.
    public var version: Int
    /// The intake itself: UTF-8 JSON owned by the caller, stored verbatim.
    public var payload: Data
    /// Who recorded this version.
    public var author: String
    /// Why it changed, when given.
    public var reason: String?
    /// ISO 8601 UTC with milliseconds.
    public var createdAt: String

    /// Creates an intake version (the store creates the stored ones).
    public init(version: Int, payload: Data, author: String, reason: String?, createdAt: String) {
        self.version = version
        self.payload = payload
        self.author = author
        self.reason = reason
        self.createdAt = createdAt
    }
}
