import DicomIO
import Foundation
import Ingest
import Logging
import Store
import Synchronization

/// What one batch of arrivals came to.
public struct ArrivalReport: Sendable, Equatable {
    /// New instances indexed and archived.
    public var added = 0
    /// Instances already indexed with the same content: skipped and counted.
    public var duplicates = 0
    /// Instances indexed with other content before: the newer kept, the older archived aside.
    public var replaced = 0
    /// Files quarantined with a reason.
    public var quarantined = 0
    /// Files the ledger shows were already taken (a restart, or a file kept in place): only their disposition
    /// was (re)applied.
    public var alreadyTaken = 0
    /// Files that vanished before they could be read.
    public var vanished = 0
    /// Problems that left a file in place to be tried again (a full disk, a permission): file name and reason.
    public var errors: [String] = []
    /// Files that are not complete DICOM objects yet (still being written) and were left in place to be looked
    /// at again: the file as it was read (path, size, time) and the reason.
    public var incomplete: [(file: WatchedFile, reason: String)] = []
    /// Files that cannot be opened for reading (a permission): left in place, taken once readable.
    public var unreadable: [String] = []
    /// Studies the watcher completed (or marked failed) while these files were taken; 0 in a batch's own report.
    public var studiesCompleted = 0
    /// What became of each file, by the path it was given as (a network entrance answers each sender from it).
    public var outcomes: [String: ArrivalOutcome] = [:]

    /// Creates an empty report.
    public init() {}

    /// Adds another report's counts.
    public mutating func add(_ other: ArrivalReport) {
        added += other.added
        duplicates += other.duplicates
        replaced += other.replaced
        quarantined += other.quarantined
        alreadyTaken += other.alreadyTaken
        vanished += other.vanished
        errors += other.errors
        incomplete += other.incomplete
        unreadable += other.unreadable
        studiesCompleted += other.studiesCompleted
        outcomes.merge(other.outcomes) { _, newer in newer }
    }

    /// Equal counts, errors, incomplete and unreadable files (the per-file outcomes are not compared).
    public static func == (lhs: ArrivalReport, rhs: ArrivalReport) -> Bool {
        lhs.added == rhs.added && lhs.duplicates == rhs.duplicates && lhs.replaced == rhs.replaced
            && lhs.quarantined == rhs.quarantined && lhs.alreadyTaken == rhs.alreadyTaken
            && lhs.vanished == rhs.vanished && lhs.errors == rhs.errors && lhs.unreadable == rhs.unreadable
            && lhs.studiesCompleted == rhs.studiesCompleted
            && lhs.incomplete.map(\.file) == rhs.incomplete.map(\.file)
            && lhs.incomplete.map(\.reason) == rhs.incomplete.map(\.reason)
    }
}

/// What became of one file given to `ArrivalProcessor`.
public enum ArrivalOutcome: Sendable, Equatable {
    /// Indexed and archived as a new instance.
    case added
    /// The same instance with the same content was indexed already.
    case duplicate
    /// Indexed; an older copy with other content was archived aside.
    case replaced
    /// The ledger shows the file was taken before (only its disposition was redone).
    case alreadyTaken
    /// Quarantined with this reason (never indexed).
    case quarantined(reason: String)
    /// Left in place to be tried again (a permission, a failure that passes): the reason.
    case leftInPlace(reason: String)
    /// Not a complete object yet and left in place (its writer may still be at work): the reason.
    case incomplete(reason: String)
    /// Gone before it could be read.
    case vanished

    /// Whether the instance is now indexed and archived (added, duplicate, replaced or taken before).
    public var isStored: Bool {
        switch self {
        case .added, .duplicate, .replaced, .alreadyTaken: return true
        default: return false
        }
    }
}

/// Takes complete files from the watched folder, a batch at a time: reads each header with the bounded reader
/// (in parallel), deduplicates by SOP Instance UID, places the file in the archive, makes the archive durable,
/// records the batch in the store in one transaction (index, ledger, study clocks), and only then keeps, moves
/// or deletes the sources. Files that cannot be indexed are quarantined with a reason. Killed at any point, a
/// restart redoes at most the unfinished batch, and the ledger and the index keep every file indexed once.
public struct ArrivalProcessor: Sendable {
    /// The store.
    public let store: AnnulusStore
    /// The archive, quarantine and processed folders.
    public let archive: FileArchive
    /// What happens to sources once taken.
    public var disposition: SourceDisposition
    /// Reader bounds for files from outside.
    public var readOptions: DicomReadOptions
    /// Where structured logs go (never with patient names or IDs).
    public var logger: Logger

