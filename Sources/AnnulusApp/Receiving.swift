import DicomIO
import Foundation
import Logging
import Store
import Synchronization
import Watch

/// An object received over the network (a DICOM C-STORE, a DICOMweb STOW-RS part), staged as a durable file in
/// the data folder's `received/` (see `ReceivedStaging`) and handed to `UseCases.receive` for a verdict.
public struct ReceivedObject: Sendable, Equatable {
    /// The sealed staging file (`ReceivedStaging.seal`); the use case takes it over (archives, quarantines or
    /// deletes it).
    public var path: String
    /// The SOP Class UID the sender announced (the C-STORE command's Affected SOP Class UID), if any.
    public var announcedSOPClassUID: String?
    /// The SOP Instance UID the sender announced, if any.
    public var announcedSOPInstanceUID: String?

    /// An object at `path` with what its sender announced.
    public init(path: String, announcedSOPClassUID: String? = nil, announcedSOPInstanceUID: String? = nil) {
        self.path = path
        self.announcedSOPClassUID = announcedSOPClassUID
        self.announcedSOPInstanceUID = announcedSOPInstanceUID
    }
}

/// The answer to a received object, in the terms of a DICOM C-STORE response status (PS3.4 B.2.3, PS3.7 C); a
/// DICOMweb STOW-RS answer carries the same value as its Failure Reason.
public struct ReceiveVerdict: Sendable, Equatable {
    /// The C-STORE status.
    public enum Status: UInt16, Sendable, Equatable {
        /// 0x0000: durable and indexed (new, the same content again, or a replacement).
        case success = 0x0000
        /// 0xA700 Refused: out of resources. Nothing was kept; the sender should send it again later (a full
        /// disk, a busy or damaged store, a server shutting down).
        case outOfResources = 0xA700
        /// 0xA900 Error: the data set does not match the SOP class (or instance) the sender announced.
        case dataSetMismatch = 0xA900
        /// 0xC000 Error: cannot understand. The object is kept in quarantine with the reason.
        case cannotUnderstand = 0xC000
    }

    /// What became of an object stored.
    public enum Stored: String, Sendable, Equatable {
        /// A new instance.
        case added
        /// The same instance with the same content was already indexed.
        case duplicate
        /// Indexed; an older copy with other content was kept aside.
        case replaced
    }

    /// The status.
    public var status: Status
    /// Why it was refused (no patient data; at most 64 characters fit a C-STORE Error Comment).
    public var reason: String?
    /// For a stored object: how.
    public var stored: Stored?
    /// The object's SOP Class UID, when it could be read (else the announced one).
    public var sopClassUID: String?
    /// The object's SOP Instance UID, when it could be read (else the announced one).
    public var sopInstanceUID: String?
    /// The object's study, when it could be read.
    public var studyInstanceUID: String?

    /// A verdict.
    public init(
        status: Status, reason: String? = nil, stored: Stored? = nil, sopClassUID: String? = nil,
        sopInstanceUID: String? = nil, studyInstanceUID: String? = nil
    ) {
        self.status = status
        self.reason = reason
        self.stored = stored
        self.sopClassUID = sopClassUID
        self.sopInstanceUID = sopInstanceUID
        self.studyInstanceUID = studyInstanceUID
    }

    /// Whether the object is durable and indexed.
    public var isSuccess: Bool { status == .success }
}

/// The data folder's staging area for objects arriving over the network, `<data>/received/`: a file is written
/// as `….part` and renamed to `….dcm` once complete (`seal`) before anyone is asked about it. On the archive's
/// file system, so that the archive takes it by a hard link. The receive pipeline fsyncs each object while it
/// reads it, before its batch commits, so that nothing is answered Success before its bytes are on disk.
///
/// After a crash, `.part` files were never answered (the sender sends them again) and are deleted;
/// `.dcm` files are complete objects whose answer may never have left and are taken at start-up
/// (`UseCases.openReceiving`): the sender's retry then lands as a duplicate. After a power failure a `.dcm` file
/// that was never fsynced (so never answered) may have lost its end: it is quarantined as incomplete, and its
/// sender, which got no Success, sends it again.
public struct ReceivedStaging: Sendable {
    /// The staging folder.
    public let folder: String

