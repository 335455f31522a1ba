import AnnulusRecords
import Foundation
internal import GRDB

/// What recording a set of disc labels did.
public enum DiscLabelRecording: Sendable, Equatable {
    /// The new version.
    case recorded(DiscLabelVersion)
    /// Nothing was written: the caller's set was based on `expected`, but the study's latest version is now
    /// `latest` (nil: none), written by someone else in between.
    case versionChanged(expected: Int, latest: DiscLabelVersion?)
}

extension AnnulusStore {
    /// Records a new version of the disc labels of `studyUID` (the study must be indexed): the whole labelled set
    /// as `payload` (UTF-8 JSON owned by the caller) with its numbering basis. With `expectedVersion` (0: no
    /// labels yet) nothing is written when the latest version is another one (`.versionChanged`).
    public func recordDiscLabels(
        studyUID: String, basis: String, payload: Data, author: String, reason: String?, expectedVersion: Int? = nil
    ) throws(StoreError) -> DiscLabelRecording {
        let author = try Self.requiredAuthor(author)
        let payloadText = try Self.payloadText(payload)
        return try write { db in
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM studies WHERE study_uid = ?)", arguments: [studyUID])
                    == true
            else { throw StoreError.unknownStudy(reference: studyUID) }
            let latest = try Self.latestDiscLabels(studyUID: studyUID, db)
            if let expectedVersion, expectedVersion != (latest?.version ?? 0) {
                return .versionChanged(expected: expectedVersion, latest: latest)
            }
            let version = DiscLabelVersion(
                studyUID: studyUID, version: 1 + (latest?.version ?? 0), basis: basis, payload: payload,
                author: author, reason: Self.optionalText(reason), createdAt: Timestamp.nowText())
            try db.execute(
                sql: """
                    INSERT INTO disc_label_versions (study_uid, version, basis, payload, author, reason, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    studyUID, version.version, basis, payloadText, author, version.reason, version.createdAt,
                ])
            return .recorded(version)
        }
    }

    /// Every version of the disc labels of `studyUID`, oldest first (empty when none was recorded).
    public func discLabelHistory(studyUID: String) throws(StoreError) -> [DiscLabelVersion] {
        try read { db in
            try Row.fetchAll(
                db, sql: "\(Self.discLabelColumns) WHERE study_uid = ? ORDER BY version", arguments: [studyUID]
            ).map(Self.discLabelVersion)
        }
    }

    /// The latest disc labels of `studyUID`, or nil when none were recorded.
    public func latestDiscLabels(studyUID: String) throws(StoreError) -> DiscLabelVersion? {
        try read { db in try Self.latestDiscLabels(studyUID: studyUID, db) }
    }

    private static let discLabelColumns =
        "SELECT study_uid, version, basis, payload, author, reason, created_at FROM disc_label_versions"

    private static func latestDiscLabels(studyUID: String, _ db: Database) throws -> DiscLabelVersion? {
        try Row.fetchOne(
            db, sql: "\(discLabelColumns) WHERE study_uid = ? ORDER BY version DESC LIMIT 1", arguments: [studyUID]
        ).map(discLabelVersion)
    }

    private static func discLabelVersion(_ row: Row) -> DiscLabelVersion {
        DiscLabelVersion(
            studyUID: row["study_uid"], version: row["version"], basis: row["basis"],
            payload: Data((row["payload"] as String).utf8), author: row["author"], reason: row["reason"],
            createdAt: row["created_at"])
    }
}
