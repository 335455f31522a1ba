import FolderWatch
import Foundation
import Logging
import Store
import Synchronization

/// How the watcher runs.
public struct WatchConfiguration: Sendable {
    /// The watched folder (absolute).
    public var folder: String
    /// Folders inside the watched one that are never taken from (the data folder, the processed folder).
    public var excluded: [String]
    /// Process what is there, wait until the studies taken are quiet (see `OneShotWait`), complete them, then
    /// return.
    public var once: Bool
    /// Seconds between full sweeps of the folder (network mounts may deliver no events).
    public var sweepSeconds: Double
    /// Seconds between the two looks at a file found by a scan.
    public var stabilitySeconds: Double
    /// Files per batch (one store transaction, one syncfs).
    public var batchSize: Int
    /// Seconds between heartbeats in the store.
    public var heartbeatSeconds: Double
    /// With `move` or `delete`, folders left empty and untouched this long are removed at a sweep.
    public var emptyFolderSeconds: Double
    /// Seconds a file that is not a complete DICOM object yet (still being written) is waited for after its last
    /// change before it is quarantined (with `once`, an incomplete file is quarantined at once).
    public var incompleteSeconds: Double
    /// With `once`: the most seconds the run waits, after the folder was first found empty, for pending studies to
    /// become due (nil: `OneShotWait.defaultLimit`, the quiet time plus a minute).
    public var onceWaitLimit: Double?

    /// Creates a configuration.
    public init(
        folder: String, excluded: [String] = [], once: Bool = false, sweepSeconds: Double = 60,
        stabilitySeconds: Double = 1, batchSize: Int = 512, heartbeatSeconds: Double = 2,
        emptyFolderSeconds: Double = 600, incompleteSeconds: Double = 300, onceWaitLimit: Double? = nil
    ) {
        self.folder = folder
        self.excluded = excluded
        self.once = once
        self.sweepSeconds = sweepSeconds
        self.stabilitySeconds = stabilitySeconds
        self.batchSize = batchSize
        self.heartbeatSeconds = heartbeatSeconds
        self.emptyFolderSeconds = emptyFolderSeconds
        self.incompleteSeconds = incompleteSeconds
        self.onceWaitLimit = onceWaitLimit
    }
}

/// The export-folder watcher: recursive inotify plus a scan at start, a periodic sweep and a rescan on overflow;
/// complete files only (closed after writing, moved in, or stable across two looks, and complete as DICOM objects:
/// a file still being appended to is waited for); batches through the `ArrivalProcessor`; studies completed from
/// the store's clocks. A batch that cannot be taken (a full disk, an I/O error) is tried again, with growing
/// pauses, for as long as it takes (its state is in the heartbeat for `annulus status`); a damaged store stops
/// the watcher. Unreadable files stay in place, reported once, and are taken once readable. Stops between
/// batches when asked (SIGTERM, SIGINT): the file in hand is finished, the rest stays in the folder for the next
/// run.
public final class Watcher: Sendable {
    private let configuration: WatchConfiguration
    private let processor: ArrivalProcessor
    private let completion: StudyCompletion
    private let logger: Logger
    /// Set once by `requestStop`, read between batches by `run`.
    private let stopRequested = Atomic<Bool>(false)

    /// Creates a watcher.
    public init(
        configuration: WatchConfiguration, processor: ArrivalProcessor, completion: StudyCompletion,
        logger: Logger = Logger(label: "annulus.watch")
    ) {
        self.configuration = configuration
        self.processor = processor
        self.completion = completion
        self.logger = logger
    }

    /// Asks the watcher to stop after the batch in hand (safe from any thread, e.g. a signal handler: a lock-free
    /// atomic store).
    public func requestStop() {
        stopRequested.store(true, ordering: .releasing)
    }

    private var shouldStop: Bool { stopRequested.load(ordering: .acquiring) }

