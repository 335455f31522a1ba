import Foundation
import AnnulusRecords
internal import GRDB

/// A source file the watcher looked at: where it is and the size and modification time it had.
public struct WatchedFile: Sendable, Equatable, Hashable {
    /// The file's absolute path in the watched folder.
    public var path: String
    /// Its size in bytes.
    public var size: Int64
    /// Its modification time in nanoseconds since 1970.
    public var mtimeNanoseconds: Int64

    /// Creates a description of a source file.
    public init(path: String, size: Int64, mtimeNanoseconds: Int64) {
        self.path = path
        self.size = size
        self.mtimeNanoseconds = mtimeNanoseconds
    }
}

/// What the watcher did with a source file, as the ledger remembers it.
public enum WatchFileOutcome: String, Sendable, Codable, CaseIterable {
    /// A new instance, indexed and archived.
    case added
    /// The same SOP Instance UID with the same content was already indexed: skipped and counted.
    case duplicate
    /// The same SOP Instance UID with other content: the newer file is indexed, the older kept in the archive.
    case replaced
    /// Not indexable (not DICOM, malformed, unsupported, over a limit): moved to the quarantine with a reason.
    case quarantined
}

/// One ledger row.
public struct WatchLedgerEntry: Sendable, Equatable {
    /// The file as it was when taken.
    public var file: WatchedFile
    /// What was done.
    public var outcome: WatchFileOutcome
    /// The instance, when indexed.
    public var sopInstanceUID: String?
    /// The archive path, or the quarantine path and reason.
    public var detail: String

    /// True when `file` is the same file (same size and modification time) as the one the ledger took.
    public func matches(_ other: WatchedFile) -> Bool {
        file.size == other.size && file.mtimeNanoseconds == other.mtimeNanoseconds
    }
}

/// An instance that arrived in the watched folder, its record pointing at the archived copy.
public struct WatchArrival: Sendable {
    /// The index record (its `path` is the archive path).
    public var record: InstanceRecord
    /// The source file it came from.
    public var source: WatchedFile
    /// How many instances the study should have, when the header says (Number of Study Related Instances).
    public var expectedStudyInstances: Int?

    /// Creates an arrival.
    public init(record: InstanceRecord, source: WatchedFile, expectedStudyInstances: Int?) {
        self.record = record
        self.source = source
        self.expectedStudyInstances = expectedStudyInstances
    }
}

/// A study the watcher has seen instances of.
public struct WatchStudy: Sendable, Equatable {
    /// Study Instance UID.
    public var studyUID: String
    /// Pending until quiet long enough (and complete by count when the headers say how many), then complete or
    /// failed.
    public var state: WatchStudyState
    /// The completion finished without a failure.
    public var isComplete: Bool { state == .complete }
    /// Seconds since 1970 of the first and the latest new instance.
    public var firstArrival: Double
    /// Seconds since 1970 of the latest new instance.
    public var lastArrival: Double
    /// New instances received (duplicates not counted).
    public var instancesReceived: Int
    /// The count the headers announce, if any.
    public var expectedInstances: Int?
    /// When it completed (ISO 8601), and what completion did (a summary for people).
    public var completedAt: String?
    /// What the completion did or why it failed.
    public var completion: String?
    /// Completions started since the last new instance.
    public var attempts: Int
    /// For failed studies, the reason code (`completion-failed`, `completion-crashed`, `completion-timeout`,
    /// `previews-failed`).
    public var failure: String?
}

/// Where a watched study is in its life.
public enum WatchStudyState: String, Sendable, Codable, CaseIterable {
    /// Waiting for quiet (and the announced count).
    case pending
    /// Completed: previews, pre-triage and export done.
    case complete
    /// The completion failed; not retried until a new instance arrives.
    case failed
}

