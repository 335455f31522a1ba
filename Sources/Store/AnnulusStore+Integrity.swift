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
        do {
            return try pool.read { db in
                var problems: [IntegrityProblem] = []
                let objects = Self.schemaObjects(db, problems: &problems)
                let pragma = full ? "integrity_check" : "quick_check"
                do {
                    for line in try String.fetchAll(db, sql: "PRAGMA \(pragma)(\(limit))") where line != "ok" {
                        for part in line.split(separator: "\n") where !part.hasPrefix("*** in database") {
                            problems.append(objects.problem(String(part)))
                        }
                    }
                } catch let error as DatabaseError where Self.isDamage(error) {
                    problems.append(IntegrityProblem(table: nil, index: nil, message: Self.message(error)))
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
            // The read transaction itself could not start (the schema page is unreadable).
            return IntegrityReport(
                full: full, problems: [IntegrityProblem(table: nil, index: nil, message: Self.message(error))])
        } catch {
            throw Self.storeError(error, path: path, busyTimeout: busyTimeout, opening: false)
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
        var tableOfIndex: [String: String] = [:]
        var byRootPage: [Int: (table: String, index: String?)] = [:]

        /// `message` with its table and index: "row 3 missing from index X", "wrong # of entries in index X",
        /// "non-unique entry in UNIQUE index X" name an index; "Tree 7 page 9 …" names a tree by its root page.
        func problem(_ message: String) -> IntegrityProblem {
            let words = message.split(separator: " ").map(String.init)
            if let position = words.firstIndex(of: "index"), position + 1 < words.count {
                let index = words[position + 1]
                if let table = tableOfIndex[index] { return IntegrityProblem(table: table, index: index, message: message) }
            }
            if let position = words.firstIndex(where: { $0.lowercased() == "tree" }), position + 1 < words.count,
                let root = Int(words[position + 1]), let owner = byRootPage[root]
            {
                return IntegrityProblem(table: owner.table, index: owner.index, message: message)
            }
            return IntegrityProblem(table: nil, index: nil, message: message)
        }
    }
}