    /// Runs until stopped (or, with `once`, until what was there is processed and the studies taken are quiet and
    /// completed, within `onceWaitLimit`) and returns what was done.
    public func run() throws -> ArrivalReport {
        let root = configuration.folder
        let folderWatcher: FolderWatcher
        do {
            folderWatcher = try FolderWatcher(root: root, excluding: configuration.excluded)
        } catch {
            throw WatchError.folder(root, "\(error)")
        }
        defer { folderWatcher.close() }
        let store = processor.store
        let startedAt = ISO8601DateFormatter().string(from: Date())
        let pid = Int(getpid())
        var stability = StabilityTracker(interval: configuration.stabilitySeconds)
        var queue = ArrivalQueue()
        var report = ArrivalReport()
        var lastHeartbeat = 0.0
        var lastSweep = Date().timeIntervalSince1970
        var nextCompletion = 0.0
        var completionFailures = 0
        var lastReview = 0.0
        // A batch that failed for a reason that passes (a full disk): retried before anything else.
        var held: [String] = []
        var retry: BatchRetry?
        var incomplete = IncompleteFiles(interval: configuration.stabilitySeconds)
        var settled: Set<String> = []
        var unreadable = UnreadableFiles()
        var oneShot = OneShotWait(
            limit: configuration.onceWaitLimit ?? OneShotWait.defaultLimit(quietSeconds: completion.quietSeconds))

        let now = Date().timeIntervalSince1970
        report.quarantined += processor.quarantineNonRegularEntries(excluding: configuration.excluded)
        for path in try untaken(folderWatcher.initialScan()) { stability.found(path, now: now) }
        logger.info(
            "watching",
            metadata: ["folder": "\(root)", "found": "\(stability.waiting)", "once": "\(configuration.once)"])

        while !shouldStop {
            let now = Date().timeIntervalSince1970
            let waiting = retry.map { now < $0.retryAt } ?? false
            let busy = !waiting && (!queue.isEmpty || !held.isEmpty)
            let events = folderWatcher.next(timeout: busy ? 0 : 0.25)
            for event in events {
                handle(event, now: now, stability: &stability, queue: &queue, unreadable: unreadable)
            }
            for path in stability.stable(now: now) { queue.append(path) }
            if now - lastReview >= 1 {
                lastReview = now
                // Incomplete files: looked at again once they stopped changing, quarantined past the patience.
                let review = incomplete.review(now: now, patience: configuration.incompleteSeconds)
                for path in review.reread { queue.append(path) }
                for path in review.settled {
                    settled.insert(path)
                    queue.append(path)
                }
                for path in unreadable.nowReadable() {
                    logger.notice("an unreadable file became readable and is taken")
                    queue.append(path)
                }
            }

            if now - lastSweep >= configuration.sweepSeconds && !configuration.once {
                lastSweep = now
                report.quarantined += processor.quarantineNonRegularEntries(excluding: configuration.excluded)
                if processor.disposition != .keep {
                    EmptyFolders.prune(
                        under: root, excluding: configuration.excluded, quietSeconds: configuration.emptyFolderSeconds)
                }
                do {
                    for path in try untaken(folderWatcher.initialScan())
                    where !queue.contains(path) && !unreadable.contains(path) && !incomplete.contains(path) {
                        stability.found(path, now: now)
                    }
                } catch {
                    logger.warning("the sweep could not read the store; it is tried again at the next sweep")
                }
            }
            if busy {
                // Several batches at a time, so that reading one overlaps committing the previous.
                let batch = held.isEmpty ? queue.take(configuration.batchSize * 4) : held
                held = []
                do {
                    let once = configuration.once
                    let batchReport = try processor.process(
                        batch, batchSize: configuration.batchSize,
                        waitForIncomplete: { !once && !settled.contains($0) })
                    var counted = batchReport
                    counted.incomplete = []
                    counted.unreadable = unreadable.note(batchReport.unreadable)
                    for path in counted.unreadable {
                        try? store.recordWatchEvent(
                            kind: "error",
                            message: "cannot read \(path): permission denied; it stays in place and is taken once "
                                + "readable")
                    }
                    if !counted.unreadable.isEmpty {
                        logger.warning(
                            "files cannot be read (permission); they stay in place and are taken once readable; see `annulus status`",
                            metadata: ["count": "\(counted.unreadable.count)"])
                    }
                    report.add(counted)
                    // The log's space is reused from its start by the next writes (see `checkpointLog`).
                    try? store.checkpointLog()
                    let waitingFor = Set(batchReport.incomplete.map(\.file.path))
                    for path in batch where !waitingFor.contains(path) {
                        incomplete.forget(path)
                        settled.remove(path)
                    }
                    for (file, _) in batchReport.incomplete { incomplete.note(file, now: now) }
                    if let finished = retry {
                        retry = nil
                        lastHeartbeat = 0
                        let message =
                            "resumed after \(finished.failures) failed attempt(s) since \(finished.sinceText): "
                            + finished.reason
                        logger.notice("batch taken; the watcher resumed", metadata: ["after": "\(finished.reason)"])
                        try? store.recordWatchEvent(kind: "error", message: message)
                    }
                } catch {
                    if let damage = StoreDamage.describe(error) {
                        logger.critical(
                            "the annulus database is damaged; the watcher stops", metadata: ["error": "\(damage)"])
                        try? store.recordWatchEvent(
                            kind: "error", message: "stopped: the database is damaged: \(damage)")
                        throw WatchError.storeDamaged(damage)
                    }
                    // The files stay in the folder and are tried again (nothing of the batch was recorded), waiting
                    // longer each time; half-done placements are cleared first.
                    held = batch
                    processor.archive.clearIncoming()
                    let reason = BatchRetry.reason(for: error, archive: processor.archive, store: store)
                    let next = BatchRetry(after: retry, reason: reason, now: now)
                    if retry?.key != reason.key {
                        // One event per trouble, not per attempt; the full error (it may name a file) goes there.
                        try? store.recordWatchEvent(
                            kind: "error", message: "waiting: \(reason.text); the batch is retried (\(error))")
                    }
                    retry = next
                    lastHeartbeat = 0
                    // The error text may name source files (patient names): only the reason goes to the log.
                    logger.error(
                        "batch failed; its files stay in the folder and are retried",
                        metadata: [
                            "reason": "\(reason.text)", "attempt": "\(next.failures)",
                            "retryIn": "\(Int(next.pause))s",
                        ])
                }
            }
            if now - lastHeartbeat >= configuration.heartbeatSeconds {
                // With the store on a full disk this may fail too: it is tried again at the next heartbeat.
                let written =
                    (try? store.recordHeartbeat(
                        folder: root, pid: pid, startedAt: startedAt,
                        queued: queue.count + stability.waiting + held.count + incomplete.count,
                        state: WatcherState(
                            waiting: retry.map(\.reason), waitingSince: retry.map(\.sinceText),
                            retries: retry?.failures ?? 0, retryAt: retry?.retryAt, unreadable: unreadable.count)))
                    != nil
                lastHeartbeat = written ? now : now - 0.5 * configuration.heartbeatSeconds
            }
            let idle = queue.isEmpty && stability.waiting == 0 && held.isEmpty
            if idle && (now >= nextCompletion || configuration.once) {
                do {
                    report.studiesCompleted +=
                        try completion.completeDue(
                            now: Date().timeIntervalSince1970, shouldStop: { self.shouldStop }
                        ).count
                    completionFailures = 0
                    nextCompletion = now + 1
                } catch {
                    if let damage = StoreDamage.describe(error) {
                        logger.critical(
                            "the annulus database is damaged; the watcher stops", metadata: ["error": "\(damage)"])
                        throw WatchError.storeDamaged(damage)
                    }
                    // A full disk (or another passing failure) while completing: the studies stay pending and are
                    // tried again after a growing pause; the watcher goes on taking files.
                    completionFailures += 1
                    let pause = min(60, pow(2, Double(completionFailures - 1)))
                    nextCompletion = now + pause
                    let reason = (error as? CompletionDeferred)?.reason ?? "\(error)"
                    logger.error(
                        "study completion put off; pending studies are tried again",
                        metadata: ["reason": "\(reason)", "retryIn": "\(Int(pause))s"])
                    try? store.recordWatchEvent(kind: "error", message: "study completion put off: \(reason)")
                    if configuration.once { throw error }
                }
            }
            if configuration.once && idle {
                // The folder is empty: stay while a pending study (one just taken) can become due in the limit.
                let waitingBefore = oneShot.drainedAt != nil
                guard oneShot.shouldWait(pendingDue: try completion.pendingDue(), now: Date().timeIntervalSince1970)
                else { break }
                if !waitingBefore {
                    logger.info(
                        "waiting for the studies taken to be quiet before completing them",
                        metadata: [
                            "quietSeconds": "\(completion.quietSeconds)", "atMostSeconds": "\(oneShot.limit)",
                        ])
                }
            }
        }
        try? store.recordHeartbeat(
            folder: root, pid: pid, startedAt: startedAt, queued: queue.count + held.count,
            state: WatcherState(unreadable: unreadable.count), stopped: true)
        logger.info(
            "stopped",
            metadata: [
                "added": "\(report.added)", "duplicates": "\(report.duplicates)", "replaced": "\(report.replaced)",
                "quarantined": "\(report.quarantined)", "left": "\(queue.count + stability.waiting + held.count)",
            ])
        return report
    }

