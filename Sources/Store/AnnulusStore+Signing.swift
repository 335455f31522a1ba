import Foundation
import AnnulusRecords
internal import GRDB

extension AnnulusStore {
    /// Signs several annotations in one transaction: every one is signed, or none is.
    ///
    /// Each id gets a signed version appended (the latest content, signed by `signer` now, the same time for all),
    /// under the same rules as `sign(id:signer:)`. Ids are taken in the order given; an id given twice is signed
    /// once. When any of them is already signed, retracted or unknown, or (with `expectedVersions`) its latest
    /// version is not the one the signer reviewed, the transaction is rolled back and that refusal is thrown:
    /// nothing was signed.
    ///
    /// - Parameters:
    ///   - ids: Full annotation ids (see `resolveAnnotation(_:)`).
    ///   - signer: Who signs (required, not blank).
    ///   - expectedVersions: For ids listed to the signer before signing, the latest version number that was
    ///     shown; a newer version refuses the batch with `StoreError.versionChanged`.
    /// - Returns: The signed versions, in the order of `ids`.
    public func sign(ids: [String], signer: String, expectedVersions: [String: Int] = [:]) throws(StoreError)
        -> [AnnotationVersion]
    {
        let signer = try Self.requiredAuthor(signer)
        var seen: Set<String> = []
        let unique = ids.filter { seen.insert($0).inserted }
        return try write { db in
            let now = Timestamp.nowText()
            return try unique.map { id in
                if let expected = expectedVersions[id] {
                    let latest = try Self.latestVersion(id: id, db)
                    guard latest.version == expected else {
                        throw StoreError.versionChanged(
                            id: id, listed: expected, latest: latest.version, by: latest.author, at: latest.createdAt)
                    }
                }
                return try Self.appendSignature(id: id, signer: signer, at: now, db)
            }
        }
    }

    /// Creates an annotation and signs it in one transaction: version 1, the draft by `author`, and version 2,
    /// the same content signed by `author`. The history shows both, as if added and signed at once.
    ///
    /// The same checks as `add(_:author:reason:levelOverride:)` apply; nothing is written when one fails.
    /// `levelOverride`, when given, is recorded with the draft.
    ///
    /// - Returns: The draft (version 1) and the signed version (version 2).
    public func addSigned(
        _ new: NewAnnotation, author: String, reason: String? = nil, levelOverride: NewLevelOverride? = nil
    ) throws(StoreError) -> (draft: AnnotationVersion, signed: AnnotationVersion) {
        let author = try Self.requiredAuthor(author)
        let payloadText = try Self.payloadText(new.payload)
        let id = UUID().uuidString.lowercased()
        return try write { db in
            let seriesUID = try Self.checkAnchor(new, db)
            let now = Timestamp.nowText()
            let draft = AnnotationVersion(
                annotationID: id, version: 1, studyUID: new.studyUID, seriesUID: seriesUID,
                sopInstanceUID: new.sopInstanceUID, frame: new.frame, level: new.level, findingKind: new.findingKind,
                payload: new.payload, status: .draft, author: author, reason: Self.optionalText(reason),
                createdAt: now, signedBy: nil, signedAt: nil)
            try Self.append(draft, payloadText: payloadText, db)
            if let levelOverride { try Self.recordLevelOverride(levelOverride, for: draft, db) }
            let signed = try Self.appendSignature(id: id, signer: author, at: now, db)
            return (draft, signed)
        }
    }

    /// Appends a signed version of annotation `id` inside the caller's transaction: the latest content, signed by
    /// `signer` at `now`. Refused when the latest version is already signed or is a retraction.
    static func appendSignature(id: String, signer: String, at now: String, _ db: Database) throws
        -> AnnotationVersion
    {
        let latest = try latestVersion(id: id, db)
        if latest.isRetracted { throw retracted(latest, action: "signed") }
        if latest.isSigned {
            throw StoreError.alreadySigned(
                id: id, version: latest.version, by: latest.signedBy ?? latest.author,
                at: latest.signedAt ?? latest.createdAt)
        }
        var next = latest
        next.version += 1
        next.status = .signed
        next.author = signer
        next.reason = nil
        next.createdAt = now
        next.signedBy = signer
        next.signedAt = now
        try append(next, payloadText: String(decoding: latest.payload, as: UTF8.self), db)
        return next
    }
}
