import Foundation
internal import GRDB

extension AnnulusStore {
    /// Indexes one instance.
    ///
    /// - Returns: `.added` for a new SOP Instance UID; `.unchanged` when it is indexed with the same content
    ///   hash (idempotent; a new path is recorded); `.replaced(previousPath:)` when the content differs (the
    ///   newer record wins, with its study and series facts).
    public func ingest(_ record: InstanceRecord) throws(StoreError) -> IngestOutcome {
        try ingest([record])[0]
    }

    /// Indexes many instances in one transaction (much faster than one call each). Records are validated
    /// first; if any is invalid, or the write fails, nothing is indexed. Outcomes are in record order; a SOP
    /// Instance UID repeated in the batch is handled as successive ingests.
    public func ingest(_ records: [InstanceRecord]) throws(StoreError) -> [IngestOutcome] {
        guard !records.isEmpty else { return [] }
        var rows: [IngestRow] = []
        rows.reserveCapacity(records.count)
        for record in records { rows.append(try IngestRow(record)) }
        return try write { db in
            let indexedAt = Timestamp.nowText()
            return try rows.map { row in try Self.ingest(row, indexedAt: indexedAt, db) }
        }
    }

    static func ingest(_ row: IngestRow, indexedAt: String, _ db: Database) throws -> IngestOutcome {
        let record = row.record
        let existing = try Row.fetchOne(
            db.cachedStatement(
                sql: """
                    SELECT i.path, i.content_sha256, i.series_uid, se.study_uid
                    FROM instances i JOIN series se ON se.series_uid = i.series_uid
                    WHERE i.sop_instance_uid = ?
                    """),
            arguments: [record.sopInstanceUID])
        if let existing, existing["content_sha256"] as String == row.sha256 {
            if existing["path"] as String != record.path {
                try db.cachedStatement(sql: "UPDATE instances SET path = ?, file_size = ? WHERE sop_instance_uid = ?")
                    .execute(arguments: [record.path, record.fileSize, record.sopInstanceUID])
            }
            if record.bodyPartExamined != nil || record.protocolName != nil {
                // A series indexed before these were kept gets them from its instances when they come again.
                try db.cachedStatement(
                    sql: """
                        UPDATE series SET body_part_examined = coalesce(body_part_examined, ?),
                            protocol_name = coalesce(protocol_name, ?)
                        WHERE series_uid = ? AND (body_part_examined IS NULL OR protocol_name IS NULL)
                        """
                ).execute(arguments: [record.bodyPartExamined, record.protocolName, existing["series_uid"] as String])
            }
            return .unchanged
        }

        try db.cachedStatement(
            sql: """
                INSERT INTO patients (patient_id, patient_name) VALUES (?, ?)
                ON CONFLICT (patient_id) DO UPDATE SET patient_name = excluded.patient_name
                WHERE excluded.patient_name <> '' AND excluded.patient_name IS NOT patient_name
                """
        ).execute(arguments: [record.patientID, record.patientName])
        try db.cachedStatement(
            sql: """
                INSERT INTO studies (study_uid, patient_id, study_date, study_time, accession_number,
                                     study_description)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (study_uid) DO UPDATE SET
                    patient_id = excluded.patient_id,
                    study_date = coalesce(excluded.study_date, study_date),
                    study_time = coalesce(excluded.study_time, study_time),
                    accession_number = coalesce(excluded.accession_number, accession_number),
                    study_description = coalesce(excluded.study_description, study_description)
                """
        ).execute(arguments: [
            record.studyInstanceUID, record.patientID, record.studyDate, record.studyTime, record.accessionNumber,
            record.studyDescription,
        ])
        try db.cachedStatement(
            sql: """
                INSERT INTO series (series_uid, study_uid, modality, series_number, series_description,
                                    body_part_examined, protocol_name)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (series_uid) DO UPDATE SET
                    study_uid = excluded.study_uid,
                    modality = coalesce(excluded.modality, modality),
                    series_number = coalesce(excluded.series_number, series_number),
                    series_description = coalesce(excluded.series_description, series_description),
                    body_part_examined = coalesce(excluded.body_part_examined, body_part_examined),
                    protocol_name = coalesce(excluded.protocol_name, protocol_name)
                """
        ).execute(arguments: [
            record.seriesInstanceUID, record.studyInstanceUID, record.modality, record.seriesNumber,
            record.seriesDescription, record.bodyPartExamined, record.protocolName,
        ])
        try db.cachedStatement(
            sql: """
                INSERT INTO instances (sop_instance_uid, sop_class_uid, series_uid, instance_number, image_rows,
                                       image_columns, frames, path, file_size, content_sha256, image_position,
                                       image_orientation, pixel_spacing, frame_geometry, indexed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (sop_instance_uid) DO UPDATE SET
                    sop_class_uid = excluded.sop_class_uid, series_uid = excluded.series_uid,
                    instance_number = excluded.instance_number, image_rows = excluded.image_rows,
                    image_columns = excluded.image_columns, frames = excluded.frames, path = excluded.path,
                    file_size = excluded.file_size, content_sha256 = excluded.content_sha256,
                    image_position = excluded.image_position, image_orientation = excluded.image_orientation,
                    pixel_spacing = excluded.pixel_spacing, frame_geometry = excluded.frame_geometry,
                    indexed_at = excluded.indexed_at
                """
        ).execute(arguments: [
            record.sopInstanceUID, record.sopClassUID, record.seriesInstanceUID, record.instanceNumber, record.rows,
            record.columns, record.frames, record.path, record.fileSize, row.sha256, row.imagePosition,
            row.imageOrientation, row.pixelSpacing, row.frameGeometry, indexedAt,
        ])

        guard let existing else { return .added }
        let previousSeries: String = existing["series_uid"]
        let previousStudy: String = existing["study_uid"]
        if previousSeries != record.seriesInstanceUID || previousStudy != record.studyInstanceUID {
            try removeIfEmpty(series: previousSeries, study: previousStudy, db)
        }
        return .replaced(previousPath: existing["path"])
    }

    /// Removes a series left without instances, and its study when left without series and annotations.
    private static func removeIfEmpty(series: String, study: String, _ db: Database) throws {
        try db.execute(
            sql: """
                DELETE FROM series WHERE series_uid = ?
                AND NOT EXISTS (SELECT 1 FROM instances WHERE series_uid = ?)
                """,
            arguments: [series, series])
        try db.execute(
            sql: """
                DELETE FROM studies WHERE study_uid = ?
                AND NOT EXISTS (SELECT 1 FROM series WHERE study_uid = ?)
                AND NOT EXISTS (SELECT 1 FROM annotation_versions WHERE study_uid = ?)
                """,
            arguments: [study, study, study])
    }
}

/// A validated record with its JSON columns encoded, ready to bind.
struct IngestRow {
    let record: InstanceRecord
    let sha256: String
    let imagePosition: String?
    let imageOrientation: String?
    let pixelSpacing: String?
    let frameGeometry: String?

    init(_ record: InstanceRecord) throws(StoreError) {
        try record.validate()
        let sha256 = record.contentSHA256.lowercased()
        self.record = record
        self.sha256 = sha256
        imagePosition = RowDecoding.json(record.imagePosition)
        imageOrientation = RowDecoding.json(record.imageOrientation)
        pixelSpacing = RowDecoding.json(record.pixelSpacing)
        frameGeometry = RowDecoding.json(record.perFrameGeometry)
    }
}
