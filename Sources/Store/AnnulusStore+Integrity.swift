import Foundation
internal import GRDB

/// One problem SQLite's integrity check found, with the table it concerns when that can be told.
public struct IntegrityProblem: Sendable, Equatable, CustomStringConvertible {
    /// The table the problem is in (an index's problem is named by the index's table), when known.
    public var table: String?
    /// The index concerned, when the problem is in an index.
    public var index: String?
    /// SQLite's words (for `foreign_key_check`, a sentence built from its row).
    public var message: String

    /// Creates a problem.
    public init(table: String?, index: String?, message: String) {
        self.table = table
        self.index = index
        self.message = message
    }

    /// "table annotation_versions (index idx_x): row 3 missing from index idx_x", or the message alone.
    public var description: String {
        switch (table, index) {
        case (let table?, let index?): return "table \(table) (index \(index)): \(message)"
        case (let table?, nil): return "table \(table): \(message)"
        case (nil, let index?): return "index \(index): \(message)"
        case (nil, nil): return message
        }
    }
}

/// The result of `AnnulusStore.integrityCheck`.
public struct IntegrityReport: Sendable, Equatable {
    /// Whether the full `integrity_check` ran (else `quick_check`).
    public var full: Bool
    /// Every problem found, at most `limit` of them; empty when the store is sound.
    public var problems: [IntegrityProblem]
    /// Whether the store passed.
    public var isClean: Bool { problems.isEmpty }

    /// Creates a report.
    public init(full: Bool, problems: [IntegrityProblem]) {
        self.full = full
        self.problems = problems
    }

    /// The tables named by the problems, sorted, without repeats.
    public var damagedTables: [String] { Array(Set(problems.compactMap(\.table))).sorted() }
}