/// What a watcher reports in its heartbeat besides being alive.
public struct WatcherState: Sendable, Equatable {
    /// What it waits for when a batch cannot be taken (a full disk), for people; nil when not waiting.
    public var waiting: String?
    /// Since when (ISO 8601).
    public var waitingSince: String?
    /// Failed attempts so far.
    public var retries: Int
    /// Seconds since 1970 of the next attempt.
    public var retryAt: Double?
    /// Files left in place because they cannot be read.
    public var unreadable: Int

    /// Creates a state (by default: not waiting, nothing unreadable).
    public init(
        waiting: String? = nil, waitingSince: String? = nil, retries: Int = 0, retryAt: Double? = nil,
        unreadable: Int = 0
    ) {
        self.waiting = waiting
        self.waitingSince = waitingSince
        self.retries = retries
        self.retryAt = retryAt
        self.unreadable = unreadable
    }
}

extension AnnulusStore {
    /// The ledger rows of these source paths (absent when never taken).
    public func ledgerEntries(_ paths: [String]) throws(StoreError) -> [String: WatchLedgerEntry] {
        guard !paths.isEmpty else { return [:] }
        return try read { db in
            var entries: [String: WatchLedgerEntry] = [:]
            let statement = try db.cachedStatement(
                sql: """
                    SELECT source_path, size, mtime_ns, outcome, sop_instance_uid, detail
                    FROM watch_files WHERE source_path = ?
                    """)
            for path in paths {
                guard let row = try Row.fetchOne(statement, arguments: [path]) else { continue }
                entries[path] = WatchLedgerEntry(
                    file: WatchedFile(path: path, size: row["size"], mtimeNanoseconds: row["mtime_ns"]),
                    outcome: WatchFileOutcome(rawValue: row["outcome"]) ?? .added,
                    sopInstanceUID: row["sop_instance_uid"], detail: row["detail"])
            }
            return entries
        }
    }

    /// The content hash and path of the indexed instances among `sopInstanceUIDs` (absent when not indexed).
    public func indexedContent(_ sopInstanceUIDs: [String]) throws(StoreError) -> [String: (
        sha256: String, path: String
    )] {
        guard !sopInstanceUIDs.isEmpty else { return [:] }
        return try read { db in
            var found: [String: (sha256: String, path: String)] = [:]
            let statement = try db.cachedStatement(
                sql: "SELECT content_sha256, path FROM instances WHERE sop_instance_uid = ?")
            for uid in sopInstanceUIDs {
                if let row = try Row.fetchOne(statement, arguments: [uid]) {
                    found[uid] = (row["content_sha256"], row["path"])
                }
            }
            return found
        }
    }

    /// Records a batch of arrivals in one transaction: each instance is indexed (added, unchanged or replaced),
    /// its source file entered in the ledger, and its study's arrival clock advanced (a new or replaced
    /// instance makes a complete study pending again). Outcomes are in arrival order.
    public func recordArrivals(_ arrivals: [WatchArrival], now: Double = Date().timeIntervalSince1970)
        throws(StoreError) -> [IngestOutcome]
    {
        guard !arrivals.isEmpty else { return [] }
        var rows: [IngestRow] = []
        for arrival in arrivals { rows.append(try IngestRow(arrival.record)) }
        return try write { db in
            let at = Timestamp.nowText()
            var outcomes: [IngestOutcome] = []
            for (arrival, row) in zip(arrivals, rows) {
                let outcome = try Self.ingest(row, indexedAt: at, db)
                outcomes.append(outcome)
                let ledgerOutcome: WatchFileOutcome
                switch outcome {
                case .added: ledgerOutcome = .added
                case .unchanged: ledgerOutcome = .duplicate
                case .replaced(let previous):
                    ledgerOutcome = .replaced
                    try Self.appendEvent(
                        "replaced",
                        "SOP Instance \(arrival.record.sopInstanceUID) arrived with other content: the new file is "
                            + "indexed, the previous one kept as \(previous)", at: at, db)
                }
                try Self.upsertLedger(
                    arrival.source, outcome: ledgerOutcome, sop: arrival.record.sopInstanceUID,
                    study: arrival.record.studyInstanceUID, detail: arrival.record.path, at: at, db)
                if ledgerOutcome != .duplicate {
                    try db.cachedStatement(
                        sql: """
                            INSERT INTO watch_studies (study_uid, state, first_arrival, last_arrival,
                                instances_received, expected_instances)
                            VALUES (?, 'pending', ?, ?, 1, ?)
                            ON CONFLICT (study_uid) DO UPDATE SET
                                state = 'pending', last_arrival = excluded.last_arrival,
                                instances_received = instances_received + 1,
                                expected_instances = CASE WHEN excluded.expected_instances IS NULL
                                    THEN expected_instances
                                    ELSE max(coalesce(expected_instances, 0), excluded.expected_instances) END,
                                completed_at = NULL, attempts = 0, failure = NULL
                            """
                    ).execute(arguments: [arrival.record.studyInstanceUID, now, now, arrival.expectedStudyInstances])
                } else {
                    // Known to be in this study: make sure the study is tracked (a store filled by `ingest`).
                    try db.cachedStatement(
                        sql: """
                            INSERT INTO watch_studies (study_uid, state, first_arrival, last_arrival,
                                instances_received, expected_instances)
                            VALUES (?, 'pending', ?, ?, 0, ?)
                            ON CONFLICT (study_uid) DO NOTHING
                            """
                    ).execute(arguments: [arrival.record.studyInstanceUID, now, now, arrival.expectedStudyInstances])
                }
            }
            return outcomes
        }
    }

