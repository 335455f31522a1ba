/// What `annulus status` shows.
public struct WatchStatus: Sendable, Equatable, Codable {
    /// A watcher's heartbeat.
    public struct Watcher: Sendable, Equatable, Codable {
        /// The watched folder.
        public var folder: String
        /// Its process id.
        public var pid: Int
        /// When it started, and its latest heartbeat (ISO 8601).
        public var startedAt: String
        /// The latest heartbeat.
        public var heartbeatAt: String
        /// Seconds since 1970 of the latest heartbeat.
        public var heartbeat: Double
        /// Files waiting in its queue at the heartbeat.
        public var queued: Int
        /// When it stopped cleanly (nil while running or after a crash).
        public var stoppedAt: String?
        /// What it is waiting for, when a batch cannot be taken (e.g. "disk full on /data (free 0 B)").
        public var waiting: String?
        /// Since when it has been waiting (ISO 8601).
        public var waitingSince: String?
        /// Failed attempts while waiting.
        public var retries: Int
        /// Seconds since 1970 of the next attempt, while waiting.
        public var retryAt: Double?
        /// Files it cannot read (a permission), left in place.
        public var unreadable: Int

        /// Creates a watcher's state.
        public init(
            folder: String, pid: Int, startedAt: String, heartbeatAt: String, heartbeat: Double, queued: Int,
            stoppedAt: String?, waiting: String?, waitingSince: String?, retries: Int, retryAt: Double?,
            unreadable: Int
        ) {
            self.folder = folder
            self.pid = pid
            self.startedAt = startedAt
            self.heartbeatAt = heartbeatAt
            self.heartbeat = heartbeat
            self.queued = queued
            self.stoppedAt = stoppedAt
            self.waiting = waiting
            self.waitingSince = waitingSince
            self.retries = retries
            self.retryAt = retryAt
            self.unreadable = unreadable
        }
    }

    /// Every watcher that has run on this store.
    public var watchers: [Watcher]
    /// Files taken, by outcome (every outcome present, zero included).
    public var files: [String: Int]
    /// Studies pending completion.
    public var pendingStudies: Int
    /// Studies complete.
    public var completeStudies: Int
    /// Studies whose completion failed (not retried until a new instance arrives).
    public var failedStudies: Int
    /// The failed studies, newest first: what failed and why.
    public var failed: [FailedStudy]

    /// A study whose completion failed.
    public struct FailedStudy: Sendable, Equatable, Codable {
        /// Study Instance UID.
        public var studyUID: String
        /// The reason code.
        public var failure: String
        /// What happened, for people.
        public var detail: String
        /// When (ISO 8601 UTC).
        public var at: String

        /// Creates a failed study.
        public init(studyUID: String, failure: String, detail: String, at: String) {
            self.studyUID = studyUID
            self.failure = failure
            self.detail = detail
            self.at = at
        }
    }
    /// The latest quarantines and errors, newest first.
    public var lastProblems: [WatchEvent]
    /// The latest study completions (what each did: previews, pre-triage, export), newest first.
    public var lastCompleted: [WatchEvent]

    /// Creates a status.
    public init(
        watchers: [Watcher], files: [String: Int], pendingStudies: Int, completeStudies: Int, failedStudies: Int,
        failed: [FailedStudy], lastProblems: [WatchEvent], lastCompleted: [WatchEvent]
    ) {
        self.watchers = watchers
        self.files = files
        self.pendingStudies = pendingStudies
        self.completeStudies = completeStudies
        self.failedStudies = failedStudies
        self.failed = failed
        self.lastProblems = lastProblems
        self.lastCompleted = lastCompleted
    }
}

/// A line of the watcher's event log.
public struct WatchEvent: Sendable, Equatable, Codable {
    /// quarantined, replaced, error or completed.
    public var kind: String
    /// For people; never a patient name or ID.
    public var message: String
    /// ISO 8601 UTC.
    public var at: String

    /// Creates an event.
    public init(kind: String, message: String, at: String) {
        self.kind = kind
        self.message = message
        self.at = at
    }
}