    /// Creates a processor.
    public init(
        store: AnnulusStore, archive: FileArchive, disposition: SourceDisposition,
        readOptions: DicomReadOptions = DicomReadOptions(), logger: Logger = Logger(label: "annulus.watch")
    ) {
        self.store = store
        self.archive = archive
        self.disposition = disposition
        self.readOptions = readOptions
        self.logger = logger
    }

    /// Processes `paths` (closed or stable files), in batches of at most `batchSize`. The next batch's files are
    /// read (headers and hashes, on every core) while the current batch is placed, synced, recorded and disposed
    /// of, which is serial work.
    ///
    /// A file that is not a complete DICOM object yet (see `Completeness`) is quarantined, unless
    /// `waitForIncomplete` says its writer may still be at work: then it is left in place and reported in
    /// `incomplete`. A file that cannot be opened (a permission) is left in place and reported in `unreadable`.
    /// Throws when the batch cannot be taken for a reason that passes (a full disk: `WatchError.storage`, or a
    /// store error): nothing of the batch is recorded, its sources stay in the folder, and staged placements may
    /// be left in `archive/.incoming` (see `FileArchive.clearIncoming`).
    ///
    /// `vet` may refuse a file that reads well (a network entrance checks the object against what its sender
    /// announced): a reason quarantines it with that reason.
    public func process(
        _ paths: [String], batchSize: Int = 512, waitForIncomplete: (String) -> Bool = { _ in false },
        vet: (String, InstanceRecord) -> String? = { _, _ in nil }
    ) throws -> ArrivalReport {
        let batches = stride(from: 0, to: paths.count, by: batchSize).map {
            Array(paths[$0..<min($0 + batchSize, paths.count)])
        }
        var report = ArrivalReport()
        var next = batches.first.map(prepare)
        for index in batches.indices {
            guard let current = next else { break }
            let slot = PreparedSlot()
            let reading = DispatchGroup()
            if index + 1 < batches.count {
                let following = batches[index + 1]
                DispatchQueue.global().async(group: reading) {
                    let prepared = self.prepare(following)
                    slot.batch.withLock { $0 = prepared }
                }
            }
            defer { reading.wait() }
            let committed = try commit(current, waitForIncomplete: waitForIncomplete, vet: vet)
            log(committed)
            report.add(committed)
            reading.wait()
            next = slot.batch.withLock { $0.take() }
        }
        return report
    }

    /// A batch whose files have been looked at and read, with nothing changed yet.
    public struct PreparedBatch: Sendable {
        fileprivate var candidates: [Candidate]
        fileprivate var reads: [Read]
        fileprivate var incomplete: [String?]
        fileprivate var vanished: [String]
        fileprivate var unreadable: [String]
    }

    fileprivate typealias Read = Result<(record: InstanceRecord, expectedStudyInstances: Int?), any Error>

    fileprivate struct Candidate: Sendable {
        var file: WatchedFile
        var stat: FileStat
    }

    /// The next batch, read on another thread while the current one is committed.
    private final class PreparedSlot: Sendable {
        let batch = Mutex<PreparedBatch?>(nil)
    }

    /// Stats and reads (header and hash) every file of a batch in parallel; no side effects.
    public func prepare(_ paths: [String]) -> PreparedBatch {
        var candidates: [Candidate] = []
        var vanished: [String] = []
        var unreadable: [String] = []
        for path in paths {
            guard let stat = FileStat(path) else {
                vanished.append(path)
                continue
            }
            // A permission is fixed at the source, not in the quarantine: the file stays and is tried again.
            let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
            guard descriptor >= 0 else {
                if errno == EACCES || errno == EPERM { unreadable.append(path) } else { vanished.append(path) }
                continue
            }
            close(descriptor)
            candidates.append(
                Candidate(
                    file: WatchedFile(path: path, size: stat.size, mtimeNanoseconds: stat.mtimeNanoseconds), stat: stat
                ))
        }
        let options = readOptions
        let results = Parallel.map(candidates) { candidate -> (Read, String?) in
            let path = candidate.file.path
            do {
                let reading = try InstanceReader.readNotingPixels(
                    path: path, options: options, requireDecodablePixels: true)
                return (
                    .success((reading.record, reading.expectedStudyInstances)),
                    Completeness.missingPixels(record: reading.record, pixelAbsence: reading.pixelAbsence)
                )
            } catch {
                return (.failure(error), Completeness.incompleteness(of: error, size: candidate.stat.size))
            }
        }
        return PreparedBatch(
            candidates: candidates, reads: results.map { $0.0 }, incomplete: results.map { $0.1 }, vanished: vanished,
            unreadable: unreadable)
    }

