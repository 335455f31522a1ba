import Foundation
import Logging
import Store
import TextSafety
import Watch

/// How to watch a radiology export folder (docs/operations.md).
public struct WatchRequest: Sendable {
    /// The folder to watch, as given.
    public var folder: String
    /// Process what is there, wait until the studies taken are quiet, complete them, then stop.
    public var once: Bool
    /// With `once`: the most seconds to wait after the folder is empty.
    public var onceWaitLimit: Double?
    /// Seconds without a new instance before a study is complete.
    public var quietSeconds: Double
    /// What to do with a source once archived and indexed.
    public var disposition: SourceDisposition
    /// Where `move` puts sources (default `<data>/processed`).
    public var moveTo: String?
    /// Seconds between full sweeps.
    public var sweepSeconds: Double
    /// Seconds between the two looks at a file found by a scan.
    public var stabilitySeconds: Double
    /// Files per batch (one store transaction).
    public var batchSize: Int
    /// Seconds an incomplete file is waited for before it is quarantined.
    public var incompleteSeconds: Double
    /// Seconds to wait for another watcher of the same data folder to end.
    public var lockWait: Double

    /// Creates a request (the command line's defaults).
    public init(
        folder: String, once: Bool = false, onceWaitLimit: Double? = nil, quietSeconds: Double = 30,
        disposition: SourceDisposition = .keep, moveTo: String? = nil, sweepSeconds: Double = 60,
        stabilitySeconds: Double = 1, batchSize: Int = 512, incompleteSeconds: Double = 300, lockWait: Double = 10
    ) {
        self.folder = folder
        self.once = once
        self.onceWaitLimit = onceWaitLimit
        self.quietSeconds = quietSeconds
        self.disposition = disposition
        self.moveTo = moveTo
        self.sweepSeconds = sweepSeconds
        self.stabilitySeconds = stabilitySeconds
        self.batchSize = batchSize
        self.incompleteSeconds = incompleteSeconds
        self.lockWait = lockWait
    }

    /// The watched folder, absolute with symbolic links resolved; invalid input when it is not a folder.
    public func resolvedFolder() throws(AppError) -> String {
        let root = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
            throw AppError.invalidInput(
                "\(folder) is not a folder: give the radiology export folder to watch", field: "folder", value: folder,
                code: "not-a-folder")
        }
        return root
    }
}

/// A watcher ready to run on one data folder: it holds the data folder's watch lock until it is released.
public final class PreparedWatch: Sendable {
    /// The watcher (`requestStop()` from a signal handler stops it after the batch in hand).
    public let watcher: Watcher
    /// The watched folder (absolute).
    public let folder: String
    let store: AnnulusStore
    let lock: WatchLock

    init(watcher: Watcher, folder: String, store: AnnulusStore, lock: WatchLock) {
        self.watcher = watcher
        self.folder = folder
        self.store = store
        self.lock = lock
    }

    /// Watches until stopped (or, with `once`, until the studies taken are finished or the wait ends), then
    /// reports what it took and how many studies are still pending.
    public func run() throws(AppError) -> (report: ArrivalReport, pendingStudies: Int) {
        do {
            let report = try withExtendedLifetime(lock) { try watcher.run() }
            // Finished means complete or failed; pending ones wait for a later run.
            return (report, try store.studiesDue(quietSince: .greatestFiniteMagnitude).count)
        } catch {
            throw AppError(error)
        }
    }
}

extension UseCases {
    /// Prepares the export-folder watcher on the environment's data folder: one watcher per data folder (its
    /// lock), a damaged store refused by name (taking files into it would bury the damage deeper), the archive,
    /// the arrival pipeline and the study completion with `completion` (the command line isolates it in a child
    /// process). The data and processed folders are never taken from when they lie inside the watched one.
    public func prepareWatch(_ request: WatchRequest, completion: any StudyCompletionHandler) throws(AppError)
        -> PreparedWatch
    {
        let root = try request.resolvedFolder()
        let store = environment.store
        let dataFolder = URL(fileURLWithPath: environment.dataFolder.path).standardizedFileURL
            .resolvingSymlinksInPath().path
        do {
            let lock = try WatchLock(dataFolder: dataFolder, wait: request.lockWait)
            let integrity = try store.integrityCheck()
            guard integrity.isClean else {
                let tables =
                    integrity.damagedTables.isEmpty
                    ? "" : " (tables: \(integrity.damagedTables.joined(separator: ", ")))"
                throw AppError.unavailable(
                    "the store \(store.path) is damaged\(tables): \(integrity.problems.count) problem(s); run "
                        + "`annulus check --data \(environment.dataFolder.path)` and restore it from a backup "
                        + "(docs/operations.md, \"Store integrity\"). The watcher takes nothing until then.",
                    code: "store-damaged")
            }
            let processed = request.moveTo.map {
                URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path
            }
            let archive = try FileArchive(dataFolder: dataFolder, watchedRoot: root, processedRoot: processed)
            let logger = Logger(label: "annulus.watch")
            let processor = ArrivalProcessor(
                store: store, archive: archive, disposition: request.disposition,
                readOptions: environment.readOptions, logger: logger)
            let studyCompletion = StudyCompletion(
                store: store, quietSeconds: request.quietSeconds, handler: completion, logger: logger)
            let watcher = Watcher(
                configuration: WatchConfiguration(
                    folder: root, excluded: Self.exclusions([dataFolder, archive.processedRoot], within: root),
                    once: request.once, sweepSeconds: request.sweepSeconds, stabilitySeconds: request.stabilitySeconds,
                    batchSize: request.batchSize, incompleteSeconds: request.incompleteSeconds,
                    onceWaitLimit: request.onceWaitLimit),
                processor: processor, completion: studyCompletion, logger: logger)
            return PreparedWatch(watcher: watcher, folder: root, store: store, lock: lock)
        } catch {
            throw AppError(error)
        }
    }

    /// The folders the watcher must not take files from: the data and processed folders, but only where they lie
    /// inside the watched folder (a watched folder inside the data folder, `$ANNULUS_DATA/inbox`, is watched).
    public static func exclusions(_ folders: [String], within root: String) -> [String] {
        folders.filter { $0.hasPrefix(root + "/") }
    }
}
