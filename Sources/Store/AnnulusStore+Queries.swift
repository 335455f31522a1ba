import Foundation
import AnnulusRecords
internal import GRDB

extension AnnulusStore {
    /// Every indexed study, newest first (by Study Date and Time, then UID), with counts of series, instances
    /// and annotations by the status of their latest version.
    public func studies() throws(StoreError) -> [StudySummary] {
        try read { db in try Self.summaries(db, scope: .all) }
    }

    /// The studies of one patient (by Patient ID), ordered and counted as `studies()`: what triage and export
    /// read for a patient, without scanning every study in the store.
    public func studies(ofPatient patientID: String) throws(StoreError) -> [StudySummary] {
        try read { db in try Self.summaries(db, scope: .patient(patientID)) }
    }

    /// The series of a study, by Series Number (series without one last), then UID. Empty when the study is
    /// not indexed.
    public func series(ofStudy studyUID: String) throws(StoreError) -> [SeriesSummary] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT se.series_uid, se.study_uid, se.modality, se.series_number, se.series_description,
                           se.body_part_examined, se.protocol_name,
                           count(i.sop_instance_uid) AS instance_count, coalesce(sum(i.frames), 0) AS frame_count
                    FROM series se LEFT JOIN instances i ON i.series_uid = se.series_uid
                    WHERE se.study_uid = ?
                    GROUP BY se.series_uid
                    ORDER BY se.series_number IS NULL, se.series_number, se.series_uid
                    """,
                arguments: [studyUID]
            ).map { row in
                SeriesSummary(
                    seriesInstanceUID: row["series_uid"], studyInstanceUID: row["study_uid"],
                    modality: row["modality"], seriesNumber: row["series_number"],
                    seriesDescription: row["series_description"], instanceCount: row["instance_count"],
                    frameCount: row["frame_count"], bodyPartExamined: row["body_part_examined"],
                    protocolName: row["protocol_name"])
            }
        }
    }

    /// The instances of a series, by Instance Number (instances without one last), then UID. Empty when the
    /// series is not indexed.
    public func instances(ofSeries seriesUID: String) throws(StoreError) -> [InstanceRecord] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: RowDecoding.instanceSelect + """

