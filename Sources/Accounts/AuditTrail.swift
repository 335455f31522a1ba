import Foundation
import Store

/// Writes and reads the append-only audit trail.
///
/// Rows name resources by Study Instance UID, annotation id, account name or token id; a `detail` is for people and
/// must hold no password, token, patient name or patient ID. Faces write one row per request that reads or changes
/// patient data or accounts, with how it ended.
public struct AuditTrail: Sendable {
    /// The store holding the trail.
    public let store: AnnulusStore
    /// The current time (injected for tests).
    public let clock: @Sendable () -> Date

    /// The longest detail kept, in characters (longer text is cut and marked with `…`).
    public static let maximumDetailLength = 500

    /// Creates the trail over `store`.
    public init(store: AnnulusStore, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.clock = clock
    }

    /// Appends one row and returns it as stored.
    @discardableResult
    public func record(
        _ actor: AuditActor, action: String, resourceType: String? = nil, resourceIDs: [String] = [],
        clientAddress: String? = nil, outcome: AuditRecord.Outcome, statusCode: Int? = nil, detail: String = ""
    ) throws(AccountError) -> AuditRecord {
        let detail =
            detail.count > Self.maximumDetailLength ? String(detail.prefix(Self.maximumDetailLength - 1)) + "…" : detail
        let entry = AuditRecord(
            at: StoreTimestamp.string(clock()), actor: actor.text, action: action, resourceType: resourceType,
            resourceIDs: resourceIDs, clientAddress: clientAddress, outcome: outcome, statusCode: statusCode,
            detail: detail)
        return try AccountDirectory.storeCall { () throws(StoreError) in try store.appendAudit(entry) }
    }

    /// The rows matching `filter`, oldest first.
    public func records(_ filter: AuditFilter = AuditFilter()) throws(AccountError) -> [AuditRecord] {
        try AccountDirectory.storeCall { () throws(StoreError) in try store.auditRecords(filter) }
    }

    /// The rows as JSON Lines: one JSON object per line, keys sorted, each line ending in a newline. The format of
    /// `annulus audit --json` and of archive files.
    public static func jsonLines(_ records: [AuditRecord]) -> Data {
        var data = Data()
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for record in records {
            guard let line = try? encoder.encode(record) else { continue }
            data.append(line)
            data.append(0x0A)
        }
        return data
    }
}