    /// Records a quarantined source file: the ledger row and an event with the reason.
    public func recordQuarantine(_ source: WatchedFile, quarantinePath: String, reason: String) throws(StoreError) {
        try write { db in
            let at = Timestamp.nowText()
            try Self.upsertLedger(
                source, outcome: .quarantined, sop: nil, study: nil, detail: quarantinePath + ": " + reason, at: at, db)
            try Self.appendEvent(
                "quarantined", (quarantinePath as NSString).lastPathComponent + ": " + reason, at: at, db)
        }
    }

    /// Appends an event (`error` or `completed`) to the watcher's log.
    public func recordWatchEvent(kind: String, message: String) throws(StoreError) {
        try write { db in try Self.appendEvent(kind, message, at: Timestamp.nowText(), db) }
    }

    /// Studies pending completion whose latest instance arrived at or before `quietSince`.
    public func studiesDue(quietSince: Double) throws(StoreError) -> [WatchStudy] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM watch_studies WHERE state = 'pending' AND last_arrival <= ? ORDER BY rowid",
                arguments: [quietSince]
            ).map(Self.watchStudy)
        }
    }

    /// Every study the watcher tracks.
    public func watchStudies() throws(StoreError) -> [WatchStudy] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM watch_studies ORDER BY rowid").map(Self.watchStudy)
        }
    }

    /// Records that a completion of a pending study starts (before the work, so that a completion that takes the
    /// process down is counted) and returns the attempts so far, this one included.
    @discardableResult
    public func beginCompletion(_ studyUID: String) throws(StoreError) -> Int {
        try write { db in
            try db.execute(
                sql: "UPDATE watch_studies SET attempts = attempts + 1 WHERE study_uid = ? AND state = 'pending'",
                arguments: [studyUID])
            return try Int.fetchOne(
                db, sql: "SELECT attempts FROM watch_studies WHERE study_uid = ?", arguments: [studyUID]) ?? 0
        }
    }

    /// Takes back the attempt `beginCompletion` counted, when the completion was deferred for a reason that is
    /// not the study's (a full disk).
    public func endCompletionAttempt(_ studyUID: String) throws(StoreError) {
        try write { db in
            try db.execute(
                sql:
                    "UPDATE watch_studies SET attempts = max(0, attempts - 1) WHERE study_uid = ? AND state = 'pending'",
                arguments: [studyUID])
        }
    }

    /// Marks a study complete, or failed with `failure` (a reason code), unless an instance arrived after
    /// `lastArrival` (then it stays pending and the method returns false).
    @discardableResult
    public func completeStudy(_ studyUID: String, lastArrival: Double, summary: String, failure: String? = nil)
        throws(StoreError) -> Bool
    {
        try write { db in
            let at = Timestamp.nowText()
            try db.execute(
                sql: """
                    UPDATE watch_studies SET state = ?, completed_at = ?, completion = ?, failure = ?
                    WHERE study_uid = ? AND state = 'pending' AND last_arrival = ?
                    """,
                arguments: [failure == nil ? "complete" : "failed", at, summary, failure, studyUID, lastArrival])
            guard db.changesCount > 0 else { return false }
            if let failure {
                try Self.appendEvent("error", "study \(studyUID) failed (\(failure)): \(summary)", at: at, db)
            } else {
                try Self.appendEvent("completed", "study \(studyUID): \(summary)", at: at, db)
            }
            return true
        }
    }

    /// Studies whose completion failed, newest first.
    public func failedStudies(limit: Int = 20) throws(StoreError) -> [WatchStudy] {
        try read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM watch_studies WHERE state = 'failed' ORDER BY completed_at DESC LIMIT ?",
                arguments: [limit]
            ).map(Self.watchStudy)
        }
    }

    /// Records a watcher's heartbeat with its state (`stopped` when it stops cleanly).
    public func recordHeartbeat(
        folder: String, pid: Int, startedAt: String, queued: Int, state: WatcherState = WatcherState(),
        stopped: Bool = false
    ) throws(StoreError) {
        try write { db in
            let at = Timestamp.nowText()
            try db.execute(
                sql: """
                    INSERT INTO watch_state (folder, pid, started_at, heartbeat_at, heartbeat, queued, stopped_at,
                        waiting, waiting_since, retries, retry_at, unreadable)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (folder) DO UPDATE SET pid = excluded.pid, started_at = excluded.started_at,
                        heartbeat_at = excluded.heartbeat_at, heartbeat = excluded.heartbeat,
                        queued = excluded.queued, stopped_at = excluded.stopped_at, waiting = excluded.waiting,
                        waiting_since = excluded.waiting_since, retries = excluded.retries,
                        retry_at = excluded.retry_at, unreadable = excluded.unreadable
                    """,
                arguments: [
                    folder, pid, startedAt, at, Date().timeIntervalSince1970, queued, stopped ? at : nil,
                    state.waiting, state.waitingSince, state.retries, state.retryAt, state.unreadable,
                ])
        }
    }

    /// Copies the write-ahead log into the database file (a passive checkpoint: it waits for no reader), so that
    /// the next write starts the log over in the space the log file already has. The watcher does this after each
    /// batch: on a disk that then fills up, its heartbeat and state still fit in the log and `status` can say
    /// what it waits for.
    public func checkpointLog() throws(StoreError) {
        do {
            try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.passive) }
        } catch {
            throw Self.storeError(error, path: path, busyTimeout: busyTimeout, opening: false)
        }
    }

    /// The watcher's state for `annulus status`.
    public func watchStatus(problems: Int = 10) throws(StoreError) -> WatchStatus {
        try read { db in
            let watchers = try Row.fetchAll(db, sql: "SELECT * FROM watch_state ORDER BY folder").map { row in
                WatchStatus.Watcher(
                    folder: row["folder"], pid: row["pid"], startedAt: row["started_at"],
                    heartbeatAt: row["heartbeat_at"], heartbeat: row["heartbeat"], queued: row["queued"],
                    stoppedAt: row["stopped_at"], waiting: row["waiting"], waitingSince: row["waiting_since"],
                    retries: row["retries"], retryAt: row["retry_at"], unreadable: row["unreadable"])
            }
            var files = Dictionary(uniqueKeysWithValues: WatchFileOutcome.allCases.map { ($0.rawValue, 0) })
            for row in try Row.fetchAll(db, sql: "SELECT outcome, count(*) AS n FROM watch_files GROUP BY outcome") {
                files[row["outcome"]] = row["n"]
            }
            let pending = try Int.fetchOne(db, sql: "SELECT count(*) FROM watch_studies WHERE state = 'pending'") ?? 0
            let complete =
                try Int.fetchOne(db, sql: "SELECT count(*) FROM watch_studies WHERE state = 'complete'") ?? 0
            let failedCount =
                try Int.fetchOne(db, sql: "SELECT count(*) FROM watch_studies WHERE state = 'failed'") ?? 0
            let failed = try Row.fetchAll(
                db,
                sql: """
                    SELECT study_uid, failure, completion, completed_at FROM watch_studies WHERE state = 'failed'
                    ORDER BY completed_at DESC LIMIT ?
                    """, arguments: [problems]
            ).map {
                WatchStatus.FailedStudy(
                    studyUID: $0["study_uid"], failure: $0["failure"] ?? "completion-failed",
                    detail: $0["completion"] ?? "", at: $0["completed_at"] ?? "")
            }
            let events = try Row.fetchAll(
                db,
                sql: """
                    SELECT kind, message, at FROM watch_events WHERE kind IN ('quarantined', 'error')
                    ORDER BY id DESC LIMIT ?
                    """, arguments: [problems]
            ).map { WatchEvent(kind: $0["kind"], message: $0["message"], at: $0["at"]) }
            let completions = try Row.fetchAll(
                db, sql: "SELECT kind, message, at FROM watch_events WHERE kind = 'completed' ORDER BY id DESC LIMIT ?",
                arguments: [problems]
            ).map { WatchEvent(kind: $0["kind"], message: $0["message"], at: $0["at"]) }
            return WatchStatus(
                watchers: watchers, files: files, pendingStudies: pending, completeStudies: complete,
                failedStudies: failedCount, failed: failed, lastProblems: events, lastCompleted: completions)
        }
    }

    /// Every ledger row, in the order taken (for tests and audits).
    public func ledger() throws(StoreError) -> [WatchLedgerEntry] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT source_path, size, mtime_ns, outcome, sop_instance_uid, detail FROM watch_files"
                    + " ORDER BY rowid"
            ).map { row in
                WatchLedgerEntry(
                    file: WatchedFile(path: row["source_path"], size: row["size"], mtimeNanoseconds: row["mtime_ns"]),
                    outcome: WatchFileOutcome(rawValue: row["outcome"]) ?? .added,
                    sopInstanceUID: row["sop_instance_uid"], detail: row["detail"])
            }
        }
    }

    private static func upsertLedger(
        _ source: WatchedFile, outcome: WatchFileOutcome, sop: String?, study: String?, detail: String, at: String,
        _ db: Database
    ) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO watch_files (source_path, size, mtime_ns, outcome, sop_instance_uid, study_uid, detail,
                    processed_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (source_path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,
                    outcome = excluded.outcome, sop_instance_uid = excluded.sop_instance_uid,
                    study_uid = excluded.study_uid, detail = excluded.detail, processed_at = excluded.processed_at
                """
        ).execute(arguments: [
            source.path, source.size, source.mtimeNanoseconds, outcome.rawValue, sop, study, detail, at,
        ])
    }

    private static func appendEvent(_ kind: String, _ message: String, at: String, _ db: Database) throws {
        try db.cachedStatement(sql: "INSERT INTO watch_events (at, kind, message) VALUES (?, ?, ?)")
            .execute(arguments: [at, kind, message])
    }

    private static func watchStudy(_ row: Row) -> WatchStudy {
        WatchStudy(
            studyUID: row["study_uid"], state: WatchStudyState(rawValue: row["state"]) ?? .pending,
            firstArrival: row["first_arrival"], lastArrival: row["last_arrival"],
            instancesReceived: row["instances_received"], expectedInstances: row["expected_instances"],
            completedAt: row["completed_at"], completion: row["completion"], attempts: row["attempts"],
            failure: row["failure"])
    }
}