    /// Takes a prepared batch: skips what the ledger shows was taken (only redoing its disposition), quarantines
    /// what could not be read, archives the rest (deduplicated against the store), makes the archive durable,
    /// records everything in one transaction, then disposes of the sources. `vet` as in `process`.
    public func commit(
        _ batch: PreparedBatch, waitForIncomplete: (String) -> Bool = { _ in false },
        vet: (String, InstanceRecord) -> String? = { _, _ in nil }
    ) throws -> ArrivalReport {
        var report = ArrivalReport()
        report.vanished = batch.vanished.count
        report.unreadable = batch.unreadable
        for path in batch.vanished { report.outcomes[path] = .vanished }
        for path in batch.unreadable { report.outcomes[path] = .leftInPlace(reason: "cannot be opened for reading") }
        let ledger = try store.ledgerEntries(batch.candidates.map(\.file.path))
        var known = try store.indexedContent(batch.reads.compactMap { try? $0.get().record.sopInstanceUID })
        var fresh: [(Candidate, Read)] = []
        for ((candidate, read), incomplete) in zip(zip(batch.candidates, batch.reads), batch.incomplete) {
            if let entry = ledger[candidate.file.path], entry.matches(candidate.file),
                Self.sameContent(entry, read, known)
            {
                report.alreadyTaken += 1
                report.outcomes[candidate.file.path] = .alreadyTaken
                if entry.outcome != .quarantined { dispose(candidate.file.path, &report) }
                continue
            }
            if let incomplete {
                if waitForIncomplete(candidate.file.path) {
                    report.incomplete.append((candidate.file, incomplete))
                    report.outcomes[candidate.file.path] = .incomplete(reason: incomplete)
                } else {
                    try quarantine(
                        candidate,
                        DicomError(.malformed, path: candidate.file.path, message: "incomplete: \(incomplete)"),
                        &report)
                }
                continue
            }
            fresh.append((candidate, read))
        }

        var arrivals: [WatchArrival] = []
        var accepted: [Candidate] = []
        var placed = false
        for (candidate, read) in fresh {
            switch read {
            case .failure(let error):
                try quarantine(candidate, error, &report)
            case .success(let (initial, expected)):
                var record = initial
                // A record the index would refuse would fail its whole batch again and again: quarantine it alone.
                do {
                    try record.validate()
                } catch {
                    try quarantine(candidate, error, &report)
                    continue
                }
                if let refusal = vet(candidate.file.path, record) {
                    try quarantine(candidate, ArrivalRefusal(reason: refusal), &report)
                    continue
                }
                let sop = record.sopInstanceUID
                let target = archive.archivePath(
                    study: record.studyInstanceUID, series: record.seriesInstanceUID, sop: sop)
                do {
                    if let existing = known[sop], existing.sha256 == record.contentSHA256.lowercased() {
                        // The same bytes again. Indexed by `annulus ingest` from some other folder (or its
                        // archived copy lost): archive this copy and point the index at it.
                        let archived = existing.path.hasPrefix(archive.archiveRoot + "/")
                        record.path = archived ? existing.path : target
                        if !archived || !FileManager.default.fileExists(atPath: existing.path) {
                            try placeCopy(candidate.file.path, at: record.path)
                            placed = true
                        }
                    } else {
                        if let existing = known[sop], existing.path.hasPrefix(archive.archiveRoot + "/"),
                            FileManager.default.fileExists(atPath: existing.path)
                        {
                            let aside = try archive.supersede(existing.path)
                            logger.notice(
                                "replaced instance: the older copy is kept aside",
                                metadata: ["sop": "\(sop)", "kept": "\(aside)"])
                        }
                        try placeCopy(candidate.file.path, at: target)
                        placed = true
                        record.path = target
                    }
                } catch let error as WatchError {
                    // A full disk fails the whole batch (tried again later); another failure only this file.
                    if case .storage = error { throw error }
                    report.errors.append("\(candidate.file.path): \(error)")
                    report.outcomes[candidate.file.path] = .leftInPlace(reason: "\(error)")
                    try? store.recordWatchEvent(kind: "error", message: "\(error)")
                    continue
                }
                known[sop] = (record.contentSHA256.lowercased(), record.path)
                arrivals.append(WatchArrival(record: record, source: candidate.file, expectedStudyInstances: expected))
                accepted.append(candidate)
            }
        }
        if placed { try archive.flush() }
        let outcomes = try store.recordArrivals(arrivals)
        for (arrival, outcome) in zip(arrivals, outcomes) {
            switch outcome {
            case .added:
                report.added += 1
                report.outcomes[arrival.source.path] = .added
            case .unchanged:
                report.duplicates += 1
                report.outcomes[arrival.source.path] = .duplicate
            case .replaced:
                report.replaced += 1
                report.outcomes[arrival.source.path] = .replaced
            }
        }
        for candidate in accepted { dispose(candidate.file.path, &report) }
        return report
    }

