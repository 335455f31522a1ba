import AnnulusRecords
import ArgumentParser
import Foundation
import Store
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

    /// One delivery as `--json` prints it (every key always present; `null` when unknown).
    struct Line: Encodable {
        struct Attempt: Encodable {
            var attempt: Int
            var at: String
            var outcome: String
            var httpStatus: Int?
            var message: String

            enum CodingKeys: String, CodingKey { case attempt, at, outcome, httpStatus, message }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(attempt, forKey: .attempt)
                try container.encode(at, forKey: .at)
                try container.encode(outcome, forKey: .outcome)
                try container.encode(httpStatus, forKey: .httpStatus)
                try container.encode(message, forKey: .message)
            }
        }
        var id: String
        var studyUID: String
        var accession: String?
        var url: String
        var state: String
        var outbox: String
        var attempts: [Attempt]

        enum CodingKeys: String, CodingKey { case id, studyUID, accession, url, state, outbox, attempts }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(studyUID, forKey: .studyUID)
            try container.encode(accession, forKey: .accession)
            try container.encode(url, forKey: .url)
            try container.encode(state, forKey: .state)
            try container.encode(outbox, forKey: .outbox)
            try container.encode(attempts, forKey: .attempts)
        }
    }

    mutating func run() async throws {
        try global.bootstrap()
        let store = try storeOptions.open()
        let studies = Dictionary(
            try store.studies().map { ($0.studyInstanceUID, $0) }, uniquingKeysWith: { first, _ in first })
        let studyUID = try study.map { try store.resolveStudy($0).studyInstanceUID }
        let wanted = status.flatMap(DeliveryRecord.State.init(rawValue:))
        let deliveries = try store.deliveries(studyUID: studyUID).filter { wanted == nil || $0.state == wanted }
        let lines = deliveries.map { Self.line($0, study: studies[$0.studyUID]) }
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
                "\(pending) pending: `annulus export --retry-pending --token-file FILE` sends them again")
        }
    }

    /// "delivery 3f2a9c1b  study ACC-MR-0001  delivered after 3 attempt(s)  to URL".
    static func heading(_ line: Line) -> String {
        let state =
            switch DeliveryRecord.State(rawValue: line.state) {
            case .delivered: "delivered after \(line.attempts.count) attempt(s)"
            case .pending: "pending after \(line.attempts.count) attempt(s)"
            case .failed, nil: "failed after \(line.attempts.count) attempt(s), not retried"
            }
        return "delivery \(line.id.prefix(8))  study \(line.accession ?? line.studyUID)  \(state)  to \(line.url)"
    }

    /// The printed form of a delivery: attempts with the study's Patient ID, if an endpoint echoed it, replaced.
    static func line(_ record: DeliveryRecord, study: StudySummary?) -> Line {
        let patientID = study?.patientID ?? ""
        return Line(
            id: record.deliveryID, studyUID: record.studyUID, accession: study?.accessionNumber,
            url: withoutPassword(record.url),
            state: record.state.rawValue, outbox: record.outboxPath,
            attempts: record.attempts.map { attempt in
                Line.Attempt(
                    attempt: attempt.attempt, at: attempt.attemptedAt, outcome: attempt.outcome.rawValue,
                    httpStatus: attempt.httpStatus, message: redacted(attempt.message, patientID: patientID))
            })
    }

    /// `url` with a password in its user part (`https://user:secret@host/`) shown as `***`.
    static func withoutPassword(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? url
    }

    /// `text` with every occurrence of `patientID` replaced by "[patient ID]" (IDs shorter than 3 characters are
    /// left: they would only garble status codes and numbers).
    static func redacted(_ text: String, patientID: String) -> String {
        patientID.count < 3 ? text : text.replacingOccurrences(of: patientID, with: "[patient ID]")
    }

    /// An endpoint's answer on one line: each line break becomes a space (other control characters are escaped by
    /// the table).
    static func flattened(_ text: String) -> String {
        text.split(whereSeparator: { $0 == "\n" || $0 == "\r" }).map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
    }
}
