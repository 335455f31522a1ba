import ArgumentParser
import DicomIO
import Foundation
import Logging
import TextSafety

/// The `annulus` command: disc-level spine imaging annotation and triage.
struct Annulus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "annulus",
        abstract: "Disc-level spine imaging annotation and triage for intra-annular fibrin injection candidacy.",
        discussion: ExitStatus.helpText + " Findings are preliminary until a clinician signs them.",
        subcommands: [
            Inspect.self, Render.self, Samples.self, IngestCommand.self, StudiesCommand.self, AnnotateCommand.self,
            LevelsCommand.self,
            IntakeCommand.self, TriageCommand.self, WorklistCommand.self, ExportCommand.self, WatchCommand.self,
            StatusCommand.self, CheckCommand.self, DeliveriesCommand.self, CompleteStudyCommand.self,
            UserCommand.self, AuditCommand.self, ServeCommand.self,
            // Fetching priors from a PACS (issue 16).
            PullCommand.self,
        ]
    )
}

/// Options every command accepts.
struct GlobalOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "Log level for diagnostics on stderr: trace, debug, info, notice, warning, error, critical "
                + "(default: $ANNULUS_LOG_LEVEL, else warning; info for `watch`).",
            valueName: "level"))
    var logLevel: String?

    func validate() throws {
        guard let logLevel else { return }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError(
                "'\(logLevel)' is not a log level; use one of: trace, debug, info, notice, warning, error, critical")
        }
    }

    /// Sends swift-log (and DCMTK's forwarded messages) to stderr at the chosen level: `--log-level`, else
    /// `ANNULUS_LOG_LEVEL`, else `defaultLevel` (a service such as the watcher says what it does by default).
    func bootstrap(defaultLevel: Logger.Level = .warning) throws {
        let environment = ProcessInfo.processInfo.environment["ANNULUS_LOG_LEVEL"].flatMap {
            Logger.Level(rawValue: $0)
        }
        let level: Logger.Level = logLevel.flatMap { Logger.Level(rawValue: $0) } ?? environment ?? defaultLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return EscapingLogHandler(wrapped: handler)
        }
        // DCMTK's own warnings repeat what Annulus reports per file; forward them only when asked for detail.
        let dcmtkLevel: Logger.Level = level <= .debug ? level : .error
        try DicomRuntime.initialize(dcmtkLogLevel: dcmtkLevel)
    }
}

/// Options bounding how files from outside are read.
struct ReaderOptions: ParsableArguments {
    @Option(help: "Deepest sequence nesting accepted before a file is refused.")
    var maxSequenceDepth: Int = 64

    @Option(
        help: ArgumentHelp(
            "Largest decoded image accepted, in MiB; also bounds every image derived from it (previews, sheets).",
            valueName: "MiB"))
    var maxImageMemory: UInt64 = 1024

    @Option(
        help: ArgumentHelp(
            "Seconds one frame may take in a decoder worker before it is stopped (decode-timeout).",
            valueName: "seconds"))
    var decodeTimeout: Int = 60

    @Option(
        help: ArgumentHelp(
            "Where compressed frames are decoded: workers (isolated processes, the default) or in-process "
                + "(benchmarks only: a codec crash then ends annulus).", visibility: .hidden))
    var decoders: String = "workers"

    func validate() throws {
        guard maxSequenceDepth >= 1 else { throw ValidationError("--max-sequence-depth must be at least 1") }
        guard maxImageMemory >= 1, maxImageMemory < 4096 else {
            throw ValidationError("--max-image-memory must be between 1 and 4095 MiB")
        }
        guard DecoderIsolation(rawValue: decoders) != nil else {
            throw ValidationError("--decoders must be workers or in-process (got '\(decoders)')")
        }
        guard (1...3600).contains(decodeTimeout) else {
            throw ValidationError("--decode-timeout must be between 1 and 3600 seconds (got \(decodeTimeout))")
        }
    }

    var readOptions: DicomReadOptions {
        DicomReadOptions(
            maxSequenceDepth: maxSequenceDepth, maxDecodedBytes: maxImageMemory << 20,
            decoding: DecoderIsolation(rawValue: decoders) ?? .workerProcesses, decodeTimeoutSeconds: decodeTimeout)
    }
}

@main
enum Main {
    static func main() async {
        var command: any ParsableCommand
        do {
            command = try Annulus.parseAsRoot()
        } catch {
            // ArgumentParser uses 64 for usage errors; Annulus's contract says 2.
            if Annulus.exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((Annulus.fullMessage(for: error) + "\n").utf8))
                exit(2)
            }
            Annulus.exit(withError: error)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ExitCode {
            Annulus.exit(withError: error)
        } catch  where Annulus.exitCode(for: error) == .success {
            // `--help` on a subcommand arrives here (ArgumentParser's help command throws its help request).
            Annulus.exit(withError: error)
        } catch {
            // One rule for every command (ExitStatus): 2 when the request was refused (a usage or validation error,
            // or a request the store's state refuses), 1 when carrying it out failed. The message says what is
            // wrong, not the generic usage text; controls in it (echoed input, file contents) are escaped.
            let (status, message) = ExitStatus.of(error)
            FileHandle.standardError.write(Data("Error: \(message)\n".utf8))
            exit(status)
        }
    }
}
