import AnnulusRecords

/// What the level check found for one finding: why its level disagrees with the study, and the override accepted
/// for it when one was recorded (docs/annotations.md, "The level must agree with the study").
public struct LevelWarning: Sendable, Encodable, Equatable {
    /// Why the level disagrees with the study (the recorded evidence when an override exists).
    public var problem: String
    /// The override, when one was recorded.
    public var override: Override?

    /// A recorded override: why, who, when and with which version.
    public struct Override: Sendable, Encodable, Equatable {
        /// Why the level is right all the same.
        public var reason: String
        /// Who accepted it.
        public var author: String
        /// When.
        public var at: String
        /// The version written with it.
        public var version: Int
    }

    /// The warning for a version just written with `override` (nil without one).
    init?(recorded override: NewLevelOverride?, in version: AnnotationVersion) {
        guard let override else { return nil }
        problem = override.evidence
        self.override = Override(
            reason: override.reason, author: version.author, at: version.createdAt, version: version.version)
    }

    /// Creates a warning.
    public init(problem: String, override: Override?) {
        self.problem = problem
        self.override = override
    }
}
