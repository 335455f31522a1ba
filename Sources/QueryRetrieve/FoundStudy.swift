/// A study a PACS reported in answer to a `PACSStudyQuery`, after validation: the UID is a UID, the date a date, every
/// text within its DICOM length and free of backslashes; anything else is left out (`nil`), never passed on.
/// Texts may still hold control characters as sent: escape them before a terminal (TextSafety) and never log the
/// patient fields.
public struct FoundStudy: Sendable, Equatable, Codable {
    /// Study Instance UID.
    public var studyInstanceUID: String
    /// Study Date, `YYYYMMDD`.
    public var studyDate: String?
    /// Study Time, `HHMMSS` (or shorter, or with a fraction).
    public var studyTime: String?
    /// Study Description.
    public var studyDescription: String?
    /// Modalities in Study.
    public var modalities: [String]
    /// Accession Number.
    public var accessionNumber: String?
    /// Patient ID.
    public var patientID: String?
    /// Patient's Name as sent (`FAMILY^GIVEN…`).
    public var patientName: String?
    /// Number of Study Related Instances, when the PACS said.
    public var numberOfInstances: Int?

    /// A found study.
    public init(
        studyInstanceUID: String, studyDate: String? = nil, studyTime: String? = nil, studyDescription: String? = nil,
        modalities: [String] = [], accessionNumber: String? = nil, patientID: String? = nil,
        patientName: String? = nil, numberOfInstances: Int? = nil
    ) {
        self.studyInstanceUID = studyInstanceUID
        self.studyDate = studyDate
        self.studyTime = studyTime
        self.studyDescription = studyDescription
        self.modalities = modalities
        self.accessionNumber = accessionNumber
        self.patientID = patientID
        self.patientName = patientName
        self.numberOfInstances = numberOfInstances
    }

    /// The match from its nine fields as the query process reports them (UID, date, time, description,
    /// modalities, accession, patient ID, patient name, instances), or nil when its UID is not a UID.
    init?(fields: [String]) {
        guard fields.count == 9 else { return nil }
        let uid = fields[0].trimmingSpaces
        guard DicomValues.isUID(uid) else { return nil }
        func text(_ value: String, limit: Int) -> String? {
            let trimmed = value.trimmingSpaces
            guard !trimmed.isEmpty, trimmed.count <= limit, !trimmed.contains("\\") else { return nil }
            return trimmed
        }
        studyInstanceUID = uid
        studyDate = text(fields[1], limit: 8).flatMap { DicomValues.isDate($0) ? $0 : nil }
        studyTime = text(fields[2], limit: 16).flatMap { DicomValues.isTime($0) ? $0 : nil }
        studyDescription = text(fields[3], limit: 64)
        let codes = fields[4].split(separator: "\\").map { String($0).trimmingSpaces }.filter { !$0.isEmpty }
        modalities = codes.count <= 16 && codes.allSatisfy(DicomValues.isCode) ? codes : []
        accessionNumber = text(fields[5], limit: 16)
        patientID = text(fields[6], limit: 64)
        // PN: up to 64 characters per component group, three groups.
        patientName = fields[7].count <= 194 ? fields[7].trimmingSpaces.nonEmpty : nil
        numberOfInstances = text(fields[8], limit: 12).flatMap { Int($0) }.flatMap {
            (0...10_000_000).contains($0) ? $0 : nil
        }
    }
}

/// What a C-FIND found.
public struct FindResult: Sendable, Equatable {
    /// The studies, in the order the PACS sent them, each once (a repeated UID is dropped).
    public var studies: [FoundStudy]
    /// True when the PACS had more matches than the cap (`QueryRetrieveLimits.maximumMatches`): the query was
    /// cancelled after that many, and a narrower query would show the rest.
    public var truncated: Bool
    /// Matches dropped because their Study Instance UID was not a valid UID (or repeated one already listed).
    public var rejectedMatches: Int
    /// The final C-FIND status (0x0000 success, 0xFE00 cancelled after the cap).
    public var finalStatus: UInt16

    /// A result.
    public init(studies: [FoundStudy], truncated: Bool, rejectedMatches: Int, finalStatus: UInt16) {
        self.studies = studies
        self.truncated = truncated
        self.rejectedMatches = rejectedMatches
        self.finalStatus = finalStatus
    }
}

extension String {
    /// Without leading and trailing spaces (DICOM pads values with spaces; NUL-padded UIDs lose their NUL too).
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\0" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\0" })!
        return String(scalars[first...last])
    }

    var nonEmpty: String? { isEmpty ? nil : self }
}
