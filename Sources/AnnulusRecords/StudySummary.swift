/// One indexed study with its counts, as `annulus studies` lists it.
///
/// `description` and the `Encodable` form leave out the patient ID.
public struct StudySummary: Sendable, Equatable, Encodable, CustomStringConvertible {
    /// Study Instance UID.
    public var studyInstanceUID: String
    /// Accession Number, when known.
    public var accessionNumber: String?
    /// Study Date (DICOM YYYYMMDD), when known.
    public var studyDate: String?
    /// Study Time (DICOM HHMMSS.FFFFFF), when known.
    public var studyTime: String?
    /// Study Description, when known.
    public var studyDescription: String?
    /// Patient ID ("" when absent). Never logged.
    public var patientID: String
    /// The distinct modalities of the study's series, sorted.
    public var modalities: [String]
    /// Number of series.
    public var seriesCount: Int
    /// Number of instances.
    public var instanceCount: Int
    /// Annotations whose latest version is a draft.
    public var draftAnnotations: Int
    /// Annotations whose latest version is signed.
    public var signedAnnotations: Int
    /// Annotations whose latest version is a retraction.
    public var retractedAnnotations: Int
    /// When an instance of the study was last added or replaced (ISO 8601 UTC, milliseconds), nil for a study
    /// without instances.
    public var lastIndexedAt: String?

    /// Creates a summary.
    public init(
        studyInstanceUID: String, accessionNumber: String?, studyDate: String?, studyTime: String?,
        studyDescription: String?, patientID: String, modalities: [String], seriesCount: Int, instanceCount: Int,
        draftAnnotations: Int, signedAnnotations: Int, retractedAnnotations: Int, lastIndexedAt: String?
    ) {
        self.studyInstanceUID = studyInstanceUID
        self.accessionNumber = accessionNumber
        self.studyDate = studyDate
        self.studyTime = studyTime
        self.studyDescription = studyDescription
        self.patientID = patientID
        self.modalities = modalities
        self.seriesCount = seriesCount
        self.instanceCount = instanceCount
        self.draftAnnotations = draftAnnotations
        self.signedAnnotations = signedAnnotations
        self.retractedAnnotations = retractedAnnotations
        self.lastIndexedAt = lastIndexedAt
    }

    /// The encoded fields: all but the patient ID.
    private enum CodingKeys: String, CodingKey {
        case studyInstanceUID, accessionNumber, studyDate, studyTime, studyDescription, modalities, seriesCount
        case instanceCount, draftAnnotations, signedAnnotations, retractedAnnotations, lastIndexedAt
    }

    /// A one-line summary without the patient ID.
    public var description: String {
        "study \(studyInstanceUID), accession \(accessionNumber ?? "-"), date \(studyDate ?? "-"), "
            + "\(modalities.joined(separator: "/")), \(seriesCount) series, \(instanceCount) instances, "
            + "annotations \(draftAnnotations) draft / \(signedAnnotations) signed"
    }
}

/// One indexed series of a study.
public struct SeriesSummary: Sendable, Equatable, Codable {
    /// Series Instance UID.
    public var seriesInstanceUID: String
    /// Study Instance UID.
    public var studyInstanceUID: String
    /// Modality, when known.
    public var modality: String?
    /// Series Number, when known.
    public var seriesNumber: Int?
    /// Series Description, when known.
    public var seriesDescription: String?
    /// Body Part Examined (0018,0015), when known.
    public var bodyPartExamined: String?
    /// Protocol Name (0018,1030), when known.
    public var protocolName: String?
    /// Number of instances.
    public var instanceCount: Int
    /// Total number of frames over the instances.
    public var frameCount: Int

    /// Creates a summary.
    public init(
        seriesInstanceUID: String, studyInstanceUID: String, modality: String?, seriesNumber: Int?,
        seriesDescription: String?, instanceCount: Int, frameCount: Int, bodyPartExamined: String? = nil,
        protocolName: String? = nil
    ) {
        self.seriesInstanceUID = seriesInstanceUID
        self.studyInstanceUID = studyInstanceUID
        self.modality = modality
        self.seriesNumber = seriesNumber
        self.seriesDescription = seriesDescription
        self.instanceCount = instanceCount
        self.frameCount = frameCount
        self.bodyPartExamined = bodyPartExamined
        self.protocolName = protocolName
    }
}
