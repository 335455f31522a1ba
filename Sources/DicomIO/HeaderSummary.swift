/// What `annulus inspect` reports for one file: identifiers and image parameters read from the
/// header only (pixel values are never read), or the error that stopped the read.
///
/// The JSON field names are a stable interface documented in docs/cli.md. Every field is always
/// present; unknown values are `null`.
public struct HeaderSummary: Sendable, Equatable, Encodable {
    /// Whether the file could be used.
    public enum Status: String, Sendable, Codable {
        /// The header was read and the pixel data, if any, is decodable here.
        case ok
        /// The file cannot be read, or its pixel data cannot be decoded here (see `reason`).
        case failed
    }

    /// The path as given or found while walking a folder.
    public var path: String
    /// `ok` or `failed`.
    public var status: Status
    /// The failure class for `failed` files.
    public var reason: DicomError.Kind?
    /// The failure in words for `failed` files.
    public var error: String?
    /// SOP Class UID.
    public var sopClassUID: String?
    /// DCMTK's name of the SOP class.
    public var sopClassName: String?
    /// Modality.
    public var modality: String?
    /// Patient ID.
    public var patientID: String?
    /// Study Instance UID.
    public var studyInstanceUID: String?
    /// Series Instance UID.
    public var seriesInstanceUID: String?
    /// SOP Instance UID.
    public var sopInstanceUID: String?
    /// Accession Number.
    public var accessionNumber: String?
    /// Transfer syntax UID.
    public var transferSyntaxUID: String?
    /// Transfer syntax name.
    public var transferSyntaxName: String?
    /// PixelData present.
    public var hasPixelData: Bool?
    /// The pixel data can be decoded here.
    public var pixelsDecodable: Bool?
    /// Rows.
    public var rows: Int?
    /// Columns.
    public var columns: Int?
    /// Number of frames (1 when the attribute is absent and there is pixel data).
    public var frames: Int?
    /// Bits allocated.
    public var bitsAllocated: Int?
    /// Bits stored.
    public var bitsStored: Int?
    /// Photometric interpretation.
    public var photometricInterpretation: String?
    /// First window centre (top level, else functional groups).
    public var windowCenter: Double?
    /// First window width.
    public var windowWidth: Double?
    /// Remarks that did not stop the read.
    public var warnings: [String]

    /// Reads the header of `path` (header-only, bounded) and summarises it. Never throws: failures
    /// become a `failed` summary with the reason.
    public static func read(path: String, options: DicomReadOptions = .headerOnly) -> HeaderSummary {
        var summary = HeaderSummary(path: path)
        var readOptions = options
        readOptions.headerOnly = true
        let file: DicomFile
        do {
            file = try DicomFile(path: path, options: readOptions)
        } catch {
            summary.fail(error)
            return summary
        }
        summary.fill(from: file)
        return summary
    }

    /// An empty summary for `path`.
    public init(path: String) {
        self.path = path
        self.status = .ok
        self.warnings = []
    }

    private mutating func fail(_ failure: DicomError) {
        status = .failed
        reason = failure.kind
        error = failure.message
    }

    private mutating func fill(from file: DicomFile) {
        let data = file.dataset
        sopClassUID = data.string(.sopClassUID)
        sopClassName = sopClassUID.flatMap(nameOfUID)
        modality = data.string(.modality)
        patientID = data.string(.patientID)
        studyInstanceUID = data.string(.studyInstanceUID)
        seriesInstanceUID = data.string(.seriesInstanceUID)
        sopInstanceUID = data.string(.sopInstanceUID)
        accessionNumber = data.string(.accessionNumber)
        let syntax = file.transferSyntax
        transferSyntaxUID = syntax.uid.isEmpty ? nil : syntax.uid
        transferSyntaxName = syntax.name
        rows = data.int(.rows)
        columns = data.int(.columns)
        bitsAllocated = data.int(.bitsAllocated)
        bitsStored = data.int(.bitsStored)
        photometricInterpretation = data.string(.photometricInterpretation)
        frames = data.int(.numberOfFrames)
        let voi =
            data.contains(.windowCenter)
            ? data
            : data.firstItem(through: [.sharedFunctionalGroupsSequence, .frameVOILUTSequence])
                ?? data.firstItem(through: [.perFrameFunctionalGroupsSequence, .frameVOILUTSequence])
        windowCenter = voi?.double(.windowCenter)
        windowWidth = voi?.double(.windowWidth)
        warnings = file.warnings + HeaderNumbers.problems(in: data)
        do {
            let pixels = try file.pixelDescription()
            hasPixelData = true
            pixelsDecodable = true
            frames = pixels.frames
        } catch {
            if error.kind == .noPixelData {
                hasPixelData = false
            } else {
                hasPixelData = true
                pixelsDecodable = false
                fail(error)
            }
        }
    }

    private enum CodingKeys: String, CodingKey {
        case path, status, reason, error, sopClassUID, sopClassName, modality, patientID, studyInstanceUID
        case seriesInstanceUID, sopInstanceUID, accessionNumber, transferSyntaxUID, transferSyntaxName
        case hasPixelData, pixelsDecodable, rows, columns, frames, bitsAllocated, bitsStored
        case photometricInterpretation, windowCenter, windowWidth, warnings
    }

    /// Encodes every field, `null` when unknown, so consumers see a fixed set of keys.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(path, forKey: .path)
        try container.encode(status, forKey: .status)
        try container.encode(reason, forKey: .reason)
        try container.encode(error, forKey: .error)
        try container.encode(sopClassUID, forKey: .sopClassUID)
        try container.encode(sopClassName, forKey: .sopClassName)
        try container.encode(modality, forKey: .modality)
        try container.encode(patientID, forKey: .patientID)
        try container.encode(studyInstanceUID, forKey: .studyInstanceUID)
        try container.encode(seriesInstanceUID, forKey: .seriesInstanceUID)
        try container.encode(sopInstanceUID, forKey: .sopInstanceUID)
        try container.encode(accessionNumber, forKey: .accessionNumber)
        try container.encode(transferSyntaxUID, forKey: .transferSyntaxUID)
        try container.encode(transferSyntaxName, forKey: .transferSyntaxName)
        try container.encode(hasPixelData, forKey: .hasPixelData)
        try container.encode(pixelsDecodable, forKey: .pixelsDecodable)
        try container.encode(rows, forKey: .rows)
        try container.encode(columns, forKey: .columns)
        try container.encode(frames, forKey: .frames)
        try container.encode(bitsAllocated, forKey: .bitsAllocated)
        try container.encode(bitsStored, forKey: .bitsStored)
        try container.encode(photometricInterpretation, forKey: .photometricInterpretation)
        try container.encode(windowCenter, forKey: .windowCenter)
        try container.encode(windowWidth, forKey: .windowWidth)
        try container.encode(warnings, forKey: .warnings)
    }
}