                    WHERE i.series_uid = ?
                    ORDER BY i.instance_number IS NULL, i.instance_number, i.sop_instance_uid
                    """,
                arguments: [seriesUID]
            ).map(RowDecoding.instanceRecord)
        }
    }

    /// One instance by SOP Instance UID, or nil when it is not indexed.
    public func instance(sopInstanceUID: String) throws(StoreError) -> InstanceRecord? {
        try read { db in
            try Row.fetchOne(
                db, sql: RowDecoding.instanceSelect + "\nWHERE i.sop_instance_uid = ?", arguments: [sopInstanceUID]
            ).map(RowDecoding.instanceRecord)
        }
    }

    /// Finds one study from what a user typed: a Study Instance UID, an accession number, or a unique prefix of
    /// either. Exact matches win over prefixes.
    ///
    /// - Throws: `StoreError.ambiguousStudy` listing the candidates (UID, accession, date) when several studies
    ///   match; `StoreError.unknownStudy` when none does; `StoreError.emptyStudyReference` for empty text.
    public func resolveStudy(_ reference: String) throws(StoreError) -> StudySummary {
        let reference = reference.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !reference.isEmpty else { throw StoreError.emptyStudyReference }
        return try read { db in
            func candidates(_ condition: String, _ arguments: StatementArguments) throws -> [StoreError.StudyCandidate]
            {
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT study_uid, accession_number, study_date FROM studies WHERE \(condition)
                        ORDER BY study_date DESC, study_uid
                        """,
                    arguments: arguments
                ).map { row in
                    StoreError.StudyCandidate(
                        studyInstanceUID: row["study_uid"], accessionNumber: row["accession_number"],
                        studyDate: row["study_date"])
                }
            }
            var matches = try candidates("study_uid = ? OR accession_number = ?", [reference, reference])
            if matches.isEmpty {
                matches = try candidates(
                    "substr(study_uid, 1, length(?1)) = ?1 OR substr(accession_number, 1, length(?1)) = ?1",
                    [reference])
            }
            guard let match = matches.first else { throw StoreError.unknownStudy(reference: reference) }
            guard matches.count == 1 else {
                throw StoreError.ambiguousStudy(reference: reference, candidates: matches)
            }
            guard let summary = try Self.summaries(db, scope: .studies([match.studyInstanceUID])).first else {
                throw StoreError.unknownStudy(reference: reference)
            }
            return summary
        }
    }

    /// Which studies `summaries` reads.
    enum SummaryScope {
        /// Every study.
        case all
        /// The studies of one Patient ID.
        case patient(String)
        /// These studies (by Study Instance UID; at most a page of them).
        case studies([String])
    }

    /// Study summaries, in `studies()` order. The counts and modalities are correlated subqueries (and the
    /// annotation counts one grouped query) over the scope's studies only.
    static func summaries(_ db: Database, scope: SummaryScope) throws -> [StudySummary] {
        if case .studies(let uids) = scope, uids.isEmpty { return [] }
        let statements = summaryStatements(scope)
        let rows = try Row.fetchAll(db, sql: statements.studies, arguments: statements.arguments)
        var counts: [String: [AnnotationStatus: Int]] = [:]
        for row in try Row.fetchAll(db, sql: statements.annotations, arguments: statements.arguments) {
            let status = AnnotationStatus(rawValue: row["status"]) ?? .draft
            counts[row["study_uid"], default: [:]][status] = row["n"]
        }
        return rows.map { row in
            let uid: String = row["study_uid"]
            let modalities: String? = row["modalities"]
            let studyCounts = counts[uid] ?? [:]
            return StudySummary(
                studyInstanceUID: uid, accessionNumber: row["accession_number"], studyDate: row["study_date"],
                studyTime: row["study_time"], studyDescription: row["study_description"],
                patientID: row["patient_id"],
                modalities: modalities.map { $0.split(separator: "\u{1F}").map(String.init).sorted() } ?? [],
                seriesCount: row["series_count"], instanceCount: row["instance_count"],
                draftAnnotations: studyCounts[.draft] ?? 0, signedAnnotations: studyCounts[.signed] ?? 0,
                retractedAnnotations: studyCounts[.retracted] ?? 0, lastIndexedAt: row["last_indexed_at"])
        }
    }

    /// The statements of `summaries`: the studies with their counts, the annotation counts by status; both take
    /// `arguments`.
    static func summaryStatements(_ scope: SummaryScope) -> (
        studies: String, annotations: String, arguments: StatementArguments
    ) {
        var filter = ""
        var annotationFilter = ""
        var arguments: StatementArguments = []
        switch scope {
        case .all: break
        case .patient(let patientID):
            filter = "WHERE st.patient_id = ?"
            annotationFilter = "AND a.study_uid IN (SELECT study_uid FROM studies WHERE patient_id = ?)"
            arguments = [patientID]
        case .studies(let uids):
            let placeholders = Array(repeating: "?", count: uids.count).joined(separator: ", ")
            filter = "WHERE st.study_uid IN (\(placeholders))"
            annotationFilter = "AND a.study_uid IN (\(placeholders))"
            arguments = StatementArguments(uids)
        }
        let studies = """
            SELECT st.study_uid, st.patient_id, st.study_date, st.study_time, st.accession_number,
                   st.study_description,
                   (SELECT count(*) FROM series se WHERE se.study_uid = st.study_uid) AS series_count,
                   (SELECT count(*) FROM series se JOIN instances i ON i.series_uid = se.series_uid
                    WHERE se.study_uid = st.study_uid) AS instance_count,
                   (SELECT max(i.indexed_at) FROM series se JOIN instances i ON i.series_uid = se.series_uid
                    WHERE se.study_uid = st.study_uid) AS last_indexed_at,
                   (SELECT group_concat(modality, char(31)) FROM (
                        SELECT DISTINCT se.modality FROM series se
                        WHERE se.study_uid = st.study_uid AND coalesce(se.modality, '') <> ''
                        ORDER BY se.modality)) AS modalities
            FROM studies st
            \(filter)
            \(studyOrder)
            """
        let annotations = """
            SELECT a.study_uid, a.status, count(*) AS n FROM annotation_versions a
            WHERE a.version = (SELECT max(b.version) FROM annotation_versions b
                               WHERE b.annotation_id = a.annotation_id)
            \(annotationFilter)
            GROUP BY a.study_uid, a.status
            """
        return (studies, annotations, arguments)
    }
}