    /// Quarantines the entries under the watched folder that are not regular files (see
    /// `FileArchive.quarantineEntry`) and returns how many.
    public func quarantineNonRegularEntries(excluding excluded: [String]) -> Int {
        var count = 0
        let entries = NonRegularEntries.find(under: archive.watchedRoot, excluding: excluded)
        // Kept sources stay where they are: an entry reported once is not reported again at every sweep.
        let reported = disposition == .keep ? ((try? store.ledgerEntries(entries.map(\.path))) ?? [:]) : [:]
        for (path, kind) in entries where reported[path]?.outcome != .quarantined {
            do {
                let target = try archive.quarantineEntry(path, kind: kind, move: disposition != .keep)
                var info = stat()
                let mtime = lstat(target, &info) == 0 ? Int64(info.st_mtim.tv_sec) * 1_000_000_000 : 0
                try store.recordQuarantine(
                    WatchedFile(path: path, size: 0, mtimeNanoseconds: mtime), quarantinePath: target,
                    reason: "\(kind): not a regular file")
                logger.warning(
                    "quarantined",
                    metadata: ["id": "\((target as NSString).lastPathComponent.prefix(12))", "kind": "\(kind)"])
                count += 1
            } catch {
                try? store.recordWatchEvent(kind: "error", message: "\(error)")
            }
        }
        return count
    }

    /// Whether a file the ledger matches by path, size and time is really the one taken: the same instance with
    /// the content the index holds. A sender that reuses names and keeps file times (unzip, `cp -p`) can bring a
    /// different file that looks the same; under `--source delete` taking it for the old one would lose it.
    private static func sameContent(
        _ entry: WatchLedgerEntry, _ read: Read, _ known: [String: (sha256: String, path: String)]
    ) -> Bool {
        guard entry.outcome != .quarantined else { return true }  // nothing indexed to compare; it stays put
        guard case .success(let (record, _)) = read, record.sopInstanceUID == entry.sopInstanceUID else { return false }
        return known[record.sopInstanceUID]?.sha256 == record.contentSHA256.lowercased()
    }

    /// One info line per committed batch (its files are durable, indexed and disposed of).
    public func log(_ batch: ArrivalReport) {
        logger.info(
            "batch",
            metadata: [
                "added": "\(batch.added)", "duplicates": "\(batch.duplicates)", "replaced": "\(batch.replaced)",
                "quarantined": "\(batch.quarantined)", "alreadyTaken": "\(batch.alreadyTaken)",
                "errors": "\(batch.errors.count)",
            ])
        if !batch.errors.isEmpty {
            // The messages name source files, whose names may carry patient names: they go to the store's event
            // log (`annulus status`), not to the log.
            logger.error(
                "files left in place to retry; see `annulus status`", metadata: ["count": "\(batch.errors.count)"])
        }
    }

    /// A hard link when the source leaves the folder anyway, a copy when it is kept (see `FileArchive`).
    private func placeCopy(_ source: String, at target: String) throws {
        try archive.place(source, at: target, link: disposition != .keep)
    }

    /// Quarantines one file; a failure that passes (a full disk) is thrown so that the whole batch is retried.
    private func quarantine(_ candidate: Candidate, _ error: any Error, _ report: inout ArrivalReport) throws {
        let reason: String
        if let error = error as? DicomError {
            reason = "\(error.kind.rawValue): \(error.message)"
        } else if let error = error as? ArrivalRefusal {
            reason = error.reason
        } else {
            reason = "\(error)"
        }
        do {
            let target = try archive.quarantine(
                candidate.file.path, stat: candidate.stat, reason: reason, keepSource: disposition == .keep)
            try store.recordQuarantine(candidate.file, quarantinePath: target, reason: reason)
            report.quarantined += 1
            report.outcomes[candidate.file.path] = .quarantined(reason: reason)
            // Only the quarantine id: the file's name may carry a patient's name.
            let id = (target as NSString).lastPathComponent.prefix(12)
            logger.warning("quarantined", metadata: ["id": "\(id)", "reason": "\(reason)"])
        } catch {
            if case .storage = error as? WatchError { throw error }
            if error is StoreError { throw error }
            report.errors.append("\(candidate.file.path): \(error)")
            report.outcomes[candidate.file.path] = .leftInPlace(reason: "could not quarantine: \(error)")
            try? store.recordWatchEvent(kind: "error", message: "could not quarantine: \(error)")
        }
    }

    private func dispose(_ path: String, _ report: inout ArrivalReport) {
        do {
            try archive.dispose(path, disposition)
        } catch {
            report.errors.append("\(error)")
            try? store.recordWatchEvent(kind: "error", message: "\(error)")
        }
    }
}

/// A file refused by `ArrivalProcessor.process`'s `vet`: quarantined with `reason`.
struct ArrivalRefusal: Error {
    let reason: String
}
