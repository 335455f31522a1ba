import Foundation
internal import GRDB

extension AnnulusStore {
    /// Appends one row to the audit trail (append-only: rows are never changed or removed) and returns it with its
    /// id and time. `entry.at` is kept when given (store time text), else the current time is used.
    @discardableResult
    public func appendAudit(_ entry: AuditRecord) throws(StoreError) -> AuditRecord {
        var stored = entry
        if stored.at.isEmpty { stored.at = Timestamp.nowText() }
        let ids = Self.jsonArray(stored.resourceIDs)
        let row = stored
        return try write { db in
            try db.execute(
                sql: """
                    INSERT INTO audit_log (at, actor, action, resource_type, resource_ids, client_address, outcome,
                        status_code, detail)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    row.at, row.actor, row.action, row.resourceType, ids, row.clientAddress, row.outcome.rawValue,
                    row.statusCode, row.detail,
                ])
            var result = row
            result.id = db.lastInsertedRowID
            return result
        }
    }

    /// The audit rows matching `filter`, oldest first (with `limit`, the latest rows, still oldest first).
    public func auditRecords(_ filter: AuditFilter = AuditFilter()) throws(StoreError) -> [AuditRecord] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let since = filter.since {
            conditions.append("at >= ?")
            arguments.append(since)
        }
        if let until = filter.until {
            conditions.append("at < ?")
            arguments.append(until)
        }
        if let actor = filter.actor {
            conditions.append("actor = ? COLLATE NOCASE")
            arguments.append(actor)
        }
        if let action = filter.action {
            let area = action.hasSuffix(".*") ? String(action.dropLast()) : action
            if area.hasSuffix(".") {
                conditions.append("substr(action, 1, ?) = ?")
                arguments.append(area.count)
                arguments.append(area)
            } else {
                conditions.append("action = ?")
                arguments.append(action)
            }
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        let columns =
            "id, at, actor, action, resource_type, resource_ids, client_address, outcome, status_code, detail"
        var sql = "SELECT \(columns) FROM audit_log\(whereClause) ORDER BY id"
        if let limit = filter.limit {
            sql = "SELECT * FROM (SELECT \(columns) FROM audit_log\(whereClause) ORDER BY id DESC LIMIT ?) ORDER BY id"
            arguments.append(max(0, limit))
        }
        let statementArguments = StatementArguments(arguments)
        return try read { db in
            try Row.fetchAll(db, sql: sql, arguments: statementArguments).map { row in
                AuditRecord(
                    id: row["id"], at: row["at"], actor: row["actor"], action: row["action"],
                    resourceType: row["resource_type"], resourceIDs: Self.strings(row["resource_ids"]),
                    clientAddress: row["client_address"],
                    outcome: AuditRecord.Outcome(rawValue: row["outcome"]) ?? .failed, statusCode: row["status_code"],
                    detail: row["detail"])
            }
        }
    }

    private static func jsonArray(_ values: [String]) -> String {
        guard let data = try? JSONEncoder().encode(values) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    private static func strings(_ text: String?) -> [String] {
        guard let text else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }
}
