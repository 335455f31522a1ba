import AnnulusRecords
internal import GRDB

extension AnnulusStore {
    /// Records an SR document made for a study (append-only; recording the same SOP Instance UID again is a no-op,
    /// as a re-export of unchanged content reuses its identity).
    public func recordStructuredReport(_ record: StructuredReportRecord) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO structured_reports (sop_instance_uid, study_uid, kind, series_uid, sop_class_uid,
                        instance_number, content_digest, content_date, content_time, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (sop_instance_uid) DO NOTHING
                    """,
                arguments: [
                    record.sopInstanceUID, record.studyUID, record.kind.rawValue, record.seriesUID,
                    record.sopClassUID, record.instanceNumber, record.contentDigest, record.contentDate,
                    record.contentTime, record.createdAt,
                ])
        }
    }

    /// The study's latest document of `kind` (highest instance number), if any.
    public func latestStructuredReport(studyUID: String, kind: StructuredReportRecord.Kind) throws(StoreError)
        -> StructuredReportRecord?
    {
        try structuredReport(
            sql: "study_uid = ? AND kind = ? ORDER BY instance_number DESC LIMIT 1", [studyUID, kind.rawValue], kind)
    }

    /// The study's document of `kind` with that instance number, if any.
    public func structuredReport(studyUID: String, kind: StructuredReportRecord.Kind, instanceNumber: Int)
        throws(StoreError) -> StructuredReportRecord?
    {
        try structuredReport(
            sql: "study_uid = ? AND kind = ? AND instance_number = ? LIMIT 1",
            [studyUID, kind.rawValue, instanceNumber],
            kind)
    }

    private func structuredReport(
        sql condition: String, _ arguments: StatementArguments, _ kind: StructuredReportRecord.Kind
    ) throws(StoreError) -> StructuredReportRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM structured_reports WHERE " + condition, arguments: arguments).map {
                row in
                StructuredReportRecord(
                    sopInstanceUID: row["sop_instance_uid"], studyUID: row["study_uid"],
                    kind: StructuredReportRecord.Kind(rawValue: row["kind"]) ?? kind, seriesUID: row["series_uid"],
                    sopClassUID: row["sop_class_uid"], instanceNumber: row["instance_number"],
                    contentDigest: row["content_digest"], contentDate: row["content_date"],
                    contentTime: row["content_time"], createdAt: row["created_at"])
            }
        }
    }
}