    /// The staging folder of `dataFolder`, created (mode 0750) when missing.
    public init(dataFolder: DataFolder) throws(AppError) {
        folder = dataFolder.path + "/received"
        guard mkdir(folder, 0o750) == 0 || errno == EEXIST else {
            throw AppError.unavailable(
                "cannot create the staging folder \(folder): \(String(cString: strerror(errno)))",
                code: "staging-unavailable")
        }
    }

    /// A new, empty `.part` file opened for writing (the caller closes it), under a unique name that starts with
    /// `prefix` (letters, digits and dashes: the entrance, e.g. `stow`).
    public func create(prefix: String) throws(AppError) -> (descriptor: Int32, path: String) {
        let path = "\(folder)/\(prefix)-\(UUID().uuidString.lowercased()).part"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            throw AppError.unavailable(
                "cannot create a staging file in \(folder): \(String(cString: strerror(errno)))",
                code: "staging-unavailable")
        }
        return (descriptor, path)
    }

    /// Marks a completely written `.part` file as whole by renaming it to `.dcm`; returns the new path. On
    /// failure the `.part` file is deleted. (Durability is the pipeline's: `ReceivePipeline.prepare`.)
    public func seal(_ partPath: String) throws(AppError) -> String {
        let sealed = String(partPath.dropLast(".part".count)) + ".dcm"
        guard rename(partPath, sealed) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(partPath)
            throw AppError.unavailable("cannot seal a received object: \(reason)", code: "staging-unavailable")
        }
        return sealed
    }

    /// Deletes the unanswered partial files a crash left and returns the sealed objects waiting for a verdict.
    public func leftovers() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in names where name.hasSuffix(".part") { unlink(folder + "/" + name) }
        return names.filter { $0.hasSuffix(".dcm") }.sorted().map { folder + "/" + $0 }
    }
}

/// A batch whose objects could not all be fsynced: nothing of it is recorded, every sender is asked to send again.
struct ReceiveSyncFailure: Error {
    let reason: String
}

/// The one ingest pipeline behind every network entrance: the watcher's `ArrivalProcessor` (bounded header read,
/// dedup by SOP Instance UID, archive by hard link, one store transaction, quarantine with reasons) over the
/// staging folder, answering each object with a `ReceiveVerdict` once it is durable and indexed.
final class ReceivePipeline: Sendable {
    let staging: ReceivedStaging
    let processor: ArrivalProcessor
    let logger: Logger
    /// Where `prepare` fsyncs objects beside its reading.
    private let syncQueue = DispatchQueue(label: "annulus.receive.sync")

    init(environment: AppEnvironment) throws(AppError) {
        let staging = try ReceivedStaging(dataFolder: environment.dataFolder)
        self.staging = staging
        var logger = Logger(label: "annulus.receive")
        // A line per batch would be a line per object from a single sender; quarantines (warnings) still show.
        logger.logLevel = max(environment.logger.logLevel, .notice)
        self.logger = logger
        do {
            // The watcher may run beside this (`serve --watch`) and owns the clean-up of half-done placements.
            let archive = try FileArchive(
                dataFolder: environment.dataFolder.path, watchedRoot: staging.folder, clearingIncoming: false,
                sourcesAreDurable: true)
            processor = ArrivalProcessor(
                store: environment.store, archive: archive, disposition: .delete,
                readOptions: environment.readOptions, logger: logger)
        } catch {
            throw AppError(error)
        }
    }

    /// Objects whose headers have been read and hashed (on every core) and whose bytes are on disk, with nothing
    /// changed yet.
    struct PreparedObjects: Sendable {
        let objects: [ReceivedObject]
        let batch: ArrivalProcessor.PreparedBatch
        /// Why an object's bytes could not be made durable (an I/O error), or nil.
        let syncFailure: String?
    }

