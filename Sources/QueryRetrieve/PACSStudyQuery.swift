/// What to look for on a PACS: Study Root C-FIND keys at the STUDY level (PS3.4 C.6.2.1). Every key given must
/// match; a key left out matches anything.
public struct PACSStudyQuery: Sendable, Equatable, Codable {
    /// Patient ID, matched exactly (single value matching).
    public var patientID: String?
    /// Patient's Name (`FAMILY^GIVEN`), with `*` and `?` wildcards.
    public var patientName: String?
    /// Study Date or range: `20200101`, `20200101-`, `-20201231`, `20200101-20201231`.
    public var studyDate: String?
    /// Modalities in Study: a study matches when it holds any of these (e.g. `MR`, `RF`, `XA`).
    public var modalities: [String]
    /// Accession Number, exactly or with wildcards.
    public var accessionNumber: String?
    /// Study Instance UIDs (list of UID matching).
    public var studyInstanceUIDs: [String]

    /// A query; at least one of patient ID, accession number or study UIDs is needed (`problems()`).
    public init(
        patientID: String? = nil, patientName: String? = nil, studyDate: String? = nil, modalities: [String] = [],
        accessionNumber: String? = nil, studyInstanceUIDs: [String] = []
    ) {
        self.patientID = patientID
        self.patientName = patientName
        self.studyDate = studyDate
        self.modalities = modalities
        self.accessionNumber = accessionNumber
        self.studyInstanceUIDs = studyInstanceUIDs
    }

    /// The most study UIDs one query may list.
    public static let maximumStudyUIDs = 100

    /// Each problem as (field, message) in words a user can act on; empty when the query can be sent.
    public func problems() -> [(field: String, message: String)] {
        var problems: [(String, String)] = []
        func text(_ value: String?, _ field: String, _ name: String, limit: Int) {
            guard let value else { return }
            if value.isEmpty || value.count > limit || !DicomValues.isPlainText(value) {
                problems.append(
                    (field, "\(name) is 1 to \(limit) characters without control characters or backslashes"))
            }
        }
        text(patientID, "patientID", "the patient ID", limit: 64)
        if let patientID, patientID.contains(where: { $0 == "*" || $0 == "?" }) {
            problems.append(("patientID", "the patient ID is matched exactly: no * or ? wildcards"))
        }
        text(patientName, "patientName", "the patient name", limit: 64)
        text(accessionNumber, "accessionNumber", "the accession number", limit: 16)
        if let studyDate, !DicomValues.isDateRange(studyDate) {
            problems.append(
                ("studyDate", "the study date is YYYYMMDD or a range: 20200101-, -20201231, 20200101-20201231"))
        }
        for modality in modalities where !DicomValues.isCode(modality) {
            problems.append(("modalities", "a modality is a DICOM code such as MR, CT, RF or XA"))
            break
        }
        if modalities.count > 16 { problems.append(("modalities", "at most 16 modalities")) }
        if studyInstanceUIDs.count > Self.maximumStudyUIDs {
            problems.append(("studyUIDs", "at most \(Self.maximumStudyUIDs) study UIDs at once"))
        }
        for uid in studyInstanceUIDs where !DicomValues.isUID(uid) {
            problems.append(("studyUIDs", "a study UID is digits and dots, at most 64 characters"))
            break
        }
        if patientID == nil && accessionNumber == nil && studyInstanceUIDs.isEmpty {
            problems.append(
                (
                    "patientID",
                    "give a patient ID, an accession number or study UIDs: a query without them could list the whole PACS"
                ))
        }
        return problems
    }

    /// The query keys as `annulus-dicom-query` reads them (empty values are universal matches).
    var keys: [(name: String, value: String)] {
        [
            ("patient-id", patientID ?? ""), ("patient-name", patientName ?? ""), ("study-date", studyDate ?? ""),
            ("modalities", modalities.joined(separator: "\\")), ("accession", accessionNumber ?? ""),
            ("study-uid", studyInstanceUIDs.joined(separator: "\\")),
        ]
    }
}
