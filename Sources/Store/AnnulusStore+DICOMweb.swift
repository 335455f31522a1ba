import AnnulusRecords
import Foundation
internal import GRDB

/// The study-level attributes the index holds, as a DICOMweb search (QIDO-RS) matches them: one row per study,
/// without the counts (`studies(uids:)` counts the studies of a page only).
public struct StudyAttributes: Sendable, Equatable {
    /// Study Instance UID.
    public var studyInstanceUID: String
    /// Patient ID ("" when absent). Compared, never logged.
    public var patientID: String
    /// Patient's Name as stored ("" when absent). Compared, never logged.
    public var patientName: String
    /// Study Date (YYYYMMDD), when present.
    public var studyDate: String?
    /// Study Time, when present.
    public var studyTime: String?
    /// Accession Number, when present.
    public var accessionNumber: String?
    /// Study Description, when present.
    public var studyDescription: String?
    /// The modalities of the study's series, sorted, without empty ones.
    public var modalities: [String]

    /// Creates the attributes of one study.
    public init(
        studyInstanceUID: String, patientID: String, patientName: String, studyDate: String? = nil,
        studyTime: String? = nil, accessionNumber: String? = nil, studyDescription: String? = nil,
        modalities: [String] = []
    ) {
        self.studyInstanceUID = studyInstanceUID
        self.patientID = patientID
        self.patientName = patientName
        self.studyDate = studyDate
        self.studyTime = studyTime
        self.accessionNumber = accessionNumber
        self.studyDescription = studyDescription
        self.modalities = modalities
    }
}

extension AnnulusStore {
    /// The attributes of every study that `filter` (the index's exact criteria) and `studyUIDs` (when given: only
    /// these studies) admit, in `studies()` order. One indexed pass without the per-study counts: about 10,000
    /// rows of a few short columns for the largest stores, which a search then narrows by the criteria the index
    /// cannot evaluate (wildcards, names) before a page is counted.
    public func studyAttributes(_ filter: StudyFilter, studyUIDs: [String]? = nil) throws(StoreError)
        -> [StudyAttributes]
    {
        if let studyUIDs, studyUIDs.isEmpty { return [] }
        var conditions = filter.condition()
        if let studyUIDs {
            let placeholders = Array(repeating: "?", count: studyUIDs.count).joined(separator: ", ")
            conditions.append(
                SQLCondition(text: "st.study_uid IN (\(placeholders))", arguments: StatementArguments(studyUIDs)))
        }
        let sql = """
            SELECT st.study_uid, st.patient_id, p.patient_name, st.study_date, st.study_time, st.accession_number,
                   st.study_description, st.modality_set
            FROM studies st JOIN patients p ON p.patient_id = st.patient_id
            """ + conditions.whereClause + "\n" + Self.studyOrder
        return try read { db in
            try Row.fetchAll(db, sql: sql, arguments: conditions.arguments).map { row in
                let set: String = row["modality_set"]
                return StudyAttributes(
                    studyInstanceUID: row["study_uid"], patientID: row["patient_id"], patientName: row["patient_name"],
                    studyDate: row["study_date"], studyTime: row["study_time"],
                    accessionNumber: row["accession_number"], studyDescription: row["study_description"],
                    modalities: set.split(separator: "\u{1F}").map(String.init).filter { !$0.isEmpty }.sorted())
            }
        }
    }

    /// The studies with these Study Instance UIDs, counted as `studies()` counts and in its order (unknown UIDs are
    /// left out). Meant for one page of a search.
    public func studies(uids: [String]) throws(StoreError) -> [StudySummary] {
        try read { db in try Self.summaries(db, scope: .studies(uids)) }
    }

    /// The series of these studies with their instance counts, by study in the order given, then as
    /// `series(ofStudy:)` orders them.
    public func series(ofStudies studyUIDs: [String]) throws(StoreError) -> [SeriesSummary] {
        var result: [SeriesSummary] = []
        for uid in studyUIDs { result += try series(ofStudy: uid) }
        return result
    }
}
