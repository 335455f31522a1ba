import Foundation
internal import GRDB

/// One browser session as stored. The session's cookie value is never stored, only its SHA-256.
public struct SessionRecord: Sendable, Equatable {
    /// SHA-256 (lower-case hex) of the cookie value.
    public var idSHA256: String
    /// The signed-in account's stored id.
    public var accountID: Int64
    /// When it was created (store time text).
    public var createdAt: String
    /// When it ends at the latest (store time text).
    public var expiresAt: String
    /// When it was last used (store time text).
    public var lastSeenAt: String
    /// The client address it was created from, if known.
    public var clientAddress: String?

    /// Creates a record.
    public init(
        idSHA256: String, accountID: Int64, createdAt: String, expiresAt: String, lastSeenAt: String,
        clientAddress: String?
    ) {
        self.idSHA256 = idSHA256
        self.accountID = accountID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastSeenAt = lastSeenAt
        self.clientAddress = clientAddress
    }
}

extension AnnulusStore {
    static let sessionColumns = "id_sha256, account_id, created_at, expires_at, last_seen_at, client_address"

    static func sessionRecord(_ row: Row) -> SessionRecord {
        SessionRecord(
            idSHA256: row["id_sha256"], accountID: row["account_id"], createdAt: row["created_at"],
            expiresAt: row["expires_at"], lastSeenAt: row["last_seen_at"], clientAddress: row["client_address"])
    }

    /// Stores a new session.
    public func insertSession(_ session: SessionRecord) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "INSERT INTO sessions (\(Self.sessionColumns)) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [
                    session.idSHA256, session.accountID, session.createdAt, session.expiresAt, session.lastSeenAt,
                    session.clientAddress,
                ])
        }
    }

    /// The session whose cookie value hashes to `idSHA256`, whatever its expiry.
    public func session(idSHA256: String) throws(StoreError) -> SessionRecord? {
        try read { db in
            try Row.fetchOne(
                db, sql: "SELECT \(Self.sessionColumns) FROM sessions WHERE id_sha256 = ?", arguments: [idSHA256]
            ).map(Self.sessionRecord)
        }
    }

    /// Every session of an account, oldest first.
    public func sessions(accountID: Int64) throws(StoreError) -> [SessionRecord] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT \(Self.sessionColumns) FROM sessions WHERE account_id = ? ORDER BY created_at",
                arguments: [accountID]
            ).map(Self.sessionRecord)
        }
    }

    /// Records that the session was used at `at`.
    public func touchSession(idSHA256: String, at: Date) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "UPDATE sessions SET last_seen_at = ? WHERE id_sha256 = ?",
                arguments: [Timestamp.string(at), idSHA256])
        }
    }

    /// Ends one session (sign-out). Returns whether it existed.
    @discardableResult
    public func deleteSession(idSHA256: String) throws(StoreError) -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE id_sha256 = ?", arguments: [idSHA256])
            return db.changesCount > 0
        }
    }

    /// Ends every session of an account. Returns how many there were.
    @discardableResult
    public func deleteSessions(accountID: Int64) throws(StoreError) -> Int {
        try write { db in
            try db.execute(sql: "DELETE FROM sessions WHERE account_id = ?", arguments: [accountID])
            return db.changesCount
        }
    }

    /// Removes the sessions that expired at or before `now`, or were last seen before `idleSince` when given.
    /// Returns how many were removed.
    @discardableResult
    public func deleteExpiredSessions(now: Date, idleSince: Date? = nil) throws(StoreError) -> Int {
        try write { db in
            try db.execute(
                sql: "DELETE FROM sessions WHERE expires_at <= ? OR (? IS NOT NULL AND last_seen_at < ?)",
                arguments: [
                    Timestamp.string(now), idleSince.map(Timestamp.string), idleSince.map(Timestamp.string),
                ])
            return db.changesCount
        }
    }
}
