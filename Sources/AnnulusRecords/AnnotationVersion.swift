import Foundation

/// The state an annotation version records.
public enum AnnotationStatus: String, Sendable, Codable, CaseIterable {
    /// Editable work in progress.
    case draft
    /// Signed off: frozen; a later amendment creates a new draft version.
    case signed
    /// Withdrawn with a reason: nothing more can be appended.
    case retracted
}

/// One immutable row of `annotation_versions`: an annotation as it stood after one change.
public struct AnnotationVersion: Sendable, Equatable, Codable {
    /// The annotation's id: a lowercase UUID shared by all its versions.
    public var annotationID: String
    /// 1, 2, 3, … without gaps.
    public var version: Int
    /// Study Instance UID the annotation belongs to.
    public var studyUID: String
    /// Series Instance UID, when the annotation is anchored to a series.
    public var seriesUID: String?
    /// SOP Instance UID, when the annotation is anchored to an instance.
    public var sopInstanceUID: String?
    /// Frame number (1-based, as DICOM's Referenced Frame Number), when anchored to one frame.
    public var frame: Int?
    /// Disc level (e.g. "L4-L5"), as the caller's vocabulary spells it.
    public var level: String
    /// Kind of finding, as the caller's vocabulary spells it.
    public var findingKind: String
    /// The finding itself: UTF-8 JSON owned by the caller, stored verbatim.
    public var payload: Data
    /// Draft, signed or retracted.
    public var status: AnnotationStatus
    /// Who wrote this version (for a signed version, the signer).
    public var author: String
    /// Why this version was written, when given (always present for a retraction).
    public var reason: String?
    /// When this version was written: ISO 8601 UTC with milliseconds, e.g. "2026-03-08T12:03:07.125Z" (text
    /// sorts chronologically).
    public var createdAt: String
    /// Who signed, for a signed version.
    public var signedBy: String?
    /// When it was signed (same format as `createdAt`), for a signed version.
    public var signedAt: String?

    /// Creates a version value (the store creates the stored ones).
    public init(
        annotationID: String, version: Int, studyUID: String, seriesUID: String?, sopInstanceUID: String?,
        frame: Int?, level: String, findingKind: String, payload: Data, status: AnnotationStatus, author: String,
        reason: String?, createdAt: String, signedBy: String?, signedAt: String?
    ) {
        self.annotationID = annotationID
        self.version = version
        self.studyUID = studyUID
        self.seriesUID = seriesUID
        self.sopInstanceUID = sopInstanceUID
        self.frame = frame
        self.level = level
        self.findingKind = findingKind
        self.payload = payload
        self.status = status
        self.author = author
        self.reason = reason
        self.createdAt = createdAt
        self.signedBy = signedBy
        self.signedAt = signedAt
    }

    /// True when this version is signed.
    public var isSigned: Bool { status == .signed }
    /// True when this version is a draft.
    public var isDraft: Bool { status == .draft }
    /// True when this version is a retraction.
    public var isRetracted: Bool { status == .retracted }
}

/// What a caller gives to create an annotation (version 1, a draft).
public struct NewAnnotation: Sendable, Equatable {
    /// Study Instance UID (must be indexed).
    public var studyUID: String
    /// Series Instance UID (must belong to the study), when anchored to a series.
    public var seriesUID: String?
    /// SOP Instance UID (must belong to the study and series), when anchored to an instance.
    public var sopInstanceUID: String?
    /// Frame number (1-based, 1…frames), when anchored to one frame; needs `sopInstanceUID`.
    public var frame: Int?
    /// Disc level, as the caller's vocabulary spells it.
    public var level: String
    /// Kind of finding, as the caller's vocabulary spells it.
    public var findingKind: String
    /// UTF-8 JSON, stored verbatim.
    public var payload: Data

    /// Creates the description of a new annotation.
    public init(
        studyUID: String, seriesUID: String? = nil, sopInstanceUID: String? = nil, frame: Int? = nil,
        level: String, findingKind: String, payload: Data
    ) {
        self.studyUID = studyUID
        self.seriesUID = seriesUID
        self.sopInstanceUID = sopInstanceUID
        self.frame = frame
        self.level = level
        self.findingKind = findingKind
        self.payload = payload
    }
}
