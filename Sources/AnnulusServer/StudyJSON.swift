import AnnulusApp
import AnnulusRecords
import Hummingbird
import Store

/// A study as the API presents it (the summary with the patient ID, which the index search needs).
struct StudyJSON: Encodable, Sendable {
    var studyInstanceUID: String
    var patientID: String
    var accessionNumber: String?
    var studyDate: String?
    var studyTime: String?
    var studyDescription: String?
    var modalities: [String]
    var seriesCount: Int
    var instanceCount: Int
    var draftAnnotations: Int
    var signedAnnotations: Int
    var retractedAnnotations: Int
    var lastIndexedAt: String?

    init(_ study: StudySummary) {
        studyInstanceUID = study.studyInstanceUID
        patientID = study.patientID
        accessionNumber = study.accessionNumber
        studyDate = study.studyDate
        studyTime = study.studyTime
        studyDescription = study.studyDescription
        modalities = study.modalities
        seriesCount = study.seriesCount
        instanceCount = study.instanceCount
        draftAnnotations = study.draftAnnotations
        signedAnnotations = study.signedAnnotations
        retractedAnnotations = study.retractedAnnotations
        lastIndexedAt = study.lastIndexedAt
    }
}

/// One page of studies.
struct StudyPageJSON: ResponseEncodable, Sendable {
    var studies: [StudyJSON]
    var nextCursor: String?
    var total: Int
}

/// An instance's header facts and geometry (never its file path or the patient's name).
struct InstanceJSON: ResponseEncodable, Sendable {
    var sopInstanceUID: String
    var sopClassUID: String
    var seriesInstanceUID: String
    var studyInstanceUID: String
    var instanceNumber: Int?
    var rows: Int
    var columns: Int
    var frames: Int
    var imagePosition: [Double]?
    var imageOrientation: [Double]?
    var pixelSpacing: [Double]?
    var perFrameGeometry: [InstanceRecord.FrameGeometry]?

    init(_ record: InstanceRecord) {
        sopInstanceUID = record.sopInstanceUID
        sopClassUID = record.sopClassUID
        seriesInstanceUID = record.seriesInstanceUID
        studyInstanceUID = record.studyInstanceUID
        instanceNumber = record.instanceNumber
        rows = record.rows
        columns = record.columns
        frames = record.frames
        imagePosition = record.imagePosition
        imageOrientation = record.imageOrientation
        pixelSpacing = record.pixelSpacing
        perFrameGeometry = record.perFrameGeometry
    }
}

/// A series with its instances.
struct SeriesJSON: Encodable, Sendable {
    var seriesInstanceUID: String
    var modality: String?
    var seriesNumber: Int?
    var seriesDescription: String?
    var bodyPartExamined: String?
    var protocolName: String?
    var instanceCount: Int
    var frameCount: Int
    var instances: [InstanceJSON]
    var stacks: [StackJSON]

    init(_ detail: SeriesDetail) {
        let series = detail.series
        seriesInstanceUID = series.seriesInstanceUID
        modality = series.modality
        seriesNumber = series.seriesNumber
        seriesDescription = series.seriesDescription
        bodyPartExamined = series.bodyPartExamined
        protocolName = series.protocolName
        instanceCount = series.instanceCount
        frameCount = series.frameCount
        instances = detail.instances.map(InstanceJSON.init)
        stacks = detail.stacks.map(StackJSON.init)
    }
}

/// One stack of a series: the slices a viewer scrolls, in spatial order.
struct StackJSON: Encodable, Sendable {
    struct SliceJSON: Encodable, Sendable {
        var sopInstanceUID: String
        var frame: Int
        var location: Double?
    }
    var plane: String
    var rowDirection: [Double]?
    var columnDirection: [Double]?
    var spacing: Double?
    var issues: [String]
    var slices: [SliceJSON]

    init(_ stack: StackDetail) {
        plane = stack.plane
        rowDirection = stack.rowDirection
        columnDirection = stack.columnDirection
        spacing = stack.spacing
        issues = stack.issues
        slices = stack.slices.map {
            SliceJSON(sopInstanceUID: $0.sopInstanceUID, frame: $0.frame, location: $0.location)
        }
    }
}

/// One study with its series.
struct StudyDetailJSON: ResponseEncodable, Sendable {
    var study: StudyJSON
    var series: [SeriesJSON]
}
