internal import GRDB

extension AnnulusStore {
    /// The identifiers of the migrations applied to the file, in order (e.g. `["v1-study-index", …]`).
    public func appliedMigrations() throws(StoreError) -> [String] {
        try read { db in try Schema.migrator.appliedMigrations(db) }
    }

    /// "type name" of every table, index and trigger of the schema, sorted. For tests and diagnostics.
    func schemaObjects() throws(StoreError) -> [String] {
        try read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT type || ' ' || name FROM sqlite_master
                    WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name
                    """)
        }
    }

    /// The value of a pragma as seen by the writer connection (e.g. `journal_mode`, `foreign_keys`,
    /// `busy_timeout`). For tests and diagnostics.
    func pragma(_ name: String) throws(StoreError) -> String? {
        do {
            return try pool.writeWithoutTransaction { db in try String.fetchOne(db, sql: "PRAGMA \(name)") }
        } catch {
            throw Self.storeError(error, path: path, busyTimeout: busyTimeout, opening: false)
        }
    }
}
