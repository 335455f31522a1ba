import Foundation

/// One version of a study's disc labels: the whole labelled set as it stood after a change, who made the change,
/// when and why. Append-only like annotations: a new set is a new version; nothing is updated or deleted.
public struct DiscLabelVersion: Sendable, Equatable, Codable {
    /// The study (Study Instance UID).
    public var studyUID: String
    /// 1, 2, 3, … without gaps, per study.
    public var version: Int
    /// How the vertebrae were counted (`from-C2`, `from-sacrum`, `unknown`), as the caller's vocabulary spells it.
    public var basis: String
    /// The labelled set: UTF-8 JSON owned by the caller, stored verbatim.
    public var payload: Data
    /// Who recorded this version.
    public var author: String
    /// Why it changed, when given.
    public var reason: String?
    /// ISO 8601 UTC with milliseconds.
    public var createdAt: String

    /// Creates a version (the store creates the stored ones).
    public init(
        studyUID: String, version: Int, basis: String, payload: Data, author: String, reason: String?,
        createdAt: String
    ) {
        self.studyUID = studyUID
        self.version = version
        self.basis = basis
        self.payload = payload
        self.author = author
        self.reason = reason
        self.createdAt = createdAt
    }
}
