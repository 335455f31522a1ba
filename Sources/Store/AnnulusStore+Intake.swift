import Foundation
import AnnulusRecords
internal import GRDB

extension AnnulusStore {
    /// Records a new version of the intake of the patient of `studyUID` (the study must be indexed). Intake is
    /// per patient: every study of the patient sees it.
    public func recordIntake(studyUID: String, payload: Data, author: String, reason: String?) throws(StoreError)
        -> IntakeVersion
    {
        let author = try Self.requiredAuthor(author)
        let payloadText = try Self.payloadText(payload)
        return try write { db in
            let patient = try Self.patientID(ofStudy: studyUID, db)
            let next =
                1
                + (try Int.fetchOne(
                    db, sql: "SELECT max(version) FROM intake_versions WHERE patient_id = ?", arguments: [patient])
                    ?? 0)
            let version = IntakeVersion(
                version: next, payload: payload, author: author, reason: Self.optionalText(reason),
                createdAt: Timestamp.nowText())
            try db.execute(
                sql: """
                    INSERT INTO intake_versions (patient_id, version, payload, author, reason, created_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [patient, next, payloadText, author, version.reason, version.createdAt])
            return version
        }
    }

    /// Every intake version of the patient of `studyUID`, oldest first (empty when none was recorded).
    public func intakeHistory(studyUID: String) throws(StoreError) -> [IntakeVersion] {
        try read { db in
            let patient = try Self.patientID(ofStudy: studyUID, db)
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT version, payload, author, reason, created_at FROM intake_versions
                    WHERE patient_id = ? ORDER BY version
                    """,
                arguments: [patient]
            ).map { row in
                IntakeVersion(
                    version: row["version"], payload: Data((row["payload"] as String).utf8), author: row["author"],
                    reason: row["reason"], createdAt: row["created_at"])
            }
        }
    }

    /// The latest intake of the patient of `studyUID`, or nil when none was recorded.
    public func latestIntake(studyUID: String) throws(StoreError) -> IntakeVersion? {
        try intakeHistory(studyUID: studyUID).last
    }

    private static func patientID(ofStudy studyUID: String, _ db: Database) throws -> String {
        guard
            let patient = try String.fetchOne(
                db, sql: "SELECT patient_id FROM studies WHERE study_uid = ?", arguments: [studyUID])
        else { throw StoreError.unknownStudy(reference: studyUID) }
        return patient
    }
}