    /// Takes `objects` as one batch (one archive flush, one transaction) and answers each.
    func take(_ objects: [ReceivedObject]) -> [ReceiveVerdict] {
        commit(prepare(objects))
    }

    /// The first half of `take`: reads the objects and, meanwhile on another thread, fsyncs them (the entrances
    /// only write and rename); changes nothing, so it may run beside another batch's commit.
    func prepare(_ objects: [ReceivedObject]) -> PreparedObjects {
        let failure = Mutex<String?>(nil)
        let syncing = DispatchGroup()
        // A queue of its own, never the global pool: this function waits for it, and a wait on the global pool's
        // own work can starve it (two cores: two workers, shared with Swift concurrency).
        syncQueue.async(group: syncing) {
            for object in objects {
                guard let reason = Self.sync(object.path) else { continue }
                failure.withLock { $0 = $0 ?? reason }
            }
        }
        let batch = processor.prepare(objects.map(\.path))
        syncing.wait()
        return PreparedObjects(objects: objects, batch: batch, syncFailure: failure.withLock { $0 })
    }

    /// fsyncs one staged object; the reason when that fails (a vanished file is the processor's to report).
    private static func sync(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        return fsync(descriptor) == 0 ? nil : String(cString: strerror(errno))
    }

    /// The second half of `take`: archives, flushes and records the prepared objects in one transaction, then
    /// answers each. Batches are committed one at a time, in order.
    func commit(_ prepared: PreparedObjects) -> [ReceiveVerdict] {
        let objects = prepared.objects
        guard !objects.isEmpty else { return [] }
        let announced = Dictionary(objects.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let seen = Mutex<[String: InstanceRecord]>([:])
        let report: ArrivalReport
        do {
            if let reason = prepared.syncFailure { throw ReceiveSyncFailure(reason: reason) }
            report = try processor.commit(
                prepared.batch,
                vet: { path, record in
                    seen.withLock { $0[path] = record }
                    return announced[path].flatMap { Self.mismatch($0, record) }
                })
            processor.log(report)
        } catch {
            // Nothing of the batch was recorded: the senders are told to send again, and the staged copies go
            // (a full disk is what this usually is).
            let reason = Self.transientReason(error)
            logger.error(
                "received objects refused for now", metadata: ["count": "\(objects.count)", "reason": "\(reason)"])
            for object in objects { unlink(object.path) }
            return objects.map {
                ReceiveVerdict(
                    status: .outOfResources, reason: reason, sopClassUID: $0.announcedSOPClassUID,
                    sopInstanceUID: $0.announcedSOPInstanceUID)
            }
        }
        let records = seen.withLock { $0 }
        return objects.map { object in
            let record = records[object.path]
            var verdict = ReceiveVerdict(
                status: .outOfResources, sopClassUID: record?.sopClassUID ?? object.announcedSOPClassUID,
                sopInstanceUID: record?.sopInstanceUID ?? object.announcedSOPInstanceUID,
                studyInstanceUID: record?.studyInstanceUID)
            switch report.outcomes[object.path] {
            case .added: (verdict.status, verdict.stored) = (.success, .added)
            case .duplicate, .alreadyTaken: (verdict.status, verdict.stored) = (.success, .duplicate)
            case .replaced: (verdict.status, verdict.stored) = (.success, .replaced)
            case .quarantined(let reason):
                let isMismatch = record.map { Self.mismatch(object, $0) != nil } ?? false
                verdict.status = isMismatch ? .dataSetMismatch : .cannotUnderstand
                verdict.reason = Self.comment(reason)
            case .leftInPlace(let reason), .incomplete(let reason):
                unlink(object.path)
                verdict.reason = Self.comment("not stored, send again: " + reason)
            case .vanished, nil:
                unlink(object.path)
                verdict.reason = "not stored, send again"
            }
            return verdict
        }
    }

    /// Why an object does not match what its sender announced, or nil.
    static func mismatch(_ object: ReceivedObject, _ record: InstanceRecord) -> String? {
        if let announced = object.announcedSOPClassUID, announced != record.sopClassUID {
            return "the data set's SOP Class UID differs from the one announced"
        }
        if let announced = object.announcedSOPInstanceUID, announced != record.sopInstanceUID {
            return "the data set's SOP Instance UID differs from the one announced"
        }
        return nil
    }

    /// A reason that passes, in words a sender's log can show (no paths: they name the data folder).
    static func transientReason(_ error: any Error) -> String {
        if let error = error as? ReceiveSyncFailure {
            return "out of resources: cannot make the object durable (\(error.reason))"
        }
        if case .storage = error as? WatchError { return "out of resources: the archive's disk is full" }
        if error is StoreError { return "out of resources: the store is busy or unavailable" }
        return "out of resources: the object could not be stored now"
    }

    /// A reason cut to what a C-STORE Error Comment holds (64 characters of the default character set).
    static func comment(_ reason: String) -> String {
        let plain = String(String.UnicodeScalarView(reason.unicodeScalars.filter { $0.isASCII && $0.value >= 0x20 }))
        return plain.count <= 64 ? plain : String(plain.prefix(61)) + "..."
    }
}

/// The entrance every network face shares (`UseCases.openReceiving`): objects from concurrent associations and
/// uploads are taken as batches — one archive flush and one store transaction for each (group commit) — on its
/// own thread, never on Swift's cooperative pool. Nothing waits for company: a batch is whatever is pending when
/// the thread comes round (at most `maximumBatch` objects), so a lone sender's object is taken at once and the
/// objects that arrive while a batch is committed form the next one, read and hashed during that commit. Every
/// object gets its verdict only after its batch is durable and indexed.
public final class ReceiveQueue: Sendable {
    private struct Pending: Sendable {
        let object: ReceivedObject
        let answer: @Sendable (ReceiveVerdict) -> Void
    }

