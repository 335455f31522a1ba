/// One indexed DICOM instance: the header facts the ingest reads, where the file is, and its content hash.
///
/// `description` leaves out the patient name and ID (and the path, which exports often name after the
/// patient), so a record can be printed or logged safely.
public struct InstanceRecord: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// SOP Instance UID: the unique key of the index.
    public var sopInstanceUID: String
    /// SOP Class UID.
    public var sopClassUID: String
    /// Study Instance UID.
    public var studyInstanceUID: String
    /// Series Instance UID.
    public var seriesInstanceUID: String
    /// Patient ID ("" when absent). Stored, never logged.
    public var patientID: String
    /// Patient's Name ("" when absent). Stored, never logged.
    public var patientName: String
    /// Study Date (DICOM YYYYMMDD), when present.
    public var studyDate: String?
    /// Study Time (DICOM HHMMSS.FFFFFF), when present.
    public var studyTime: String?
    /// Accession Number, when present.
    public var accessionNumber: String?
    /// Study Description, when present.
    public var studyDescription: String?
    /// Modality of the series, when present.
    public var modality: String?
    /// Series Number, when present.
    public var seriesNumber: Int?
    /// Series Description, when present.
    public var seriesDescription: String?
    /// Body Part Examined (0018,0015) of the series, when present.
    public var bodyPartExamined: String?
    /// Protocol Name (0018,1030) of the series, when present.
    public var protocolName: String?
    /// Instance Number, when present.
    public var instanceNumber: Int?
    /// Rows.
    public var rows: Int
    /// Columns.
    public var columns: Int
    /// Number of frames (1 for single-frame images).
    public var frames: Int
    /// Where the file is (as given by the ingest; absolute paths are best).
    public var path: String
    /// File size in bytes.
    public var fileSize: Int64
    /// SHA-256 of the file content, lowercase hexadecimal (64 characters).
    public var contentSHA256: String
    /// ImagePositionPatient (x, y, z) of the instance (first frame of a multi-frame image), when present.
    public var imagePosition: [Double]?
    /// ImageOrientationPatient (row direction then column direction), when present.
    public var imageOrientation: [Double]?
    /// PixelSpacing (row spacing, column spacing) in mm, when present.
    public var pixelSpacing: [Double]?
    /// Per-frame geometry of enhanced multi-frame images (element 0 is frame 1), or nil when every frame shares
    /// the instance geometry above.
    public var perFrameGeometry: [FrameGeometry]?

    /// Where one frame lies in patient space, as the header says (raw DICOM values).
    public struct FrameGeometry: Sendable, Equatable, Codable {
        /// ImagePositionPatient (x, y, z), when present.
        public var imagePosition: [Double]?
        /// ImageOrientationPatient (row direction then column direction), when present.
        public var imageOrientation: [Double]?
        /// PixelSpacing (row spacing, column spacing) in mm, when present.
        public var pixelSpacing: [Double]?

        /// Creates frame geometry.
        public init(imagePosition: [Double]?, imageOrientation: [Double]?, pixelSpacing: [Double]?) {
            self.imagePosition = imagePosition
            self.imageOrientation = imageOrientation
            self.pixelSpacing = pixelSpacing
        }
    }

    /// Creates a record.
    public init(
        sopInstanceUID: String, sopClassUID: String, studyInstanceUID: String, seriesInstanceUID: String,
        patientID: String, patientName: String, studyDate: String?, studyTime: String? = nil,
        accessionNumber: String? = nil, studyDescription: String? = nil, modality: String? = nil,
        seriesNumber: Int? = nil, seriesDescription: String? = nil, instanceNumber: Int? = nil,
        rows: Int, columns: Int, frames: Int = 1, path: String, fileSize: Int64, contentSHA256: String,
        imagePosition: [Double]? = nil, imageOrientation: [Double]? = nil, pixelSpacing: [Double]? = nil,
        perFrameGeometry: [FrameGeometry]? = nil, bodyPartExamined: String? = nil, protocolName: String? = nil
    ) {
        self.sopInstanceUID = sopInstanceUID
        self.sopClassUID = sopClassUID
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.patientID = patientID
        self.patientName = patientName
        self.studyDate = studyDate
        self.studyTime = studyTime
        self.accessionNumber = accessionNumber
        self.studyDescription = studyDescription
        self.modality = modality
        self.seriesNumber = seriesNumber
        self.seriesDescription = seriesDescription
        self.instanceNumber = instanceNumber
        self.rows = rows
        self.columns = columns
        self.frames = frames
        self.path = path
        self.fileSize = fileSize
        self.contentSHA256 = contentSHA256
        self.imagePosition = imagePosition
        self.imageOrientation = imageOrientation
        self.pixelSpacing = pixelSpacing
        self.perFrameGeometry = perFrameGeometry
        self.bodyPartExamined = bodyPartExamined
        self.protocolName = protocolName
    }

    /// The geometry of frame number `frame` (1-based, as DICOM's Referenced Frame Number; DicomIO's 0-based
    /// frame index is `frame - 1`): the per-frame entry when the image has one (missing values fall back to the
    /// instance geometry), else the instance geometry. Nil when `frame` is outside `1...frames`.
    public func frameGeometry(frame: Int) -> FrameGeometry? {
        guard frame >= 1, frame <= max(frames, 1) else { return nil }
        let shared = FrameGeometry(
            imagePosition: imagePosition, imageOrientation: imageOrientation, pixelSpacing: pixelSpacing)
        guard let perFrameGeometry else { return shared }
        guard frame <= perFrameGeometry.count else { return frame == 1 ? shared : nil }
        let own = perFrameGeometry[frame - 1]
        return FrameGeometry(
            imagePosition: own.imagePosition ?? (frame == 1 ? imagePosition : nil),
            imageOrientation: own.imageOrientation ?? imageOrientation,
            pixelSpacing: own.pixelSpacing ?? pixelSpacing)
    }

    /// Checks what the index needs: non-empty SOP, Study and Series Instance UIDs and path, at least one frame,
    /// no negative sizes, and a 64-digit hexadecimal SHA-256. `AnnulusStore.ingest` refuses a whole batch when
    /// one record fails, so an ingest can call this first to set bad files aside.
    public func validate() throws(StoreError) {
        func invalid(_ reason: String) -> StoreError {
            .invalidRecord(sopInstanceUID: sopInstanceUID, reason: reason)
        }
        guard !sopInstanceUID.isEmpty else { throw invalid("the SOP Instance UID is empty") }
        guard !studyInstanceUID.isEmpty else { throw invalid("the Study Instance UID is empty") }
        guard !seriesInstanceUID.isEmpty else { throw invalid("the Series Instance UID is empty") }
        guard !path.isEmpty else { throw invalid("the path is empty") }
        guard frames >= 1 else { throw invalid("the number of frames is \(frames)") }
        guard rows >= 0, columns >= 0 else { throw invalid("negative rows or columns") }
        guard fileSize >= 0 else { throw invalid("negative file size") }
        let hexDigits = Set("0123456789abcdefABCDEF".utf8)
        guard contentSHA256.utf8.count == 64, contentSHA256.utf8.allSatisfy(hexDigits.contains) else {
            throw invalid("the content hash is not 64 hexadecimal digits of SHA-256")
        }
    }

    /// A summary without patient name or ID.
    public var description: String {
        var parts = ["instance \(sopInstanceUID)", "series \(seriesInstanceUID)", "study \(studyInstanceUID)"]
        if let instanceNumber { parts.append("number \(instanceNumber)") }
        parts.append("\(columns)x\(rows)x\(frames)")
        parts.append("sha256 \(contentSHA256.prefix(12))")
        return parts.joined(separator: ", ")
    }

    /// Same as `description`: patient name and ID are never printed.
    public var debugDescription: String { "InstanceRecord(\(description))" }
}
