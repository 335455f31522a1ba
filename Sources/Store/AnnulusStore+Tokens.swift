import Foundation
internal import GRDB

/// One API token as stored: its label, owner and dates; the token itself is never stored, only its SHA-256.
public struct APITokenRecord: Sendable, Equatable {
    /// The token's id (shown by `annulus user token list`, used to revoke it; never reused).
    public var id: Int64
    /// The owning account's stored id.
    public var accountID: Int64
    /// The owning account's name.
    public var accountName: String
    /// The label given when it was created ("EHR interface engine").
    public var name: String
    /// When it was created (store time text).
    public var createdAt: String
    /// When it stops working, if ever (store time text).
    public var expiresAt: String?
    /// When it was revoked, if it was (store time text).
    public var revokedAt: String?
    /// When it was last accepted, if ever (store time text).
    public var lastUsedAt: String?

    /// Creates a record.
    public init(
        id: Int64, accountID: Int64, accountName: String, name: String, createdAt: String, expiresAt: String?,
        revokedAt: String?, lastUsedAt: String?
    ) {
        self.id = id
        self.accountID = accountID
        self.accountName = accountName
        self.name = name
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.lastUsedAt = lastUsedAt
    }
}

extension AnnulusStore {
    static let tokenSelect = """
        SELECT t.id, t.account_id, a.name AS account_name, t.name, t.created_at, t.expires_at, t.revoked_at,
            t.last_used_at
        FROM api_tokens t JOIN accounts a ON a.id = t.account_id
        """

    static func tokenRecord(_ row: Row) -> APITokenRecord {
        APITokenRecord(
            id: row["id"], accountID: row["account_id"], accountName: row["account_name"], name: row["name"],
            createdAt: row["created_at"], expiresAt: row["expires_at"], revokedAt: row["revoked_at"],
            lastUsedAt: row["last_used_at"])
    }

    /// Stores a new token's SHA-256 (lower-case hex) for an account.
    public func insertToken(accountID: Int64, name: String, sha256: String, createdAt: Date, expiresAt: Date?)
        throws(StoreError) -> APITokenRecord
    {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO api_tokens (account_id, name, token_sha256, created_at, expires_at)
                    VALUES (?, ?, ?, ?, ?)
                    """,
                arguments: [accountID, name, sha256, Timestamp.string(createdAt), expiresAt.map(Timestamp.string)])
            let id = db.lastInsertedRowID
            guard let row = try Row.fetchOne(db, sql: Self.tokenSelect + " WHERE t.id = ?", arguments: [id]) else {
                throw StoreError.database(path: "", reason: "the new API token was not found after insert")
            }
            return Self.tokenRecord(row)
        }
    }

    /// The token whose SHA-256 (lower-case hex) is `sha256`, whatever its state.
    public func token(sha256: String) throws(StoreError) -> APITokenRecord? {
        try read { db in
            try Row.fetchOne(db, sql: Self.tokenSelect + " WHERE t.token_sha256 = ?", arguments: [sha256])
                .map(Self.tokenRecord)
        }
    }

    /// The token with id `id`, whatever its state.
    public func token(id: Int64) throws(StoreError) -> APITokenRecord? {
        try read { db in
            try Row.fetchOne(db, sql: Self.tokenSelect + " WHERE t.id = ?", arguments: [id]).map(Self.tokenRecord)
        }
    }

    /// Every token of an account, oldest first.
    public func tokens(accountID: Int64) throws(StoreError) -> [APITokenRecord] {
        try read { db in
            try Row.fetchAll(
                db, sql: Self.tokenSelect + " WHERE t.account_id = ? ORDER BY t.id", arguments: [accountID]
            )
            .map(Self.tokenRecord)
        }
    }

    /// Revokes the token `id` (a token already revoked keeps its first revocation time). Returns the token, or
    /// nil when there is none with that id.
    public func revokeToken(id: Int64, at: Date) throws(StoreError) -> APITokenRecord? {
        try write { db in
            try db.execute(
                sql: "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                arguments: [Timestamp.string(at), id])
            return try Row.fetchOne(db, sql: Self.tokenSelect + " WHERE t.id = ?", arguments: [id])
                .map(Self.tokenRecord)
        }
    }

    /// Records that the token `id` was accepted at `at`.
    public func touchToken(id: Int64, at: Date) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", arguments: [Timestamp.string(at), id])
        }
    }
}
