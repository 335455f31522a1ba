import AnnulusRecords
import SpineModel

/// One annotation version as the faces show it in JSON (`annotate … --json`; the API's annotation resource): the
/// stored version, its finding read from the payload and the level check's warning.
public struct AnnotationView: Sendable, Encodable, Equatable {
    /// The annotation's id.
    public var id: String
    /// The version number.
    public var version: Int
    /// draft, signed or retracted.
    public var status: String
    /// The study.
    public var studyUID: String
    /// The disc level.
    public var level: String
    /// The finding kind.
    public var findingKind: String
    /// Who wrote this version.
    public var author: String
    /// Why, when given.
    public var reason: String?
    /// When.
    public var createdAt: String
    /// Who signed, for a signed version.
    public var signedBy: String?
    /// When it was signed.
    public var signedAt: String?
    /// The finding, when the payload can be read.
    public var annotation: LevelAnnotation?
    /// The level check's warning, when the level disagrees with the study.
    public var levelWarning: LevelWarning?

    /// The view of `version` with `warning`.
    public init(_ version: AnnotationVersion, warning: LevelWarning? = nil) {
        id = version.annotationID
        self.version = version.version
        status = version.status.rawValue
        studyUID = version.studyUID
        level = version.level
        findingKind = version.findingKind
        author = version.author
        reason = version.reason
        createdAt = version.createdAt
        signedBy = version.signedBy
        signedAt = version.signedAt
        annotation = try? LevelAnnotation.decode(version.payload)
        levelWarning = warning
    }
}

/// An annotation version with the level check's warning for it.
public struct AnnotationItem: Sendable, Equatable {
    /// The version (the latest, when listed).
    public var version: AnnotationVersion
    /// The warning, when its level disagrees with the study.
    public var warning: LevelWarning?

    /// Creates an item.
    public init(version: AnnotationVersion, warning: LevelWarning?) {
        self.version = version
        self.warning = warning
    }
}
