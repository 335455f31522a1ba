import Accounts
import AnnulusApp
import ArgumentParser
import Foundation
import QueryRetrieve
import TextSafety

/// `annulus pull`: find a patient's studies on a PACS (C-FIND) and retrieve them (C-MOVE) into the running
/// `annulus serve --dicom-port` (docs/operations.md, "Fetching priors from PACS").
struct PullCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull",
        abstract: "Fetch priors: find a patient's studies on a PACS and retrieve them into Annulus.",
        discussion: """
            Lists the studies the PACS finds (C-FIND, Study Root), then asks it to send each to Annulus's own \
            Storage SCP (C-MOVE to --ae, default ANNULUS), and confirms each is indexed in the --data folder. \
            `annulus serve --dicom-port` must be running on that data folder, and the PACS must know the AE title \
            as a DICOM modality with the server's address and DICOM port. Pulling again adds no duplicates. \
            Exit status: 0 every study retrieved (or nothing found), 1 a study failed or the PACS could not be \
            reached, 2 refused (usage error).
            """
    )

    @OptionGroup var pacs: PACSOptions

    @Option(
        help: ArgumentHelp("Annulus's AE title: calling AE and move destination.", valueName: "title")
    )
    var ae = "ANNULUS"

    @Option(help: ArgumentHelp("Patient ID to find (exact).", valueName: "id"))
    var patientId: String?

    @Option(help: ArgumentHelp("Patient name, FAMILY^GIVEN, with * and ? wildcards.", valueName: "name"))
    var patientName: String?

    @Option(
        help: ArgumentHelp(
            "Study date or range: 20200101, 20200101-, -20201231, 20200101-20201231.", valueName: "range"))
    var studyDate: String?

    @Option(
        help: ArgumentHelp(
            "A modality the study holds (MR, RF, XA, CT…); repeat for any of several.", valueName: "code"))
    var modality: [String] = []

    @Option(help: ArgumentHelp("Accession number.", valueName: "number"))
    var accession: String?

    @Option(
        parsing: .upToNextOption,
        help: ArgumentHelp("Only these studies (Study Instance UIDs).", valueName: "uid"))
    var study: [String] = []

    @Flag(help: "List what the PACS finds; retrieve nothing.")
    var findOnly = false

    @Flag(help: "One JSON object per study found and per study retrieved.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard pacs.pacs != nil else { throw ValidationError("--pacs HOST:PORT and --pacs-ae AE name the PACS") }
        if let problem = AETitle.problem(ae) { throw ValidationError("--ae \(ae.terminalSafe): \(problem)") }
        let problems = query.problems()
        guard problems.isEmpty else {
            throw ValidationError(
                problems.map { "\(Self.option[$0.field] ?? $0.field): \($0.message)" }.joined(separator: "; "))
        }
    }

    static let option = [
        "patientID": "--patient-id", "patientName": "--patient-name", "studyDate": "--study-date",
        "modalities": "--modality", "accessionNumber": "--accession", "studyUIDs": "--study",
    ]

    var query: PACSStudyQuery {
        PACSStudyQuery(
            patientID: patientId, patientName: patientName, studyDate: studyDate,
            modalities: modality.map { $0.uppercased() }, accessionNumber: accession, studyInstanceUIDs: study)
    }

    mutating func run() async throws {
        try global.bootstrap()
        guard let settings = try pacs.settings(aeTitle: ae) else { throw ValidationError("--pacs is required") }
        let pull = try storeOptions.useCases().pull(settings)
        let output = OutputLines()
        let found = try await pull.find(query, by: .commandLineReader)
        show(found, on: output)
        if found.studies.isEmpty || findOnly { return }
        let uids = found.studies.map(\.studyInstanceUID)
        let trail = AuditTrail(store: try storeOptions.open())
        let results: [PulledStudy]
        do {
            results = try await pull.retrieve(uids, by: .commandLineReader)
        } catch {
            _ = try? trail.record(
                .commandLine(), action: "study.pull", resourceType: "study", resourceIDs: uids, outcome: .failed,
                detail: "\(error.code): from \(settings.peer.calledAETitle)@\(settings.peer.host):\(settings.peer.port)"
            )
            throw error
        }
        let outcomes = Dictionary(grouping: results, by: \.outcome.rawValue).mapValues(\.count)
        _ = try? trail.record(
            .commandLine(), action: "study.pull", resourceType: "study", resourceIDs: uids,
            outcome: outcomes.keys.allSatisfy { $0 == "retrieved" } ? .ok : .failed,
            detail: "from \(settings.peer.calledAETitle)@\(settings.peer.host):\(settings.peer.port): "
                + outcomes.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ","))
        for result in results {
            if json {
                output.write(JSONLine.encode(["retrieved": result]))
            } else {
                output.write(
                    "\(result.outcome.rawValue.uppercased().padding(toLength: 11, withPad: " ", startingAt: 0)) "
                        + "\(result.studyInstanceUID)  \(result.message.terminalSafe)")
            }
        }
        if results.contains(where: { $0.outcome != .retrieved }) { throw ExitCode(1) }
    }

    private func show(_ found: FindResult, on output: OutputLines) {
        if json {
            for study in found.studies { output.write(JSONLine.encode(["found": study])) }
            output.write(
                JSONLine.encode(
                    [
                        "summary": [
                            "found": found.studies.count, "truncated": found.truncated ? 1 : 0,
                            "rejectedMatches": found.rejectedMatches,
                        ]
                    ]))
            return
        }
        guard !found.studies.isEmpty else {
            output.write("no study on the PACS matches")
            return
        }
        var rows = [
            ["DATE", "MODALITIES", "INSTANCES", "ACCESSION", "PATIENT ID", "PATIENT NAME", "DESCRIPTION", "STUDY UID"]
        ]
        for study in found.studies {
            rows.append(
                [
                    study.studyDate ?? "-", study.modalities.isEmpty ? "-" : study.modalities.joined(separator: ","),
                    study.numberOfInstances.map(String.init) ?? "-", study.accessionNumber ?? "-",
                    study.patientID ?? "-", study.patientName ?? "-", study.studyDescription ?? "-",
                    study.studyInstanceUID,
                ].map(\.terminalSafe))
        }
        let widths = rows[0].indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            output.write(
                zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }.joined(separator: "  ")
                    .trimmingCharacters(in: .whitespaces))
        }
        var summary = "\(found.studies.count) stud\(found.studies.count == 1 ? "y" : "ies") found"
        if found.truncated { summary += " (more matched: only the first ones are listed; narrow the query)" }
        if found.rejectedMatches > 0 {
            summary += "; \(found.rejectedMatches) match(es) ignored (invalid or repeated study UID)"
        }
        output.write(summary)
    }
}
