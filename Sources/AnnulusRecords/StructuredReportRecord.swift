/// One DICOM SR document Annulus made for a study (a findings report or a key-object selection): what a later
/// document supersedes, and what a re-export with unchanged content reuses (same UID, same bytes).
public struct StructuredReportRecord: Sendable, Equatable {
    /// Which document.
    public enum Kind: String, Sendable, CaseIterable {
        /// The findings report (Enhanced SR, TID 1500).
        case report
        /// The key-object selection.
        case keyObjects = "key-objects"
    }

    /// SOP Instance UID.
    public var sopInstanceUID: String
    /// The study.
    public var studyUID: String
    /// Which document.
    public var kind: Kind
    /// Series Instance UID.
    public var seriesUID: String
    /// SOP Class UID.
    public var sopClassUID: String
    /// Instance Number: 1 for a study's first, one more for each that supersedes.
    public var instanceNumber: Int
    /// A digest of the content apart from the identity: equal content, equal digest.
    public var contentDigest: String
    /// Content Date (YYYYMMDD) and Time (HHMMSS) written in it.
    public var contentDate: String
    /// Content Time.
    public var contentTime: String
    /// When the record was made (ISO 8601 UTC).
    public var createdAt: String

    /// Creates a record.
    public init(
        sopInstanceUID: String, studyUID: String, kind: Kind, seriesUID: String, sopClassUID: String,
        instanceNumber: Int, contentDigest: String, contentDate: String, contentTime: String, createdAt: String
    ) {
        self.sopInstanceUID = sopInstanceUID
        self.studyUID = studyUID
        self.kind = kind
        self.seriesUID = seriesUID
        self.sopClassUID = sopClassUID
        self.instanceNumber = instanceNumber
        self.contentDigest = contentDigest
        self.contentDate = contentDate
        self.contentTime = contentTime
        self.createdAt = createdAt
    }
}