    private func handle(
        _ event: FolderEvent, now: Double, stability: inout StabilityTracker, queue: inout ArrivalQueue,
        unreadable: UnreadableFiles
    ) {
        let root = configuration.folder
        switch event {
        case .closedAfterWrite(let path), .movedIn(let path):
            guard !ArrivalFilter.ignores(path, root: root) else { return }
            stability.forget(path)
            queue.append(path)
        case .writing(let path):
            guard !ArrivalFilter.ignores(path, root: root), !queue.contains(path) else { return }
            stability.writing(path, now: now)
        case .found(let path):
            guard !ArrivalFilter.ignores(path, root: root), !queue.contains(path), !unreadable.contains(path) else {
                return
            }
            stability.found(path, now: now)
        case .removed(let path):
            stability.forget(path)
            queue.remove(path)
        case .overflow:
            logger.warning("inotify queue overflowed: the folder was rescanned")
        case .watchFailed(let error):
            // The folder's name may be a patient's: it goes to the store's event log, not to the log.
            logger.error("a folder cannot be watched; the sweep still picks up its files; see `annulus status`")
            try? processor.store.recordWatchEvent(kind: "error", message: "\(error)")
        }
    }

    /// The scanned files that are neither ignored nor already taken as they are. Only kept sources are left
    /// out: a taken file still in the folder under `move` or `delete` was interrupted before its disposition,
    /// and processing it again (the ledger knows it) only moves or deletes it.
    private func untaken(_ paths: [String]) throws -> [String] {
        let candidates = paths.filter { !ArrivalFilter.ignores($0, root: configuration.folder) }
        guard processor.disposition == .keep else { return candidates }
        let ledger = try processor.store.ledgerEntries(candidates)
        return candidates.filter { path in
            guard let entry = ledger[path], let stat = FileStat(path) else { return true }
            return !entry.matches(WatchedFile(path: path, size: stat.size, mtimeNanoseconds: stat.mtimeNanoseconds))
        }
    }
}

/// Paths waiting to be processed, in arrival order, each once.
struct ArrivalQueue {
    private var order: [String] = []
    private var members: Set<String> = []

    var isEmpty: Bool { members.isEmpty }
    var count: Int { members.count }

    func contains(_ path: String) -> Bool { members.contains(path) }

    mutating func append(_ path: String) {
        guard members.insert(path).inserted else { return }
        order.append(path)
    }

    mutating func remove(_ path: String) {
        guard members.remove(path) != nil else { return }
        order.removeAll { $0 == path }
    }

    mutating func take(_ count: Int) -> [String] {
        let batch = Array(order.prefix(count))
        order.removeFirst(batch.count)
        members.subtract(batch)
        return batch
    }
}
