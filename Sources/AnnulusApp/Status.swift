import AnnulusRecords
import Foundation
import Store

/// The watchers' state from the store, with what the store alone cannot say: whether each watcher is running
/// (not stopped, a recent heartbeat, its process alive) and whether a silent one's process is still alive.
public struct StatusReport: Sendable, Equatable {
    /// One watcher.
    public struct WatcherState: Sendable, Equatable {
        /// Its heartbeat as stored.
        public var watcher: WatchStatus.Watcher
        /// Not stopped, a heartbeat in the last 30 s (it beats every 2 s), and its process alive.
        public var running: Bool
        /// Its process exists (also when it has gone silent, e.g. unable to write a full disk).
        public var processAlive: Bool
    }

    /// The state as stored.
    public var status: WatchStatus
    /// Each watcher.
    public var watchers: [WatcherState]
    /// Seconds since 1970 when the report was made.
    public var now: Double

    /// Files queued in the running watchers.
    public var queued: Int { watchers.filter(\.running).reduce(0) { $0 + $1.watcher.queued } }
}

/// The status as `annulus status --json` prints it (and the API returns it).
public struct StatusView: Sendable, Encodable, Equatable {
    /// One watcher.
    public struct Watcher: Sendable, Encodable, Equatable {
        /// The watched folder.
        public var folder: String
        /// Its process id.
        public var pid: Int
        /// Whether it is running.
        public var running: Bool
        /// When it started.
        public var startedAt: String
        /// Its latest heartbeat.
        public var heartbeatAt: String
        /// Files in its queue.
        public var queued: Int
        /// When it stopped cleanly.
        public var stoppedAt: String?
        /// What it waits for.
        public var waiting: String?
        /// Since when.
        public var waitingSince: String?
        /// Failed attempts while waiting.
        public var retries: Int
        /// The next attempt (ISO 8601).
        public var retryAt: String?
        /// Files it cannot read.
        public var unreadable: Int
    }

    /// Each watcher.
    public var watchers: [Watcher]
    /// Files taken, by outcome.
    public var files: [String: Int]
    /// Files queued in running watchers.
    public var queued: Int
    /// Studies pending, complete and failed.
    public var studies: [String: Int]
    /// Files quarantined.
    public var quarantined: Int
    /// The latest quarantines and errors.
    public var lastProblems: [WatchEvent]
    /// The latest completions.
    public var lastCompleted: [WatchEvent]
    /// The failed studies.
    public var failedStudies: [WatchStatus.FailedStudy]

    /// The view of a report.
    public init(_ report: StatusReport) {
        let status = report.status
        watchers = report.watchers.map { state in
            let watcher = state.watcher
            return Watcher(
                folder: watcher.folder, pid: watcher.pid, running: state.running, startedAt: watcher.startedAt,
                heartbeatAt: watcher.heartbeatAt, queued: watcher.queued, stoppedAt: watcher.stoppedAt,
                waiting: watcher.waiting, waitingSince: watcher.waitingSince, retries: watcher.retries,
                retryAt: watcher.retryAt.map { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: $0)) },
                unreadable: watcher.unreadable)
        }
        files = status.files
        queued = report.queued
        studies = [
            "pending": status.pendingStudies, "complete": status.completeStudies, "failed": status.failedStudies,
        ]
        quarantined = status.files["quarantined"] ?? 0
        lastProblems = status.lastProblems
        lastCompleted = status.lastCompleted
        failedStudies = status.failed
    }
}

extension UseCases {
    /// What the watchers have done and what waits: each watcher (running or not), files by outcome, studies
    /// pending, complete and failed, the last problems and completions.
    public func status(by principal: Principal) async throws(AppError) -> StatusReport {
        try await perform {
            let status = try self.environment.store.watchStatus()
            let now = self.environment.clock().timeIntervalSince1970
            return StatusReport(
                status: status,
                watchers: status.watchers.map { watcher in
                    let alive = kill(pid_t(watcher.pid), 0) == 0
                    return StatusReport.WatcherState(
                        watcher: watcher, running: watcher.stoppedAt == nil && now - watcher.heartbeat < 30 && alive,
                        processAlive: alive)
                }, now: now)
        }
    }
}
