import AnnulusApp
import Accounts
import ArgumentParser
import DicomIO
import Foundation
import Store
import TextSafety

/// `annulus audit`: reads the append-only audit trail, or writes it to a JSON Lines file for archiving.
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Read the audit trail: who did what to which study, finding or account, when, and how it ended.",
        discussion: """
            Rows are oldest first. --since and --until take a date (YYYY-MM-DD, UTC midnight) or a time \
            (2026-05-06T14:03:07Z). --account matches the actor exactly: an account name, cli-user:NAME for the \
            command line, or anonymous. --action is exact (user.add) or a whole area (user.*). --out FILE writes \
            the rows as JSON Lines, atomically, readable only by you: the way to archive the trail (docs/operations.md). \
            Reading the trail is itself audited (audit.read, audit.export).
            """)

    @Option(help: ArgumentHelp("Rows at or after this date or time.", valueName: "date"))
    var since: String?

    @Option(help: ArgumentHelp("Rows before this date or time.", valueName: "date"))
    var until: String?

    @Option(help: ArgumentHelp("Rows of this actor (account name, cli-user:NAME or anonymous).", valueName: "name"))
    var account: String?

    @Option(help: ArgumentHelp("Rows of this action (user.add) or area (user.*).", valueName: "action"))
    var action: String?

    @Option(help: ArgumentHelp("At most the latest N rows.", valueName: "n"))
    var limit: Int?

    @Flag(help: "One JSON object per row (JSON Lines).")
    var json = false

    @Option(help: ArgumentHelp("Write the rows as JSON Lines to this file (atomically) instead.", valueName: "file"))
    var out: String?

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        for (flag, value) in [("--since", since), ("--until", until)] {
            if let value, Self.time(value) == nil {
                throw ValidationError(
                    "\(flag) takes a date (2026-05-06) or a UTC time (2026-05-06T14:03:07Z), got '\(value.terminalSafe)'"
                )
            }
        }
        if let limit, limit < 1 { throw ValidationError("--limit must be at least 1 (got \(limit))") }
        if out?.isEmpty == true { throw ValidationError("--out needs a file (got an empty value)") }
        if out != nil && json { throw ValidationError("--out writes JSON Lines already: give --out FILE or --json") }
    }

    /// The store time text of a date (`YYYY-MM-DD`, UTC midnight) or a time (`…T…Z`); nil when neither.
    static func time(_ text: String) -> String? {
        let candidate = text.count == 10 ? text + "T00:00:00Z" : text
        return StoreTimestamp.date(candidate).map(StoreTimestamp.string)
    }

    mutating func run() async throws {
        try global.bootstrap()
        let store = try storeOptions.open()
        let trail = AuditTrail(store: store)
        let filter = AuditFilter(
            since: since.flatMap(Self.time), until: until.flatMap(Self.time), actor: account, action: action,
            limit: limit)
        let described = Self.describe(filter)
        let out = self.out
        let records = try CommandAudit(store: store).run(
            out == nil ? AuditAction.auditRead : AuditAction.auditExport, resourceType: "audit", resourceIDs: [],
            detail: {
                "\($0.count) row(s)" + (described.isEmpty ? "" : "; " + described) + (out.map { "; to \($0)" } ?? "")
            }
        ) { () throws -> [AuditRecord] in
            let records = try AccountsCLI.mapped { try trail.records(filter) }
            if let out { try Self.write(records, to: out) }
            return records
        }
        let output = OutputLines()
        if let out {
            output.write("wrote \(records.count) audit row(s) to \(out.terminalSafe)")
            return
        }
        if json {
            for record in records { output.write(JSONLine.encode(record)) }
            return
        }
        guard !records.isEmpty else {
            output.write("no audit rows" + (described.isEmpty ? "" : " match " + described.terminalSafe))
            return
        }
        var rows = [["TIME", "ACTOR", "ACTION", "RESOURCES", "OUTCOME", "ADDRESS", "DETAIL"]]
        for record in records {
            let resources =
                record.resourceIDs.isEmpty
                ? "-"
                : (record.resourceType.map { $0 + " " } ?? "")
                    + record.resourceIDs.joined(separator: ",")
            let outcome = record.outcome.rawValue + (record.statusCode.map { " \($0)" } ?? "")
            rows.append([
                record.at, record.actor, record.action, resources, outcome, record.clientAddress ?? "-", record.detail,
            ])
        }
        output.write(TextTable.render(rows))
    }

    /// The filter in words, for the audit row and the empty answer.
    static func describe(_ filter: AuditFilter) -> String {
        [
            filter.since.map { "since \($0)" }, filter.until.map { "until \($0)" }, filter.actor.map { "actor \($0)" },
            filter.action.map { "action \($0)" }, filter.limit.map { "latest \($0)" },
        ].compactMap { $0 }.joined(separator: ", ")
    }

    /// Writes `records` as JSON Lines to `path` atomically (temporary file, fsync, rename), mode 0600.
    static func write(_ records: [AuditRecord], to path: String) throws {
        let data = AuditTrail.jsonLines(records)
        do {
            try AtomicFile.write(to: path) { temporary in
                guard
                    FileManager.default.createFile(
                        atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600])
                else { throw AtomicFile.WriteError(path: path, reason: "cannot create a file in its folder") }
            }
        } catch {
            throw AppError.unavailable(
                "cannot write the audit rows to \(path.terminalSafe): \(error)", code: "audit-export")
        }
    }
}
