import AnnulusRecords
import TextSafety
import ArgumentParser
import DicomIO
import Foundation
import Logging
import Store
import Watch

/// `annulus watch DIR`: the radiology export-folder watcher.
struct WatchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Watch a radiology export folder: index, archive and preview every study that arrives.",
        discussion: """
            Takes complete files only (closed after writing, moved in, or unchanged across two looks; *.part, \
            *.tmp and dot files are left alone), reads each header with the bounded reader, archives it under \
            the data folder (archive/<study>/<series>/<instance>.dcm), indexes it, and then keeps, moves or \
            deletes the source (--source). The same instance twice is skipped and counted; the same instance \
            with other content replaces the older, which is kept aside in the archive. Files that cannot be \
            indexed go to quarantine/ with a .reason.txt beside each. A study completes after --quiet-seconds \
            without a new instance (and when the headers announce a count, once it is met): previews and \
            contact sheets in previews/<accession>/, a pre-triage, and --export-to. With --once the run waits \
            until the studies it took are quiet, completes them and exits (at most --once-wait-limit seconds \
            after the folder is empty). State lives in the store: a restart resumes pending studies. SIGTERM or SIGINT stops after the batch in hand. See \
            docs/operations.md.
            """
    )

    @Argument(help: "The folder to watch (recursively).")
    var folder: String

    @Flag(
        help:
            "Process what is there, wait until the studies taken are quiet (--quiet-seconds), complete them, then exit."
    )
    var once = false

    @Option(
        help: ArgumentHelp(
            "With --once: the most seconds to wait, after the folder is empty, for studies to become quiet (files "
                + "arriving meanwhile are taken and restart their study's quiet time; default: quiet seconds + 60; "
                + "0 exits without waiting).", valueName: "seconds"))
    var onceWaitLimit: Double?

    @Option(help: ArgumentHelp("Seconds without a new instance before a study is complete.", valueName: "seconds"))
    var quietSeconds: Double = 30

    @Option(help: "What to do with a source once archived and indexed: keep, move or delete.")
    var source: String = "keep"

    @Option(help: ArgumentHelp("Where --source move puts sources (default: <data>/processed).", valueName: "dir"))
    var moveTo: String?

    @Option(help: ArgumentHelp("Write the findings export of each completed study here.", valueName: "dir"))
    var exportTo: String?

    @Option(help: "Format of --export-to: findings (native JSON) or fhir.")
    var exportFormat: String = "findings"

    @Flag(help: "Do not render previews when a study completes.")
    var noPreviews = false

    @Option(
        help: ArgumentHelp(
            "Seconds one study's completion (previews, pre-triage, export) may take before it is stopped and the "
                + "study marked completion-timeout.", valueName: "seconds"))
    var completionTimeout: Double = 1800

    @Option(help: ArgumentHelp("Seconds between full sweeps (for mounts that send no events).", valueName: "seconds"))
    var sweepSeconds: Double = 60

    @Option(help: ArgumentHelp("Seconds between the two looks at a file found by a scan.", valueName: "seconds"))
    var stabilitySeconds: Double = 1

    @Option(help: ArgumentHelp("Files per batch (one store transaction).", visibility: .hidden))
    var batchSize: Int = 512

    @Option(
        help: ArgumentHelp(
            "Seconds a file that is not a complete DICOM object yet is waited for after its last change before it is "
                + "quarantined.", valueName: "seconds", visibility: .hidden))
    var incompleteSeconds: Double = 300

    @Option(
        help: ArgumentHelp("Seconds to wait for another watcher of the same data folder to end.", visibility: .hidden))
    var lockWait: Double = 10

    @OptionGroup var reader: ReaderOptions
    @OptionGroup var rulesOptions: RulesOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard SourceDisposition(rawValue: source) != nil else {
            throw ValidationError("--source must be keep, move or delete (got '\(source)')")
        }
        guard ["findings", "fhir"].contains(exportFormat) else {
            throw ValidationError("--export-format must be findings or fhir (got '\(exportFormat)')")
        }
        guard quietSeconds >= 0, sweepSeconds > 0, stabilitySeconds >= 0, incompleteSeconds >= 0 else {
            throw ValidationError(
                "--quiet-seconds, --stability-seconds and --incomplete-seconds must be ≥ 0, --sweep-seconds > 0")
        }
        guard (1...10_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1…10000") }
        guard completionTimeout >= 1, completionTimeout <= 86_400 else {
            throw ValidationError("--completion-timeout must be 1…86400 seconds (got \(completionTimeout))")
        }
        if moveTo != nil && source != "move" { throw ValidationError("--move-to goes with --source move") }
        if let onceWaitLimit {
            guard once else { throw ValidationError("--once-wait-limit goes with --once") }
            guard onceWaitLimit >= 0, onceWaitLimit.isFinite else {
                throw ValidationError("--once-wait-limit must be ≥ 0 seconds (got \(onceWaitLimit))")
            }
        }
    }

    func run() throws {
        try global.bootstrap(defaultLevel: .info)
        let root = URL(fileURLWithPath: folder).standardizedFileURL.resolvingSymlinksInPath().path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue else {
            throw ValidationError("\(folder) is not a folder: give the radiology export folder to watch")
        }
        let store = try storeOptions.open(creating: true)
        let dataFolder = URL(fileURLWithPath: storeOptions.dataFolder).standardizedFileURL.resolvingSymlinksInPath()
            .path
        let lock = try WatchLock(dataFolder: dataFolder, wait: lockWait)
        defer { withExtendedLifetime(lock) {} }
        // A damaged store is named and the watcher stops: taking files into it would bury the damage deeper.
        let integrity = try store.integrityCheck()
        guard integrity.isClean else {
            let tables =
                integrity.damagedTables.isEmpty ? "" : " (tables: \(integrity.damagedTables.joined(separator: ", ")))"
            throw CommandFailed(
                "the store \(store.path) is damaged\(tables): \(integrity.problems.count) problem(s); run "
                    + "`annulus check --data \(storeOptions.dataFolder)` and restore it from a backup (docs/operations.md, "
                    + "\"Store integrity\"). The watcher takes nothing until then.")
        }
        let processed = moveTo.map { URL(fileURLWithPath: $0).standardizedFileURL.resolvingSymlinksInPath().path }
        let archive = try FileArchive(dataFolder: dataFolder, watchedRoot: root, processedRoot: processed)
        let logger = Logger(label: "annulus.watch")
        let processor = ArrivalProcessor(
            store: store, archive: archive, disposition: SourceDisposition(rawValue: source) ?? .keep,
            readOptions: reader.readOptions, logger: logger)
        _ = try rulesOptions.load()  // a bad rule file stops the watcher at start, not each study
        let work = IsolatedStudyCompletion(
            arguments: completionArguments(store: store.path, previewsRoot: dataFolder + "/previews"),
            timeout: completionTimeout)
        let completion = StudyCompletion(store: store, quietSeconds: quietSeconds, handler: work, logger: logger)
        let watcher = Watcher(
            configuration: WatchConfiguration(
                folder: root, excluded: Self.exclusions([dataFolder, archive.processedRoot], within: root), once: once,
                sweepSeconds: sweepSeconds,
                stabilitySeconds: stabilitySeconds, batchSize: batchSize, incompleteSeconds: incompleteSeconds,
                onceWaitLimit: onceWaitLimit),
            processor: processor, completion: completion, logger: logger)

        // SIGTERM and SIGINT ask for a clean stop after the batch in hand.
        let signals = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { watcher.requestStop() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        let report = try watcher.run()
        let summary =
            "\(report.added) added, \(report.duplicates) duplicate(s), \(report.replaced) replaced, "
            + "\(report.quarantined) quarantined, \(report.errors.count) left to retry"
            + (report.unreadable.isEmpty ? "" : ", \(report.unreadable.count) unreadable (left in place)")
        let folderText = TerminalText.escaped(root)
        print(once ? "processed \(folderText): \(summary)" : "stopped watching \(folderText): \(summary)")
        if once {
            // Finished means complete or failed (`annulus status` names failures); pending ones wait for a later run.
            let pending = try store.studiesDue(quietSince: .greatestFiniteMagnitude).count
            let note =
                pending == 0
                ? ""
                : " (not quiet within --once-wait-limit, or an announced count not met: a later run completes them)"
            print("studies: \(report.studiesCompleted) finished by this run, \(pending) pending" + note)
        }
        if report.quarantined > 0 || !report.errors.isEmpty || !report.unreadable.isEmpty { throw ExitCode(1) }
    }

    /// The command line of the child that completes one study (the UID is appended).
    private func completionArguments(store: String, previewsRoot: String) -> [String] {
        var arguments = [IsolatedStudyCompletion.ownExecutable(), "complete-study"]
        arguments += StoreOptions.arguments(forStoreAt: store)
        arguments += ["--previews-root", previewsRoot]
        if noPreviews { arguments.append("--no-previews") }
        if let exportTo {
            arguments += ["--export-to", URL(fileURLWithPath: exportTo).standardizedFileURL.path]
            arguments += ["--export-format", exportFormat]
        }
        if let rules = rulesOptions.rules {
            arguments += ["--rules", URL(fileURLWithPath: rules).standardizedFileURL.path]
        }
        arguments += ["--max-sequence-depth", String(reader.maxSequenceDepth)]
        arguments += ["--max-image-memory", String(reader.maxImageMemory)]
        arguments += ["--decode-timeout", String(reader.decodeTimeout)]
        if let level = global.logLevel { arguments += ["--log-level", level] }
        return arguments
    }

    /// The folders the watcher must not take files from: the data and processed folders, but only where they lie
    /// inside the watched folder (a watched folder inside the data folder, `$ANNULUS_DATA/inbox`, is watched).
    static func exclusions(_ folders: [String], within root: String) -> [String] {
        folders.filter { $0.hasPrefix(root + "/") }
    }
}

