import SpineModel

/// A research label turned into an Annulus finding at a disc level, with where it came from.
///
/// The finding was built by `Finding.parse(kind:assignments:)`, so it passed the same validation as a
/// clinician's entry. Nothing is stored: the caller decides which study in the store `studyKey` names.
public struct ImportedFinding: Sendable, Equatable {
    /// The dataset.
    public var source: ResearchSource
    /// The rows the label was read from: for RSNA the coordinate row and the `train.csv` row that holds the
    /// severity (only the latter for a severity without a coordinate); for SPIDER the gradings row.
    public var sourceRows: [SourceRow]
    /// The study: the RSNA `study_id`, or the SPIDER `Patient` number, as text.
    public var studyKey: String
    /// The RSNA `series_id` the point lies on; `nil` for SPIDER and for RSNA severities without a coordinate.
    public var seriesKey: String?
    /// The RSNA `instance_number` (the image within the series); `nil` when there is no anchor.
    public var instanceNumber: Int?
    /// The RSNA `x`, `y` pixel coordinates on that image; `nil` when there is no anchor.
    public var point: PixelPoint?
    /// The disc level.
    public var level: DiscLevel
    /// The finding, validated as a clinician's entry is.
    public var finding: Finding
    /// What the dataset said, in its own words: `RSNA 2024: Left Neural Foraminal Narrowing, Moderate`.
    public var note: String

    /// Creates an imported finding.
    public init(
        source: ResearchSource,
        sourceRows: [SourceRow],
        studyKey: String,
        seriesKey: String? = nil,
        instanceNumber: Int? = nil,
        point: PixelPoint? = nil,
        level: DiscLevel,
        finding: Finding,
        note: String
    ) {
        self.source = source
        self.sourceRows = sourceRows
        self.studyKey = studyKey
        self.seriesKey = seriesKey
        self.instanceNumber = instanceNumber
        self.point = point
        self.level = level
        self.finding = finding
        self.note = note
    }
}
