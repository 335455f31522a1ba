import AnnulusApp
import AnnulusRecords
import ArgumentParser
import Foundation
import TextSafety

/// `annulus export`: the findings hand-off to the EHR.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract:
            "Export a study's findings as a FHIR R4 transaction Bundle, the native findings JSON or DICOM SR for PACS.",
        discussion: """
            Only signed findings are exported unless --include-drafts (then marked as drafts; the report stays \
            preliminary). Files are written atomically (temporary name, fsync, rename). With --post URL the Bundle \
            is kept in the store's outbox, sent with the bearer token from --token-file, retried with backoff on \
            timeouts and 5xx, given up at once on other 4xx; every attempt is recorded. `--retry-pending` resends \
            deliveries left to retry. --format sr writes a DICOM Structured Report (TID 1500, one group per finding) \
            and a Key Object Selection of the marked images; an unchanged export gives the same files again, a \
            changed one a report that supersedes the previous. See docs/handoff.md.
            """
    )

    @Argument(help: "The study (UID, accession or unique prefix); not needed with --retry-pending.")
    var study: String?

    @Option(
        help:
            "fhir (R4 transaction Bundle), findings (native JSON, docs/findings.schema.json) or sr (DICOM SR + KOS).")
    var format: String = "fhir"

    @Option(help: ArgumentHelp("Folder to write the export into.", valueName: "dir"))
    var out: String?

    @Option(help: ArgumentHelp("FHIR endpoint to POST the Bundle to.", valueName: "url"))
    var post: String?

    @Option(help: ArgumentHelp("File holding the bearer token for --post / --retry-pending.", valueName: "file"))
    var tokenFile: String?

    @Option(help: "Attempts per delivery before leaving it pending.")
    var maxAttempts: Int = 4

    @Option(help: ArgumentHelp("Seconds before the first retry (doubled each time).", valueName: "seconds"))
    var backoff: Double = 1

    @Flag(help: "Resend every delivery left to retry.")
    var retryPending = false

    @Flag(help: "Export draft findings too (marked as drafts).")
    var includeDrafts = false

    @OptionGroup(title: "Sending DICOM SR to a PACS (--format sr)") var pacs: PACSOptions

    @Option(
        help: ArgumentHelp(
            "Annulus's AE title when it calls the PACS (--pacs).", valueName: "title"))
    var ae = "ANNULUS"

    @OptionGroup var rulesOptions: RulesOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard ["fhir", "findings", "sr"].contains(format) else {
            throw ValidationError("--format must be 'fhir', 'findings' or 'sr' (got '\(format.terminalSafe)')")
        }
        guard (1...20).contains(maxAttempts) else { throw ValidationError("--max-attempts must be 1…20") }
        guard backoff.isFinite, (0...3600).contains(backoff) else {
            throw ValidationError("--backoff must be 0…3600 seconds (got \(backoff))")
        }
        if retryPending { return }
        guard study != nil else { throw ValidationError("name the study to export (or use --retry-pending)") }
        guard out != nil || post != nil || pacs.pacs != nil else {
            throw ValidationError("give --out DIR, --post URL or both (with --format sr: --pacs)")
        }
        if post != nil && format != "fhir" { throw ValidationError("--post sends FHIR Bundles: use --format fhir") }
        if format == "sr" && out == nil && pacs.pacs == nil {
            throw ValidationError("--format sr needs --out DIR, --pacs HOST:PORT --pacs-ae AE, or both")
        }
        if pacs.pacs != nil && format != "sr" { throw ValidationError("--pacs sends DICOM SR: use --format sr") }
        if let post, URL(string: post)?.scheme?.hasPrefix("http") != true {
            throw ValidationError("--post needs an http(s) URL (got '\(post.terminalSafe)')")
        }
    }

    mutating func run() async throws {
        try global.bootstrap()
        let folder = storeOptions.folder
        let store = try folder.openStore()
        let output = OutputLines()
        let token = try TokenFile.token(from: tokenFile)
        let policy = DeliveryPolicy(maxAttempts: maxAttempts, firstBackoff: backoff, timeout: 30)
        if retryPending {
            let useCases = UseCases(try AppEnvironment(store: store, dataFolder: folder))
            try await retry(useCases, token: token, policy: policy, output: output)
            return
        }
        let useCases = UseCases(try AppEnvironment(store: store, dataFolder: folder, rules: try rulesOptions.load()))
        let principal = Principal.commandLineReader
        if format == "sr" {
            try await exportStructuredReport(useCases, by: principal, output: output)
            return
        }
        let document = try await useCases.export(
            ExportRequest(
                study: study ?? "", format: ExportFormat(rawValue: format) ?? .fhir, includeDrafts: includeDrafts),
            by: principal)
        if let out {
            output.write("wrote \(try document.write(into: out).terminalSafe)")
        }
        guard let post, let url = URL(string: post) else { return }
        let result = try await useCases.deliver(document, to: url, token: token, policy: policy, by: principal)
        try report(result, output: output)
    }

    private func exportStructuredReport(_ useCases: UseCases, by principal: Principal, output: OutputLines)
        async throws
    {
        let export = try await useCases.exportStructuredReport(
            study: study ?? "", includeDrafts: includeDrafts, by: principal)
        for document in export.documents {
            let what = document.record.kind == .report ? "report" : "key images"
            let state =
                document.isNew
                ? (document.supersedes.map { ", supersedes \($0)" } ?? "") : ", unchanged since the last export"
            output.write(
                "\(what) \(document.record.sopInstanceUID) (instance \(document.record.instanceNumber)\(state))")
        }
        output.write(
            "\(export.findingCount) finding(s), "
                + (export.isVerified ? "verified: every finding signed" : "unverified and preliminary: not all signed"))
        if let out {
            for path in try export.write(into: out) { output.write("wrote \(path.terminalSafe)") }
        }
        guard let destination = try pacs.destination(aeTitle: ae) else { return }
        let result = try await useCases.deliver(export, to: destination, policy: deliveryPolicy, by: principal)
        try report(result, output: output)
    }

    private var deliveryPolicy: DeliveryPolicy {
        DeliveryPolicy(maxAttempts: maxAttempts, firstBackoff: backoff, timeout: 30)
    }

    private func retry(_ useCases: UseCases, token: String?, policy: DeliveryPolicy, output: OutputLines) async throws {
        let pending = try await useCases.pendingDeliveries(by: .commandLineReader)
        guard !pending.isEmpty else {
            output.write("no delivery is pending")
            return
        }
        var failed = 0
        // A target that is not a URL cannot have been recorded by `export`; such a row is left alone.
        for attempt in pending where URL(string: attempt.url) != nil || PACSDestination.isPACS(attempt.url) {
            switch try await useCases.resend(
                attempt, token: token, pacs: try pacs.destination(aeTitle: ae), policy: policy, by: .commandLineReader)
            {
            case .sent(let result):
                do { try report(result, output: output) } catch is ExitCode { failed += 1 }
            case .unsendable(let deliveryID, let message):
                // This delivery cannot be resent (its outbox file is gone or unreadable); the others still are.
                output.write("delivery \(deliveryID.prefix(8)): \(message.terminalSafe)")
                failed += 1
            }
        }
        if failed > 0 { throw ExitCode(1) }
    }

    private func report(_ result: DeliveryResult, output: OutputLines) throws {
        let last = result.last
        for attempt in result.attempts {
            output.write("attempt \(attempt.attempt): \(attempt.outcome.rawValue) — \(attempt.message.terminalSafe)")
        }
        switch last.outcome {
        case .delivered:
            output.write("delivered to \(last.url.terminalSafe) (delivery \(last.deliveryID.prefix(8)))")
        case .retry:
            output.write(
                "not delivered after \(result.attempts.count) attempt(s); kept in the outbox: retry with "
                    + (PACSDestination.isPACS(last.url)
                        ? "`annulus export --retry-pending --pacs HOST:PORT --pacs-ae AE`"
                        : "`annulus export --retry-pending --token-file FILE`"))
            throw ExitCode(1)
        case .failed:
            output.write("the endpoint refused it; not retried (delivery \(last.deliveryID.prefix(8)))")
            throw ExitCode(1)
        }
    }
}
