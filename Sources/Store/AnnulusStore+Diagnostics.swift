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

/// The query plans of a study search (`EXPLAIN QUERY PLAN` detail lines, in order).
struct StudySearchPlans {
    /// The count of all matches.
    var count: [String]
    /// The UIDs of the page's studies.
    var page: [String]
    /// The summaries of the page's studies (for `pageSize` studies).
    var summaries: [String]
    /// Their annotation counts.
    var annotations: [String]
}

extension AnnulusStore {
    /// The plans SQLite makes for `searchStudies(filter, from: start, limit:)`, the summaries of a page of
    /// `limit` studies included. For tests that check the search uses the indexes meant for it.
    func studySearchPlans(_ filter: StudyFilter, from start: StudyPageStart, limit: Int) throws(StoreError)
        -> StudySearchPlans
    {
        let search = Self.searchStatements(filter, from: start, limit: limit)
        let summaries = Self.summaryStatements(.studies((0..<search.limit).map { "1.2.\($0)" }))
        return try read { db in
            func plan(_ sql: String, _ arguments: StatementArguments) throws -> [String] {
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] }
            }
            return StudySearchPlans(
                count: try plan(search.count.sql, search.count.arguments),
                page: try plan(search.page.sql, search.page.arguments),
                summaries: try plan(summaries.studies, summaries.arguments),
                annotations: try plan(summaries.annotations, summaries.arguments))
        }
    }
}
