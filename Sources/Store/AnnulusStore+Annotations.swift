import Foundation
import AnnulusRecords
internal import GRDB

extension AnnulusStore {
    /// Creates an annotation: version 1, a draft, with a new lowercase UUID.
    ///
    /// The study must be indexed; a series or instance anchor must belong to it (a missing series UID is filled
    /// in from the instance); a frame needs an instance and must be one of its frames (1-based, 1…frames).
    /// `levelOverride`, when given, is recorded with the version in the same transaction.
    public func add(
        _ new: NewAnnotation, author: String, reason: String? = nil, levelOverride: NewLevelOverride? = nil
    ) throws(StoreError) -> AnnotationVersion {
        let author = try Self.requiredAuthor(author)
        let payloadText = try Self.payloadText(new.payload)
        let id = UUID().uuidString.lowercased()
        return try write { db in
            let seriesUID = try Self.checkAnchor(new, db)
            let version = AnnotationVersion(
                annotationID: id, version: 1, studyUID: new.studyUID, seriesUID: seriesUID,
                sopInstanceUID: new.sopInstanceUID, frame: new.frame, level: new.level, findingKind: new.findingKind,
                payload: new.payload, status: .draft, author: author, reason: Self.optionalText(reason),
                createdAt: Timestamp.nowText(), signedBy: nil, signedAt: nil)
            try Self.append(version, payloadText: payloadText, db)
            if let levelOverride { try Self.recordLevelOverride(levelOverride, for: version, db) }
            return version
        }
    }

    /// Appends a draft version with a new payload (and, when given, a new level or finding kind).
    ///
    /// Amending a signed annotation leaves the signed version as it was and starts a new draft. Amending a
    /// retracted annotation is refused. `levelOverride`, when given, is recorded with the new version.
    public func amend(
        id: String, payload: Data, level: String? = nil, findingKind: String? = nil, author: String,
        reason: String? = nil, levelOverride: NewLevelOverride? = nil
    ) throws(StoreError) -> AnnotationVersion {
        let author = try Self.requiredAuthor(author)
        let payloadText = try Self.payloadText(payload)
        return try write { db in
            let latest = try Self.latestVersion(id: id, db)
            if latest.isRetracted { throw Self.retracted(latest, action: "amended") }
            var next = latest
            next.version += 1
            next.payload = payload
            next.level = level ?? latest.level
            next.findingKind = findingKind ?? latest.findingKind
            next.status = .draft
            next.author = author
            next.reason = Self.optionalText(reason)
            next.createdAt = Timestamp.nowText()
            next.signedBy = nil
            next.signedAt = nil
            try Self.append(next, payloadText: payloadText, db)
            if let levelOverride { try Self.recordLevelOverride(levelOverride, for: next, db) }
            return next
        }
    }

    /// Appends a retraction (the latest content, status retracted). Nothing is deleted; a reason is required.
    /// Retracting twice is refused.
    public func retract(id: String, author: String, reason: String) throws(StoreError) -> AnnotationVersion {
        let author = try Self.requiredAuthor(author)
        guard let reason = Self.optionalText(reason) else { throw StoreError.reasonRequired(annotationID: id) }
        return try write { db in
            let latest = try Self.latestVersion(id: id, db)
            if latest.isRetracted { throw Self.retracted(latest, action: "retracted again") }
            var next = latest
            next.version += 1
            next.status = .retracted
            next.author = author
            next.reason = reason
            next.createdAt = Timestamp.nowText()
            next.signedBy = nil
            next.signedAt = nil
            try Self.append(next, payloadText: String(decoding: latest.payload, as: UTF8.self), db)
            return next
        }
    }

    /// Appends a signed version: the latest content, signed by `signer` now. Refused when the latest version
    /// is already signed or is a retraction.
    public func sign(id: String, signer: String) throws(StoreError) -> AnnotationVersion {
        let signer = try Self.requiredAuthor(signer)
        return try write { db in try Self.appendSignature(id: id, signer: signer, at: Timestamp.nowText(), db) }
    }

