import AnnulusRecords
import ArgumentParser
import Candidacy
import Foundation
import SpineModel
import Store
import TextSafety

/// `annulus intake`: the clinical intake of a study's patient, versioned.
struct IntakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "Record and review the clinical intake (pain, conservative care, fitness, red flags, preference).",
        subcommands: [IntakeSet.self, IntakeShow.self, IntakeHistory.self]
    )
}

/// Intake JSON with sorted keys (stable bytes in the store).
enum IntakeCoding {
    /// The largest `--from` intake file accepted (an intake is well under 2 KiB).
    static let fileLimit = BoundedFile.mebibyte

    static func encode(_ intake: Intake) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(intake)) ?? Data("{}".utf8)
    }

    static func decode(_ data: Data, origin: String) throws -> Intake {
        let intake: Intake
        do { intake = try JSONDecoder().decode(Intake.self, from: data) } catch {
            throw ValidationError(
                "\(origin.terminalSafe) is not a valid intake: \(String(describing: error).terminalSafe)")
        }
        do { try intake.validate() } catch { throw ValidationError("\(origin.terminalSafe): \(error.description)") }
        return intake
    }
}

struct IntakeSet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Record intake facts as a new version (fields given replace those of the latest version).",
        discussion: """
            Example: annulus intake set ACC-MR-0001 age=45 pain-months=14 back-pain=vas:70 leg-pain=nrs:3 \
            leg-radicular=no care=physical-therapy:12:no care=nsaids:8:no fit=yes infection=no tumour=no \
            fracture=no cauda-equina=no prior-surgery=no prefers-non-surgical=yes. See docs/rules.md.
            """
    )

    @Argument(help: "The study whose patient the intake belongs to (UID, accession or unique prefix).")
    var study: String

    @Argument(help: "Facts as key=value.")
    var facts: [String] = []

    @Option(help: ArgumentHelp("A JSON intake file to start from instead of the latest version.", valueName: "file"))
    var from: String?

    @Option(help: "Why the intake changes (kept in its history).")
    var reason: String?

    @Flag(help: "Print the recorded intake as JSON.")
    var json = false

    @OptionGroup var authorOptions: AuthorOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let author = try authorOptions.resolved()
        let store = try storeOptions.open()
        let target = try store.resolveStudy(study)
        var intake: Intake
        if let from {
            let bytes: [UInt8]
            do { bytes = try BoundedFile.read(path: from, limit: IntakeCoding.fileLimit, what: "intake file") } catch {
                throw ValidationError(error.description)
            }
            intake = try IntakeCoding.decode(Data(bytes), origin: from)
        } else if let latest = try store.latestIntake(studyUID: target.studyInstanceUID) {
            intake = try IntakeCoding.decode(latest.payload, origin: "the stored intake")
        } else {
            intake = Intake()
        }
        do { try intake.apply(assignments: facts) } catch { throw ValidationError(error.description) }
        guard from != nil || !facts.isEmpty else {
            throw ValidationError("give intake facts as key=value (see `annulus intake set --help`) or --from FILE")
        }
        let version = try store.recordIntake(
            studyUID: target.studyInstanceUID, payload: IntakeCoding.encode(intake), author: author, reason: reason)
        let output = OutputLines()
        output.write(
            json
                ? TerminalText.jsonEscaped(String(decoding: version.payload, as: UTF8.self))
                : "intake v\(version.version) recorded by \(version.author.terminalSafe) for the patient of study "
                    + target.studyInstanceUID.terminalSafe)
    }
}

struct IntakeShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the latest intake.")

    @Argument(help: "The study (UID, accession or unique prefix).")
    var study: String

    @Flag(help: "Print as JSON.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let store = try storeOptions.open()
        let target = try store.resolveStudy(study)
        let output = OutputLines()
        guard let latest = try store.latestIntake(studyUID: target.studyInstanceUID) else {
            output.write(
                "no intake recorded yet: add one with `annulus intake set \(study.terminalSafe) key=value ...`")
            return
        }
        if json {
            output.write(TerminalText.jsonEscaped(String(decoding: latest.payload, as: UTF8.self)))
            return
        }
        output.write("intake v\(latest.version) by \(latest.author.terminalSafe) at \(latest.createdAt.terminalSafe)")
        output.write(TerminalText.jsonEscaped(String(decoding: latest.payload, as: UTF8.self)))
    }
}