    private struct State: Sendable {
        var pending: [Pending] = []
        var stopping = false
    }

    private let pipeline: ReceivePipeline
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)
    /// Where the next batch is read while the current one commits.
    private let prepareQueue = DispatchQueue(label: "annulus.receive.prepare")
    /// The most objects taken in one batch.
    public let maximumBatch: Int

    init(pipeline: ReceivePipeline, maximumBatch: Int) {
        self.pipeline = pipeline
        self.maximumBatch = max(1, maximumBatch)
        let thread = Thread { [self] in self.work() }
        thread.name = "receive"
        thread.start()
    }

    /// The staging area entrances write into.
    public var staging: ReceivedStaging { pipeline.staging }

    /// Takes one object; returns its verdict once it is durable and indexed (or refused).
    public func receive(_ object: ReceivedObject) async -> ReceiveVerdict {
        await withCheckedContinuation { continuation in
            enqueue([object]) { continuation.resume(returning: $0[0]) }
        }
    }

    /// Takes several objects (a STOW-RS request) and answers each, in order.
    public func receive(_ objects: [ReceivedObject]) async -> [ReceiveVerdict] {
        guard !objects.isEmpty else { return [] }
        return await withCheckedContinuation { continuation in
            enqueue(objects) { continuation.resume(returning: $0) }
        }
    }

    /// `receive(_:)` for a caller on its own thread (a DICOM association's channel): blocks until the verdict.
    public func receiveBlocking(_ object: ReceivedObject) -> ReceiveVerdict {
        let done = DispatchSemaphore(value: 0)
        let verdict = Mutex<ReceiveVerdict?>(nil)
        enqueue([object]) { answers in
            verdict.withLock { $0 = answers[0] }
            done.signal()
        }
        done.wait()
        return verdict.withLock { $0! }
    }

    /// Refuses what is still waiting ("send again later") and stops the thread once the batch in hand is done.
    public func shutdown() {
        let first = state.withLock { state -> Bool in
            defer { state.stopping = true }
            return !state.stopping
        }
        guard first else { return }
        wake.signal()
        stopped.wait()
    }