/// `annulus status`: what the watcher has done and what waits.
struct StatusCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract:
            "Show the watcher's state: running or not, queue, studies pending and complete, quarantine, last errors."
    )

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try global.bootstrap()
        let store = try storeOptions.open()
        let status = try store.watchStatus()
        let now = Date().timeIntervalSince1970
        // A watcher is running when it has not stopped and its heartbeat is recent (it beats every 2 s).
        func running(_ watcher: WatchStatus.Watcher) -> Bool {
            watcher.stoppedAt == nil && now - watcher.heartbeat < 30 && kill(pid_t(watcher.pid), 0) == 0
        }
        if json {
            struct Output: Encodable {
                var watchers: [Watcher]
                var files: [String: Int]
                var queued: Int
                var studies: [String: Int]
                var quarantined: Int
                var lastProblems: [WatchEvent]
                var lastCompleted: [WatchEvent]
                var failedStudies: [WatchStatus.FailedStudy]
                struct Watcher: Encodable {
                    var folder: String
                    var pid: Int
                    var running: Bool
                    var startedAt: String
                    var heartbeatAt: String
                    var queued: Int
                    var stoppedAt: String?
                    var waiting: String?
                    var waitingSince: String?
                    var retries: Int
                    var retryAt: String?
                    var unreadable: Int
                }
            }
            let output = Output(
                watchers: status.watchers.map {
                    .init(
                        folder: $0.folder, pid: $0.pid, running: running($0), startedAt: $0.startedAt,
                        heartbeatAt: $0.heartbeatAt, queued: $0.queued, stoppedAt: $0.stoppedAt, waiting: $0.waiting,
                        waitingSince: $0.waitingSince, retries: $0.retries,
                        retryAt: $0.retryAt.map {
                            ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: $0))
                        },
                        unreadable: $0.unreadable)
                },
                files: status.files, queued: status.watchers.filter(running).reduce(0) { $0 + $1.queued },
                studies: [
                    "pending": status.pendingStudies, "complete": status.completeStudies,
                    "failed": status.failedStudies,
                ],
                quarantined: status.files["quarantined"] ?? 0, lastProblems: status.lastProblems,
                lastCompleted: status.lastCompleted, failedStudies: status.failed)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(output), as: UTF8.self))
            return
        }
        if status.watchers.isEmpty { print("no watcher has run on this store") }
        for watcher in status.watchers {
            let state =
                running(watcher)
                ? "running (pid \(watcher.pid)), \(watcher.queued) file(s) queued, heartbeat \(watcher.heartbeatAt)"
                : watcher.stoppedAt.map { "stopped at \($0)" } ?? "not running (last heartbeat \(watcher.heartbeatAt))"
            print("watcher \(TerminalText.escaped(watcher.folder)): \(state)")
            for line in Self.stateLines(watcher, running: running(watcher), now: now) { print("  " + line) }
        }
        let files = status.files
        print(
            "files: \(files["added"] ?? 0) added, \(files["duplicate"] ?? 0) duplicate(s), "
                + "\(files["replaced"] ?? 0) replaced, \(files["quarantined"] ?? 0) quarantined")
        print(
            "studies: \(status.pendingStudies) pending, \(status.completeStudies) complete, "
                + "\(status.failedStudies) failed")
        if !status.failed.isEmpty {
            print("failed studies (not retried until a new instance arrives):")
            for study in status.failed {
                print("  \(study.at) \(study.studyUID) \(study.failure): \(TerminalText.escaped(study.detail))")
            }
        }
        if !status.lastCompleted.isEmpty {
            print("last completed:")
            for event in status.lastCompleted { print("  \(event.at) \(event.message)") }
        }
        if !status.lastProblems.isEmpty {
            print("last problems:")
            for problem in status.lastProblems {
                print("  \(problem.at) \(problem.kind): \(TerminalText.escaped(problem.message))")
            }
        }
    }

    /// What a watcher waits for and what it cannot read, e.g.
    /// "waiting: disk full on /data (free 0 B), retry 4 in 30 s, since 12:03:10".
    static func stateLines(_ watcher: WatchStatus.Watcher, running: Bool, now: Double) -> [String] {
        var lines: [String] = []
        if let waiting = watcher.waiting, watcher.stoppedAt == nil {
            var line = "waiting: \(TerminalText.escaped(waiting))"
            if let retryAt = watcher.retryAt {
                line += ", retry \(watcher.retries + 1) in \(max(0, Int((retryAt - now).rounded(.up)))) s"
            }
            if let since = watcher.waitingSince { line += ", since \(Self.clock(since))" }
            lines.append(line)
        }
        if watcher.stoppedAt == nil && !running && kill(pid_t(watcher.pid), 0) == 0 {
            // Alive but silent: with the store on a full disk even the heartbeat may not be written.
            lines.append(
                "but process \(watcher.pid) is alive: it may be unable to write the store (is its disk full?)")
        }
        if watcher.unreadable > 0 {
            lines.append(
                "unreadable: \(watcher.unreadable) file(s) cannot be read (permission); they stay in place and are "
                    + "taken once readable (see last problems)")
        }
        return lines
    }

    /// The local time of an ISO 8601 timestamp (HH:mm:ss), or the text as it is.
    static func clock(_ iso: String) -> String {
        guard let date = ISO8601DateFormatter().date(from: iso) else { return iso }
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: date)
    }
}