struct IntakeHistory: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "Every intake version.")

    @Argument(help: "The study (UID, accession or unique prefix).")
    var study: String

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let store = try storeOptions.open()
        let versions = try store.intakeHistory(studyUID: try store.resolveStudy(study).studyInstanceUID)
        var rows = [["V", "BY", "AT", "REASON", "INTAKE"]]
        for version in versions {
            rows.append([
                "\(version.version)", version.author, version.createdAt, version.reason ?? "",
                String(decoding: version.payload, as: UTF8.self),
            ])
        }
        OutputLines().write(versions.isEmpty ? "no intake recorded yet" : TextTable.render(rows))
    }
}

/// Gathers what the engine needs for a patient: the intake and the findings that count, from every study of
/// the patient (an MR and the discography of the same patient are read together).
struct TriageInputs {
    var intake: Intake?
    var levels: [DiscLevel: [Finding]]
    var pendingDrafts: Int
    var accessions: [String]

    /// Reads the inputs; `allStudies` (from `store.studies()`) may be passed in when evaluating many patients.
    init(store: AnnulusStore, study: StudySummary, includeDrafts: Bool, allStudies: [StudySummary]? = nil) throws {
        // Without a Patient ID the study stands alone: studies missing it cannot be told to be one patient's.
        let patientStudies =
            study.patientID.isEmpty
            ? [study]
            : try allStudies?.filter { $0.patientID == study.patientID } ?? store.studies(ofPatient: study.patientID)
        accessions = patientStudies.compactMap(\.accessionNumber)
        intake = try store.latestIntake(studyUID: study.studyInstanceUID).map {
            try IntakeCoding.decode($0.payload, origin: "the stored intake")
        }
        levels = [:]
        pendingDrafts = 0
        for member in patientStudies {
            let current = try store.annotations(studyUID: member.studyInstanceUID, includeRetracted: false)
            pendingDrafts += current.filter { !$0.isSigned }.count
            for counted in try Self.countedVersions(current, store: store, includeDrafts: includeDrafts) {
                guard let annotation = try? LevelAnnotation.decode(counted.payload) else { continue }
                levels[annotation.level, default: []].append(annotation.finding)
            }
        }
    }

    /// The versions that count for triage and export: the latest when drafts are included, otherwise the last
    /// signed version of each annotation (an amendment waiting for signature leaves it in force).
    static func countedVersions(
        _ current: [AnnotationVersion], store: AnnulusStore, includeDrafts: Bool
    ) throws -> [AnnotationVersion] {
        try current.compactMap { latest in
            includeDrafts || latest.isSigned
                ? latest : try store.history(id: latest.annotationID).last(where: \.isSigned)
        }
    }
}

/// Loads the rule file: `--rules FILE` or the bundled default.
struct RulesOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("A clinic's rule file (default: the bundled rules; see docs/rules.md).", valueName: "file"))
    var rules: String?

    func load() throws -> RuleSet {
        do { return try rules.map { try RuleSet.load(path: $0) } ?? RuleSet.bundled() } catch {
            throw ValidationError("\(error)")
        }
    }
}

struct TriageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "triage",
        abstract: "Candidacy per disc level with the reasons: what is missing, what excludes, what supports.",
        discussion: """
            Reads the intake and the signed findings of every study of the study's patient. Decision support only: \
            the findings are preliminary until a clinician signs them.
            """
    )

    @Argument(help: "The study (UID, accession or unique prefix).")
    var study: String

    @Flag(help: "Count draft findings too (the output says so).")
    var includeDrafts = false

    @Flag(help: "Print the evaluation as JSON.")
    var json = false

    @OptionGroup var rulesOptions: RulesOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let rules = try rulesOptions.load()
        let store = try storeOptions.open()
        let target = try store.resolveStudy(study)
        let inputs = try TriageInputs(store: store, study: target, includeDrafts: includeDrafts)
        let evaluation = CandidacyEngine.evaluate(
            intake: inputs.intake, levels: inputs.levels, rules: rules, includesDrafts: includeDrafts)
        let output = OutputLines()
        if json {
            output.write(JSONLine.encode(evaluation))
            return
        }
        output.write("Study \((target.accessionNumber ?? target.studyInstanceUID).terminalSafe)")
        output.write(TerminalText.escapedLines(evaluation.explanation()))
        let patientStudies = target.patientID.isEmpty ? [target] : try store.studies(ofPatient: target.patientID)
        for line in try LevelCheck.triageLines(store: store, studies: patientStudies) { output.write(line) }
        if !includeDrafts && inputs.pendingDrafts > 0 {
            output.write(
                "\(inputs.pendingDrafts) draft finding(s) not counted until signed (--include-drafts to preview them)")
        }
    }
}

