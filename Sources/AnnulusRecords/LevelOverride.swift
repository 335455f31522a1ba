import Foundation

/// A clinician's explicit acceptance of a finding at a level the study does not seem to show (the headers name
/// another region, or the finding's mark sits where the level cannot be): who, when, why, and what the evidence
/// said then. Kept with the annotation version written with it, and in force for the annotation while its level
/// stays the same.
public struct LevelOverride: Sendable, Equatable, Codable {
    /// The annotation.
    public var annotationID: String
    /// The version written with the override.
    public var version: Int
    /// The level accepted (as the caller's vocabulary spells it).
    public var level: String
    /// Why the level is right all the same.
    public var reason: String
    /// What the evidence said when the override was given, for people.
    public var evidence: String
    /// Who gave it.
    public var author: String
    /// When (ISO 8601 UTC with milliseconds).
    public var createdAt: String

    /// Creates an override record (the store creates the stored ones).
    public init(
        annotationID: String, version: Int, level: String, reason: String, evidence: String, author: String,
        createdAt: String
    ) {
        self.annotationID = annotationID
        self.version = version
        self.level = level
        self.reason = reason
        self.evidence = evidence
        self.author = author
        self.createdAt = createdAt
    }
}

/// What a caller gives with a version written at a level the study does not seem to show.
public struct NewLevelOverride: Sendable, Equatable {
    /// Why the level is right all the same (trimmed, not blank).
    public var reason: String
    /// What the evidence says, for people.
    public var evidence: String

    /// Creates an override, or nil when the reason is blank.
    public init?(reason: String, evidence: String) {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reason.isEmpty else { return nil }
        self.reason = reason
        self.evidence = evidence
    }
}