    /// Every version of an annotation, oldest first.
    public func history(id: String) throws(StoreError) -> [AnnotationVersion] {
        let versions = try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(RowDecoding.annotationColumns) FROM annotation_versions WHERE annotation_id = ?"
                    + " ORDER BY version",
                arguments: [id]
            ).map(RowDecoding.annotationVersion)
        }
        guard !versions.isEmpty else { throw StoreError.unknownAnnotation(id: id) }
        return versions
    }

    /// The latest version of an annotation, or nil when no annotation has this id.
    public func latest(id: String) throws(StoreError) -> AnnotationVersion? {
        try read { db in try Self.latestVersionIfAny(id: id, db) }
    }

    /// The latest version of each annotation of a study, in order of creation (insertion order: timestamps can tie
    /// within a millisecond); retracted ones only when asked.
    public func annotations(studyUID: String, includeRetracted: Bool = false) throws(StoreError)
        -> [AnnotationVersion]
    {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(RowDecoding.annotationColumns) FROM annotation_versions a
                    WHERE a.study_uid = ?
                    AND a.version = (SELECT max(b.version) FROM annotation_versions b
                                     WHERE b.annotation_id = a.annotation_id)
                    \(includeRetracted ? "" : "AND a.status <> 'retracted'")
                    ORDER BY (SELECT c.rowid FROM annotation_versions c
                              WHERE c.annotation_id = a.annotation_id AND c.version = 1)
                    """,
                arguments: [studyUID]
            ).map(RowDecoding.annotationVersion)
        }
    }

    /// The full id of the annotation whose id is `idOrPrefix` or starts with it (at least 4 characters, case
    /// ignored), like an abbreviated git commit.
    ///
    /// - Throws: `annotationPrefixTooShort`, `unknownAnnotation`, or `ambiguousAnnotation` listing the matches.
    public func resolveAnnotation(_ idOrPrefix: String) throws(StoreError) -> String {
        let prefix = idOrPrefix.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
        guard prefix.count >= 4 else { throw StoreError.annotationPrefixTooShort(prefix: prefix) }
        let uuidCharacters = Set("0123456789abcdef-")
        guard prefix.count <= 36, prefix.allSatisfy({ uuidCharacters.contains($0) }) else {
            throw StoreError.unknownAnnotation(id: idOrPrefix)
        }
        let matches = try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT \(RowDecoding.annotationColumns) FROM annotation_versions a
                    WHERE a.annotation_id GLOB ? || '*'
                    AND a.version = (SELECT max(b.version) FROM annotation_versions b
                                     WHERE b.annotation_id = a.annotation_id)
                    ORDER BY a.annotation_id
                    """,
                arguments: [prefix]
            ).map(RowDecoding.annotationVersion)
        }
        guard let match = matches.first else { throw StoreError.unknownAnnotation(id: idOrPrefix) }
        guard matches.count == 1 else {
            throw StoreError.ambiguousAnnotation(
                prefix: prefix,
                candidates: matches.map { version in
                    "\(version.annotationID)  \(version.level) \(version.findingKind)  v\(version.version)"
                        + " \(version.status.rawValue)  study \(version.studyUID)"
                })
        }
        return match.annotationID
    }

    // MARK: - Helpers

    static func requiredAuthor(_ author: String) throws(StoreError) -> String {
        guard let author = optionalText(author) else { throw StoreError.authorRequired }
        return author
    }

    /// Trimmed text, nil when absent or blank.
    static func optionalText(_ text: String?) -> String? {
        guard let trimmed = text?.trimmingCharacters(in: .whitespacesAndNewlines), !trimmed.isEmpty else {
            return nil
        }
        return trimmed
    }

    /// The payload as text, refused unless it is UTF-8 (JSON validity is checked by SQLite on insert).
    static func payloadText(_ payload: Data) throws(StoreError) -> String {
        guard let text = String(data: payload, encoding: .utf8) else {
            throw StoreError.invalidPayload(reason: "it is not UTF-8 text")
        }
        return text
    }

    static func latestVersion(id: String, _ db: Database) throws -> AnnotationVersion {
        guard let latest = try latestVersionIfAny(id: id, db) else { throw StoreError.unknownAnnotation(id: id) }
        return latest
    }

    static func latestVersionIfAny(id: String, _ db: Database) throws -> AnnotationVersion? {
        try Row.fetchOne(
            db,
            sql: "SELECT \(RowDecoding.annotationColumns) FROM annotation_versions WHERE annotation_id = ?"
                + " ORDER BY version DESC LIMIT 1",
            arguments: [id]
        ).map(RowDecoding.annotationVersion)
    }

    static func retracted(_ latest: AnnotationVersion, action: String) -> StoreError {
        .annotationRetracted(
            id: latest.annotationID, action: action, version: latest.version, by: latest.author,
            at: latest.createdAt)
    }

    /// Inserts one version after checking its payload is JSON. The version number was derived from the latest
    /// version read in the same immediate transaction; the insert trigger re-checks it.
    static func append(_ version: AnnotationVersion, payloadText: String, _ db: Database) throws {
        guard try Bool.fetchOne(db, sql: "SELECT json_valid(?)", arguments: [payloadText]) == true else {
            throw StoreError.invalidPayload(reason: "SQLite json_valid() rejects it")
        }
        try db.execute(
            sql: "INSERT INTO annotation_versions (\(RowDecoding.annotationColumns))"
                + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            arguments: RowDecoding.arguments(version, payloadText: payloadText))
    }

    /// Checks the anchor of a new annotation against the index; returns the series UID to store.
    static func checkAnchor(_ new: NewAnnotation, _ db: Database) throws -> String? {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM studies WHERE study_uid = ?", arguments: [new.studyUID]) != nil
        else { throw StoreError.unknownStudy(reference: new.studyUID) }
        if let seriesUID = new.seriesUID {
            let study = try String.fetchOne(
                db, sql: "SELECT study_uid FROM series WHERE series_uid = ?", arguments: [seriesUID])
            guard study == new.studyUID else {
                throw StoreError.unknownSeries(seriesUID: seriesUID, studyUID: new.studyUID)
            }
        }
        guard let sopInstanceUID = new.sopInstanceUID else {
            if let frame = new.frame {
                throw StoreError.invalidFrame(frame: frame, reason: "a frame needs an instance (SOP Instance UID)")
            }
            return new.seriesUID
        }
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT i.series_uid, se.study_uid, i.frames FROM instances i
                    JOIN series se ON se.series_uid = i.series_uid WHERE i.sop_instance_uid = ?
                    """,
                arguments: [sopInstanceUID]),
            row["study_uid"] as String == new.studyUID,
            new.seriesUID == nil || row["series_uid"] as String == new.seriesUID
        else { throw StoreError.unknownInstance(sopInstanceUID: sopInstanceUID, studyUID: new.studyUID) }
        if let frame = new.frame {
            let frames: Int = row["frames"]
            guard frame >= 1, frame <= frames else {
                throw StoreError.invalidFrame(
                    frame: frame, reason: "instance \(sopInstanceUID) has \(frames) frame(s), numbered 1…\(frames)")
            }
        }
        return row["series_uid"] as String
    }
}
