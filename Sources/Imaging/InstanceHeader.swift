import DicomIO

/// The header facts of one instance that grouping and slice geometry need, read header-only.
public struct InstanceHeader: Sendable, Equatable {
    /// The file.
    public var path: String
    /// Patient ID ("" when absent).
    public var patientID: String
    /// Study Instance UID ("" when absent).
    public var studyInstanceUID: String
    /// Study Date (YYYYMMDD) when present.
    public var studyDate: String?
    /// Accession Number when present.
    public var accessionNumber: String?
    /// Study Description when present.
    public var studyDescription: String?
    /// Series Instance UID ("" when absent).
    public var seriesInstanceUID: String
    /// Series Number when present.
    public var seriesNumber: Int?
    /// Series Description when present.
    public var seriesDescription: String?
    /// Modality when present.
    public var modality: String?
    /// SOP Instance UID ("" when absent).
    public var sopInstanceUID: String
    /// Instance Number when present.
    public var instanceNumber: Int?
    /// Echo Numbers (first value) when present.
    public var echoNumber: Int?
    /// Acquisition Number when present.
    public var acquisitionNumber: Int?
    /// Number of frames (1 for single-frame images).
    public var frames: Int
    /// Per-frame geometry: one entry per frame (Enhanced MR functional groups), or one for classic images.
    public var frameGeometry: [FrameGeometry]

    /// Where one frame lies in patient space, when the header says.
    public struct FrameGeometry: Sendable, Equatable {
        /// ImagePositionPatient of the frame.
        public var position: Vector3?
        /// ImageOrientationPatient: row direction then column direction.
        public var orientation: (row: Vector3, column: Vector3)?
        /// PixelSpacing (row spacing, column spacing) in mm.
        public var pixelSpacing: (row: Double, column: Double)?

        /// Creates frame geometry.
        public init(
            position: Vector3?, orientation: (row: Vector3, column: Vector3)?,
            pixelSpacing: (row: Double, column: Double)?
        ) {
            self.position = position
            self.orientation = orientation
            self.pixelSpacing = pixelSpacing
        }

        /// Equal when every present value is equal.
        public static func == (lhs: FrameGeometry, rhs: FrameGeometry) -> Bool {
            lhs.position == rhs.position && lhs.orientation?.row == rhs.orientation?.row
                && lhs.orientation?.column == rhs.orientation?.column
                && lhs.pixelSpacing?.row == rhs.pixelSpacing?.row
                && lhs.pixelSpacing?.column == rhs.pixelSpacing?.column
        }
    }

    /// Creates the facts from values already read (the store's index holds them): what organizing a study into
    /// stacks needs without opening its files.
    public init(
        path: String, patientID: String, studyInstanceUID: String, studyDate: String?, accessionNumber: String?,
        studyDescription: String?, seriesInstanceUID: String, seriesNumber: Int?, seriesDescription: String?,
        modality: String?, sopInstanceUID: String, instanceNumber: Int?, echoNumber: Int?, acquisitionNumber: Int?,
        frames: Int, frameGeometry: [FrameGeometry]
    ) {
        self.path = path
        self.patientID = patientID
        self.studyInstanceUID = studyInstanceUID
        self.studyDate = studyDate
        self.accessionNumber = accessionNumber
        self.studyDescription = studyDescription
        self.seriesInstanceUID = seriesInstanceUID
        self.seriesNumber = seriesNumber
        self.seriesDescription = seriesDescription
        self.modality = modality
        self.sopInstanceUID = sopInstanceUID
        self.instanceNumber = instanceNumber
        self.echoNumber = echoNumber
        self.acquisitionNumber = acquisitionNumber
        self.frames = frames
        self.frameGeometry = frameGeometry
    }

    /// Reads the facts from an open file (header-only is enough).
    public init(file: DicomFile) {
        let data = file.dataset
        path = file.path
        patientID = data.string(.patientID) ?? ""
        studyInstanceUID = data.string(.studyInstanceUID) ?? ""
        studyDate = data.string(.studyDate)
        accessionNumber = data.string(.accessionNumber)
        studyDescription = data.string(DicomTag(0x0008, 0x1030))
        seriesInstanceUID = data.string(.seriesInstanceUID) ?? ""
        seriesNumber = data.int(.seriesNumber)
        seriesDescription = data.string(.seriesDescription)
        modality = data.string(.modality)
        sopInstanceUID = data.string(.sopInstanceUID) ?? ""
        instanceNumber = data.int(.instanceNumber)
        echoNumber = data.int(DicomTag(0x0018, 0x0086))
        acquisitionNumber = data.int(DicomTag(0x0020, 0x0012))
        frames = max(1, data.int(.numberOfFrames) ?? 1)
        let shared = data.sequence(.sharedFunctionalGroupsSequence).first
        let perFrame = data.sequence(.perFrameFunctionalGroupsSequence)
        if !perFrame.isEmpty {
            // Some files carry more per-frame items than frames (pydicom's liver_1frame): frames are what exist.
            frameGeometry = perFrame.prefix(frames).map { item in
                func lookup(_ sequence: DicomTag) -> DicomDataset? {
                    item.sequence(sequence).first ?? shared?.sequence(sequence).first
                }
                return FrameGeometry(
                    position: Self.vector(lookup(.planePositionSequence)?.doubles(.imagePositionPatient)),
                    orientation: Self.orientation(lookup(.planeOrientationSequence)?.doubles(.imageOrientationPatient)),
                    pixelSpacing: Self.spacing(lookup(.pixelMeasuresSequence)?.doubles(.pixelSpacing)))
            }
        } else {
            frameGeometry = [
                FrameGeometry(
                    position: Self.vector(data.doubles(.imagePositionPatient)),
                    orientation: Self.orientation(data.doubles(.imageOrientationPatient)),
                    pixelSpacing: Self.spacing(data.doubles(.pixelSpacing)))
            ]
        }
    }

    /// A vector from exactly three values.
    public static func vector(_ values: [Double]?) -> Vector3? {
        guard let values, values.count == 3 else { return nil }
        return Vector3(values[0], values[1], values[2])
    }

    /// Row and column directions (normalized) from six values; nil when either is degenerate.
    public static func orientation(_ values: [Double]?) -> (row: Vector3, column: Vector3)? {
        guard let values, values.count == 6 else { return nil }
        let row = Vector3(values[0], values[1], values[2])
        let column = Vector3(values[3], values[4], values[5])
        guard row.length > 0.5, column.length > 0.5 else { return nil }
        return (row.normalized, column.normalized)
    }

    /// Row and column spacing from two positive values.
    public static func spacing(_ values: [Double]?) -> (row: Double, column: Double)? {
        guard let values, values.count == 2, values[0] > 0, values[1] > 0 else { return nil }
        return (values[0], values[1])
    }
}
