import AnnulusApp
import AnnulusRecords
import ArgumentParser
import Foundation
import TextSafety

/// `annulus deliveries`: every export sent to an endpoint (`export --post`), its state and each attempt.
struct DeliveriesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliveries",
        abstract: "List the deliveries to FHIR endpoints: target, state (pending, delivered, failed) and attempts.",
        discussion: """
            One entry per `annulus export --post` (and its `--retry-pending` resends): the study (accession, else \
            Study Instance UID), the target URL, the state from the latest attempt (pending: left to retry; \
            delivered; failed: the endpoint refused it, not retried), and every attempt with its time, outcome, HTTP \
            status and the endpoint's answer or the error. No patient name or ID is printed: a Patient ID the \
            endpoint echoes is shown as [patient ID]. See docs/handoff.md.
            """
    )

    @Option(
        help: ArgumentHelp("Only the deliveries of this study (UID, accession or unique prefix).", valueName: "study"))
    var study: String?

    @Option(help: ArgumentHelp("Only deliveries in this state: pending, delivered or failed.", valueName: "state"))
    var status: String?

    @Flag(help: "One JSON object per delivery, with its attempts.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        if let status, DeliveryRecord.State(rawValue: status) == nil {
            throw ValidationError("--status must be pending, delivered or failed (got '\(status.terminalSafe)')")
        }
    }

    mutating func run() async throws {
        try global.bootstrap()
        let lines = try await storeOptions.useCases().deliveries(
            study: study, state: status.flatMap(DeliveryRecord.State.init(rawValue:)), by: .commandLineReader)
        let output = OutputLines()
        if json {
            for line in lines { output.write(JSONLine.encode(line)) }
            return
        }
        guard !lines.isEmpty else {
            output.write(
                study == nil && status == nil
                    ? "no deliveries yet: `annulus export STUDY --post URL --token-file FILE` sends one"
                    : "no delivery matches")
            return
        }
        for line in lines {
            output.write(Self.heading(line).terminalSafe)
            let rows = line.attempts.map { attempt in
                // The message starts with the HTTP status ("HTTP 503: …") or says there was no response.
                ["  \(attempt.attempt)", attempt.at, attempt.outcome, Self.flattened(attempt.message)]
            }
            output.write(TextTable.render(rows))
        }
        let pending = lines.filter { $0.state == DeliveryRecord.State.pending.rawValue }.count
        if pending > 0 {
            output.write(
                "\(pending) pending: `annulus export --retry-pending --token-file FILE` sends them again (to a PACS: "
                    + "`--retry-pending --pacs HOST:PORT --pacs-ae AE`)")
        }
    }

    /// "delivery 3f2a9c1b  study ACC-MR-0001  delivered after 3 attempt(s)  to URL".
    static func heading(_ line: DeliveryView) -> String {
        let state =
            switch DeliveryRecord.State(rawValue: line.state) {
            case .delivered: "delivered after \(line.attempts.count) attempt(s)"
            case .pending: "pending after \(line.attempts.count) attempt(s)"
            case .failed, nil: "failed after \(line.attempts.count) attempt(s), not retried"
            }
        return "delivery \(line.id.prefix(8))  study \(line.accession ?? line.studyUID)  \(state)  to \(line.url)"
    }

    /// An endpoint's answer on one line: each line break becomes a space (other control characters are escaped by
    /// the table).
    static func flattened(_ text: String) -> String {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
    }
}
