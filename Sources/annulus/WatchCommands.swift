import AnnulusApp
import ArgumentParser
import Foundation
import TextSafety
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
        let request = WatchRequest(
            folder: folder, once: once, onceWaitLimit: onceWaitLimit, quietSeconds: quietSeconds,
            disposition: SourceDisposition(rawValue: source) ?? .keep, moveTo: moveTo, sweepSeconds: sweepSeconds,
            stabilitySeconds: stabilitySeconds, batchSize: batchSize, incompleteSeconds: incompleteSeconds,
            lockWait: lockWait)
        _ = try request.resolvedFolder()  // not a folder: refused before the store is created
        let rules = try rulesOptions.load()  // a bad rule file stops the watcher at start, not each study
        let useCases = try storeOptions.useCases(creating: true, rules: rules, readOptions: reader.readOptions)
        let dataFolder = DataFolder(
            path: URL(fileURLWithPath: storeOptions.dataFolder).standardizedFileURL.resolvingSymlinksInPath().path)
        let work = IsolatedStudyCompletion(
            arguments: completionArguments(store: useCases.environment.store.path, previewsRoot: dataFolder.previews),
            timeout: completionTimeout)
        let prepared = try useCases.prepareWatch(request, completion: work)

        // SIGTERM and SIGINT ask for a clean stop after the batch in hand.
        let watcher = prepared.watcher
        let signals = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { watcher.requestStop() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        let (report, pending) = try prepared.run()
        let summary =
            "\(report.added) added, \(report.duplicates) duplicate(s), \(report.replaced) replaced, "
            + "\(report.quarantined) quarantined, \(report.errors.count) left to retry"
            + (report.unreadable.isEmpty ? "" : ", \(report.unreadable.count) unreadable (left in place)")
        let folderText = TerminalText.escaped(prepared.folder)
        print(once ? "processed \(folderText): \(summary)" : "stopped watching \(folderText): \(summary)")
        if once {
            // Finished means complete or failed (`annulus status` names failures); pending ones wait for a later run.
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
        arguments += DataFolder.arguments(forStoreAt: store)
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
}

/// `annulus status`: what the watcher has done and what waits.
struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract:
            "Show the watcher's state: running or not, queue, studies pending and complete, quarantine, last errors."
    )

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let report = try await storeOptions.useCases().status(by: .commandLineReader)
        let status = report.status
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(StatusView(report)), as: UTF8.self))
            return
        }
        if report.watchers.isEmpty { print("no watcher has run on this store") }
        for state in report.watchers {
            let watcher = state.watcher
            let text =
                state.running
                ? "running (pid \(watcher.pid)), \(watcher.queued) file(s) queued, heartbeat \(watcher.heartbeatAt)"
                : watcher.stoppedAt.map { "stopped at \($0)" } ?? "not running (last heartbeat \(watcher.heartbeatAt))"
            print("watcher \(TerminalText.escaped(watcher.folder)): \(text)")
            for line in Self.stateLines(state, now: report.now) { print("  " + line) }
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
    static func stateLines(_ state: StatusReport.WatcherState, now: Double) -> [String] {
        let watcher = state.watcher
        var lines: [String] = []
        if let waiting = watcher.waiting, watcher.stoppedAt == nil {
            var line = "waiting: \(TerminalText.escaped(waiting))"
            if let retryAt = watcher.retryAt {
                line += ", retry \(watcher.retries + 1) in \(max(0, Int((retryAt - now).rounded(.up)))) s"
            }
            if let since = watcher.waitingSince { line += ", since \(Self.clock(since))" }
            lines.append(line)
        }
        if watcher.stoppedAt == nil && !state.running && state.processAlive {
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
