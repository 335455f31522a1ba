import Foundation
internal import GRDB

extension AnnulusStore {
    static let accountColumns = """
        id, name, display_name, role, password_hash, disabled, created_at, updated_at, password_changed_at
        """

    static func accountRecord(_ row: Row) -> AccountRecord {
        AccountRecord(
            id: row["id"], name: row["name"], displayName: row["display_name"], role: row["role"],
            passwordHash: row["password_hash"], isDisabled: (row["disabled"] as Int64) != 0,
            createdAt: row["created_at"], updatedAt: row["updated_at"], passwordChangedAt: row["password_changed_at"])
    }

    /// How many accounts exist (disabled ones included). Zero means a single-user installation.
    public func accountCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM accounts") ?? 0 }
    }

    /// Creates an account, unless one with the same name (ignoring case) exists.
    ///
    /// - Parameters:
    ///   - name: The sign-in name; stored lower-case (the Accounts module checks its grammar).
    ///   - displayName: The name shown to people.
    ///   - role: The role's raw value.
    ///   - passwordHash: A bcrypt hash (never a password).
    ///   - at: The creation time.
    public func insertAccount(name: String, displayName: String, role: String, passwordHash: String, at: Date)
        throws(StoreError) -> AccountInsertion
    {
        let name = name.lowercased()
        let now = Timestamp.string(at)
        return try write { db in
            if let existing = try Self.account(named: name, db) { return .nameTaken(existing) }
            try db.execute(
                sql: """
                    INSERT INTO accounts (name, display_name, role, password_hash, disabled, created_at, updated_at,
                        password_changed_at)
                    VALUES (?, ?, ?, ?, 0, ?, ?, ?)
                    """,
                arguments: [name, displayName, role, passwordHash, now, now, now])
            guard let created = try Self.account(named: name, db) else {
                throw StoreError.database(path: "", reason: "the new account \(name) was not found after insert")
            }
            return .created(created)
        }
    }

    /// The account named `name` (ignoring case), if any.
    public func account(named name: String) throws(StoreError) -> AccountRecord? {
        try read { db in try Self.account(named: name, db) }
    }

    /// The account with the stored id `id`, if any.
    public func account(id: Int64) throws(StoreError) -> AccountRecord? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.accountColumns) FROM accounts WHERE id = ?", arguments: [id])
                .map(Self.accountRecord)
        }
    }

    /// Every account, by name.
    public func accounts() throws(StoreError) -> [AccountRecord] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT \(Self.accountColumns) FROM accounts ORDER BY name").map(
                Self.accountRecord)
        }
    }

    /// Disables or enables the account named `name`; disabling also ends its browser sessions. Its API tokens are
    /// kept (refused while it is disabled). Returns the updated account, or nil when there is none by that name.
    public func setAccountDisabled(name: String, disabled: Bool, at: Date) throws(StoreError) -> AccountRecord? {
        let now = Timestamp.string(at)
        return try write { db in
            guard let account = try Self.account(named: name, db) else { return nil }
            guard account.isDisabled != disabled else { return account }
            try db.execute(
                sql: "UPDATE accounts SET disabled = ?, updated_at = ? WHERE id = ?",
                arguments: [disabled ? 1 : 0, now, account.id])
            if disabled {
                try db.execute(sql: "DELETE FROM sessions WHERE account_id = ?", arguments: [account.id])
            }
            return try Self.account(named: name, db)
        }
    }

    /// Replaces the password hash of the account named `name` and ends its browser sessions (whoever knew the old
    /// password is signed out). Returns the updated account, or nil when there is none by that name.
    public func setPasswordHash(name: String, passwordHash: String, at: Date) throws(StoreError) -> AccountRecord? {
        let now = Timestamp.string(at)
        return try write { db in
            guard let account = try Self.account(named: name, db) else { return nil }
            try db.execute(
                sql: "UPDATE accounts SET password_hash = ?, updated_at = ?, password_changed_at = ? WHERE id = ?",
                arguments: [passwordHash, now, now, account.id])
            try db.execute(sql: "DELETE FROM sessions WHERE account_id = ?", arguments: [account.id])
            return try Self.account(named: name, db)
        }
    }

    static func account(named name: String, _ db: Database) throws -> AccountRecord? {
        try Row.fetchOne(
            db, sql: "SELECT \(accountColumns) FROM accounts WHERE name = ? COLLATE NOCASE",
            arguments: [name.lowercased()]
        ).map(accountRecord)
    }
}