extension AnnulusStore {
    /// Checks the store's file with SQLite: `PRAGMA quick_check` (or, with `full`, `integrity_check`, which also
    /// compares every index with its table's rows) and `PRAGMA foreign_key_check`.
    ///
    /// Problems name the table (and index) they concern: tree root pages and index names are mapped through
    /// `sqlite_master`. Damage that stops the check itself (a page SQLite cannot read) is reported as a problem,
    /// not thrown; only a failure to run the check at all (a lock held too long) throws. Read-only. On a normal
    /// store the quick check takes milliseconds (docs/operations.md gives a measurement), so the watcher runs it
    /// at start.
    ///
    /// - Parameters:
    ///   - full: Run `integrity_check` instead of `quick_check`.
    ///   - limit: The most problems to report (SQLite stops after as many).
    public func integrityCheck(full: Bool = false, limit: Int = 100) throws(StoreError) -> IntegrityReport {
        let limit = max(1, limit)
        // Not `pool.read`: SQLite may roll a transaction back when it meets damage, and the failed transaction
        // would then hide what the check found. The check reads without a transaction (it is one statement
        // per pragma), and keeps what it found even if a later step fails.
        nonisolated(unsafe) var found: [IntegrityProblem] = []
        do {
            return try pool.unsafeRead { db in
                var problems: [IntegrityProblem] = []
                defer { found = problems }
                let objects = Self.schemaObjects(db, problems: &problems)
                let pragma = full ? "integrity_check" : "quick_check"
                let (lines, failure) = Self.lines(db, sql: "PRAGMA \(pragma)(\(limit))")
                for line in lines where line != "ok" {
                    for part in line.split(separator: "\n") where !part.hasPrefix("*** in database") {
                        problems.append(objects.problem(String(part), db: db))
                    }
                }
                // SQLite may report what it found and then stop on the damage: keep both.
                if let failure {
                    guard Self.isDamage(failure) else { throw failure }
                    if problems.isEmpty {
                        problems.append(IntegrityProblem(table: nil, index: nil, message: Self.message(failure)))
                    }
                }
                if !problems.isEmpty, !problems.contains(where: { $0.table != nil }) {
                    // Nothing could be attributed by page: check table by table (quick_check(TABLE) covers the
                    // table and its indexes) to name at least the damaged tables.
                    for table in objects.tables {
                        let (lines, failure) = Self.lines(
                            db, sql: "PRAGMA quick_check(\(table.quotedDatabaseIdentifier))")
                        guard lines != ["ok"] || failure != nil else { continue }
                        if lines.isEmpty {
                            for position in problems.indices where problems[position].table == nil {
                                problems[position].table = table
                            }
                            continue
                        }
                        for (position, problem) in problems.enumerated() where problem.table == nil {
                            if lines.contains(where: { $0.contains(problem.message) }) {
                                problems[position].table = table
                            }
                        }
                    }
                }
                if problems.isEmpty {
                    do {
                        for row in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").prefix(limit) {
                            let table: String = row[0] ?? "?"
                            let rowid: Int64? = row[1]
                            let parent: String = row[2] ?? "?"
                            problems.append(
                                IntegrityProblem(
                                    table: table, index: nil,
                                    message: "row \(rowid.map(String.init) ?? "?") refers to a row of \(parent)"
                                        + " that does not exist (foreign key)"))
                        }
                    } catch let error as DatabaseError where Self.isDamage(error) {
                        problems.append(IntegrityProblem(table: nil, index: nil, message: Self.message(error)))
                    }
                }
                return IntegrityReport(full: full, problems: Array(problems.prefix(limit)))
            }
        } catch let error as DatabaseError where Self.isDamage(error) {
            // The connection could not read at all (the schema page is unreadable), or failed after the check.
            return IntegrityReport(
                full: full,
                problems: found.isEmpty
                    ? [IntegrityProblem(table: nil, index: nil, message: Self.message(error))]
                    : Array(found.prefix(limit)))
        } catch {
            throw Self.storeError(error, path: path, busyTimeout: busyTimeout, opening: false)
        }
    }

    /// The rows of a one-column statement up to the first error, and that error.
    private static func lines(_ db: Database, sql: String) -> ([String], DatabaseError?) {
        var lines: [String] = []
        do {
            let cursor = try String.fetchCursor(db, sql: sql)
            while let line = try cursor.next() { lines.append(line) }
            return (lines, nil)
        } catch let error as DatabaseError {
            return (lines, error)
        } catch {
            return (lines, DatabaseError(resultCode: .SQLITE_ERROR, message: "\(error)"))
        }
    }

    private static func isDamage(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_CORRUPT || error.resultCode == .SQLITE_NOTADB
    }

    private static func message(_ error: DatabaseError) -> String {
        error.message ?? "SQLite error \(error.extendedResultCode.rawValue)"
    }

    /// Tables and indexes by name and by root page; a schema that cannot be read is itself a problem.
    private static func schemaObjects(_ db: Database, problems: inout [IntegrityProblem]) -> SchemaObjects {
        var objects = SchemaObjects()
        do {
            for row in try Row.fetchAll(db, sql: "SELECT type, name, tbl_name, rootpage FROM sqlite_master") {
                let type: String = row["type"] ?? ""
                let name: String = row["name"] ?? ""
                let table: String = row["tbl_name"] ?? name
                let root: Int = row["rootpage"] ?? 0
                if type == "index" { objects.tableOfIndex[name] = table }
                if type == "table" { objects.tables.append(name) }
                if root > 0, type == "table" || type == "index" {
                    objects.byRootPage[root] = type == "index" ? (table, name) : (table, nil)
                }
            }
        } catch {
            problems.append(
                IntegrityProblem(
                    table: "sqlite_master", index: nil,
                    message: "the schema cannot be read: \((error as? DatabaseError).map(message) ?? "\(error)")"))
        }
        return objects
    }

    /// Names from the schema, for attributing SQLite's messages to tables.
    private struct SchemaObjects {
        var tables: [String] = []
        var tableOfIndex: [String: String] = [:]
        var byRootPage: [Int: (table: String, index: String?)] = [:]

        /// `message` with its table and index: "row 3 missing from index X", "wrong # of entries in index X",
        /// "non-unique entry in UNIQUE index X" name an index; "Tree 7 page 9 …" names a tree by its root page;
        /// "Page 21: …" names a page, whose tree is found through the root pages, else through `dbstat` (when
        /// SQLite has it, and the page is still reachable).
        func problem(_ message: String, db: Database) -> IntegrityProblem {
            let words = message.split(separator: " ").map {
                $0.trimmingCharacters(in: CharacterSet(charactersIn: ":,"))
            }
            if let position = words.firstIndex(of: "index"), position + 1 < words.count {
                let index = words[position + 1]
                if let table = tableOfIndex[index] {
                    return IntegrityProblem(table: table, index: index, message: message)
                }
            }
            var page: Int?
            if let position = words.firstIndex(where: { $0.lowercased() == "tree" }), position + 1 < words.count {
                page = Int(words[position + 1])
            } else if let position = words.firstIndex(where: { $0.lowercased() == "page" }), position + 1 < words.count,
                !message.hasSuffix("is never used")
            {
                page = Int(words[position + 1])
            }
            guard let page else { return IntegrityProblem(table: nil, index: nil, message: message) }
            if let owner = byRootPage[page] {
                return IntegrityProblem(table: owner.table, index: owner.index, message: message)
            }
            if let name = try? String.fetchOne(db, sql: "SELECT name FROM dbstat WHERE pageno = ?", arguments: [page]) {
                if let table = tableOfIndex[name] {
                    return IntegrityProblem(table: table, index: name, message: message)
                }
                return IntegrityProblem(table: name, index: nil, message: message)
            }
            return IntegrityProblem(table: nil, index: nil, message: message)
        }
    }
}