struct WorklistCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worklist",
        abstract: "Patients in order of what needs attention: urgent review, missing information, sign-off, the rest."
    )

    @Flag(help: "One JSON object per patient.")
    var json = false

    @OptionGroup var rulesOptions: RulesOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    struct Entry: Encodable {
        var priority: Int
        var attention: String
        var accessions: [String]
        var outcome: String
        var detail: String
        /// The patient's studies whose watcher completion failed ("ACCESSION: reason"): their previews or
        /// export are missing, whatever the triage says.
        var imagingProblems: [String]
    }

    mutating func run() async throws {
        try global.bootstrap()
        let rules = try rulesOptions.load()
        let store = try storeOptions.open()
        var seenPatients: Set<String> = []
        var entries: [Entry] = []
        let studies = try store.studies()
        let failedCompletions = Dictionary(
            try store.watchStudies().filter { $0.state == .failed }.map { ($0.studyUID, $0.failure ?? "failed") },
            uniquingKeysWith: { first, _ in first })
        // One entry per patient; a study without a Patient ID is its own entry.
        for study in studies where study.patientID.isEmpty || seenPatients.insert(study.patientID).inserted {
            let signed = try TriageInputs(store: store, study: study, includeDrafts: false, allStudies: studies)
            let evaluation = CandidacyEngine.evaluate(
                intake: signed.intake, levels: signed.levels, rules: rules, includesDrafts: false)
            let withDrafts = try TriageInputs(store: store, study: study, includeDrafts: true, allStudies: studies)
            let draftOutcome = CandidacyEngine.evaluate(
                intake: withDrafts.intake, levels: withDrafts.levels, rules: rules, includesDrafts: true
            ).outcome
            let missing = Array(Set(evaluation.levels.flatMap(\.missingFacts))).sorted()
            let entry: Entry
            let awaitingSignOff =
                draftOutcome == .candidate && signed.pendingDrafts > 0 && evaluation.outcome != .candidate
            switch evaluation.outcome {
            case .urgentReview:
                let flags = evaluation.redFlags.map(\.ruleID).joined(separator: ", ")
                entry = Entry(
                    priority: 1, attention: "urgent review", accessions: signed.accessions,
                    outcome: evaluation.outcome.rawValue, detail: "red flag: \(flags)", imagingProblems: [])
            case .needsMoreInformation where !awaitingSignOff:
                entry = Entry(
                    priority: 2, attention: "needs more information", accessions: signed.accessions,
                    outcome: evaluation.outcome.rawValue,
                    detail: "missing: " + (missing.isEmpty ? "signed findings" : missing.joined(separator: ", ")),
                    imagingProblems: [])
            default:
                if awaitingSignOff {
                    entry = Entry(
                        priority: 3, attention: "candidate awaiting sign-off", accessions: signed.accessions,
                        outcome: evaluation.outcome.rawValue,
                        detail: "\(signed.pendingDrafts) draft finding(s) to sign", imagingProblems: [])
                } else {
                    entry = Entry(
                        priority: 4, attention: evaluation.outcome.rawValue, accessions: signed.accessions,
                        outcome: evaluation.outcome.rawValue,
                        detail: evaluation.levels.map { "\($0.level.name) \($0.outcome.rawValue)" }.joined(
                            separator: ", "), imagingProblems: [])
                }
            }
            var withProblems = entry
            let patientStudies =
                study.patientID.isEmpty ? [study] : studies.filter { $0.patientID == study.patientID }
            withProblems.imagingProblems = patientStudies.compactMap { member in
                failedCompletions[member.studyInstanceUID].map {
                    "\(member.accessionNumber ?? member.studyInstanceUID): \($0)"
                }
            }
            entries.append(withProblems)
        }
        entries.sort { ($0.priority, $0.accessions.first ?? "") < ($1.priority, $1.accessions.first ?? "") }
        let output = OutputLines()
        if json {
            for entry in entries { output.write(JSONLine.encode(entry)) }
            return
        }
        guard !entries.isEmpty else {
            output.write("the store is empty: `annulus ingest PATH` first")
            return
        }
        var rows = [["#", "ATTENTION", "STUDIES", "DETAIL"]]
        for (index, entry) in entries.enumerated() {
            let problems =
                entry.imagingProblems.isEmpty
                ? "" : " · completion failed: " + entry.imagingProblems.joined(separator: ", ") + " (annulus status)"
            rows.append([
                "\(index + 1)", entry.attention, entry.accessions.joined(separator: ","), entry.detail + problems,
            ])
        }
        output.write(TextTable.render(rows))
    }
}
