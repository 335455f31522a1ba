import Foundation
import AnnulusRecords
internal import GRDB

extension AnnulusStore {
    /// Records an override for `version` (in the transaction that appends it).
    static func recordLevelOverride(_ override: NewLevelOverride, for version: AnnotationVersion, _ db: Database)
        throws
    {
        try db.execute(
            sql: """
                INSERT INTO level_overrides (annotation_id, version, level, reason, evidence, author, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                version.annotationID, version.version, version.level, override.reason, override.evidence,
                version.author, version.createdAt,
            ])
    }

    /// The override in force for an annotation at `level`: the latest given for it at that level, or nil.
    public func levelOverride(annotationID: String, level: String) throws(StoreError) -> LevelOverride? {
        try read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT * FROM level_overrides WHERE annotation_id = ? AND level = ?
                    ORDER BY version DESC LIMIT 1
                    """,
                arguments: [annotationID, level]
            ).map(Self.levelOverride)
        }
    }

    /// The overrides in force for the latest versions of a study's annotations, by annotation id (an
    /// annotation whose level changed since its override has none).
    public func levelOverrides(studyUID: String) throws(StoreError) -> [String: LevelOverride] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT o.* FROM level_overrides o
                    JOIN annotation_versions a ON a.annotation_id = o.annotation_id AND a.level = o.level
                    WHERE a.study_uid = ?
                    AND a.version = (SELECT max(b.version) FROM annotation_versions b
                                     WHERE b.annotation_id = a.annotation_id)
                    ORDER BY o.version
                    """,
                arguments: [studyUID])
            var overrides: [String: LevelOverride] = [:]
            for row in rows {
                let override = Self.levelOverride(row)
                overrides[override.annotationID] = override
            }
            return overrides
        }
    }

    private static func levelOverride(_ row: Row) -> LevelOverride {
        LevelOverride(
            annotationID: row["annotation_id"], version: row["version"], level: row["level"], reason: row["reason"],
            evidence: row["evidence"], author: row["author"], createdAt: row["created_at"])
    }
}