    private func enqueue(_ objects: [ReceivedObject], answer: @escaping @Sendable ([ReceiveVerdict]) -> Void) {
        let collected = Mutex<[Int: ReceiveVerdict]>([:])
        let count = objects.count
        let items = objects.enumerated().map { index, object in
            Pending(object: object) { verdict in
                let all = collected.withLock { answers -> [ReceiveVerdict]? in
                    answers[index] = verdict
                    return answers.count == count ? (0..<count).map { answers[$0]! } : nil
                }
                if let all { answer(all) }
            }
        }
        let accepted = state.withLock { state -> Bool in
            guard !state.stopping else { return false }
            state.pending += items
            return true
        }
        if accepted {
            wake.signal()
        } else {
            for item in items { item.answer(Self.shuttingDown(item.object)) }
        }
    }

    /// Two stages: while one batch commits (archive, flush, transaction: mostly waiting for the disk), the
    /// objects that arrived meanwhile are read and hashed on other threads, so that the next commit starts at once.
    private func work() {
        var inHand: (items: [Pending], prepared: ReceivePipeline.PreparedObjects)?
        while true {
            if inHand == nil { wake.wait() }
            let (taken, stopping) = state.withLock { state -> ([Pending], Bool) in
                let taken = Array(state.pending.prefix(state.stopping ? state.pending.count : maximumBatch))
                state.pending.removeFirst(taken.count)
                return (taken, state.stopping)
            }
            if stopping {
                for item in taken {
                    unlink(item.object.path)
                    item.answer(Self.shuttingDown(item.object))
                }
                if let (items, prepared) = inHand { Self.answer(items, pipeline.commit(prepared)) }
                stopped.signal()
                return
            }
            guard let (items, prepared) = inHand else {
                if !taken.isEmpty { inHand = (taken, pipeline.prepare(taken.map(\.object))) }
                continue
            }
            let following = Mutex<ReceivePipeline.PreparedObjects?>(nil)
            let reading = DispatchGroup()
            if !taken.isEmpty {
                // Its own queue, not the global pool, which `prepare`'s waits could starve (see there).
                prepareQueue.async(group: reading) { [pipeline] in
                    let prepared = pipeline.prepare(taken.map(\.object))
                    following.withLock { $0 = prepared }
                }
            }
            Self.answer(items, pipeline.commit(prepared))
            reading.wait()
            inHand = following.withLock { $0 }.map { (taken, $0) }
        }
    }

    private static func answer(_ items: [Pending], _ verdicts: [ReceiveVerdict]) {
        for (item, verdict) in zip(items, verdicts) { item.answer(verdict) }
    }

    private static func shuttingDown(_ object: ReceivedObject) -> ReceiveVerdict {
        ReceiveVerdict(
            status: .outOfResources, reason: "out of resources: the server is stopping, send again later",
            sopClassUID: object.announcedSOPClassUID, sopInstanceUID: object.announcedSOPInstanceUID)
    }
}

extension UseCases {
    /// Opens the network entrances' shared pipeline on the data folder: creates `<data>/received/`, deletes the
    /// partial files a crash left there, takes the sealed ones (durable objects whose answer may never have left:
    /// their senders' retries then land as duplicates), and returns the queue the faces hand objects to.
    public func openReceiving(maximumBatch: Int = 64) throws(AppError)
        -> ReceiveQueue
    {
        let pipeline = try ReceivePipeline(environment: environment)
        let leftovers = pipeline.staging.leftovers()
        if !leftovers.isEmpty {
            let verdicts = stride(from: 0, to: leftovers.count, by: 512).flatMap {
                pipeline.take(leftovers[$0..<min($0 + 512, leftovers.count)].map { ReceivedObject(path: $0) })
            }
            environment.logger.notice(
                "received objects left by an earlier run taken",
                metadata: [
                    "count": "\(leftovers.count)", "stored": "\(verdicts.filter(\.isSuccess).count)",
                ])
        }
        return ReceiveQueue(pipeline: pipeline, maximumBatch: maximumBatch)
    }
}
