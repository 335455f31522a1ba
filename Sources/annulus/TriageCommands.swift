import AnnulusApp
import ArgumentParser
import Candidacy
import Foundation
import TextSafety

/// `annulus intake`: the clinical intake of a study's patient, versioned.
struct IntakeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "intake",
        abstract: "Record and review the clinical intake (pain, conservative care, fitness, red flags, preference).",
        subcommands: [IntakeSet.self, IntakeShow.self, IntakeHistory.self]
    )
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
        let author = try authorOptions.principal()
        let record = try await storeOptions.useCases().setIntake(
            IntakeUpdate(
                study: study, base: from.map { .file(path: $0) } ?? .latest, assignments: facts, reason: reason),
            by: author)
        guard let version = record.latest else { return }
        let output = OutputLines()
        output.write(
            json
                ? TerminalText.jsonEscaped(String(decoding: version.payload, as: UTF8.self))
                : "intake v\(version.version) recorded by \(version.author.terminalSafe) for the patient of study "
                    + record.study.studyInstanceUID.terminalSafe)
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
        let record = try await storeOptions.useCases().intake(ofStudy: study, by: .commandLineReader)
        let output = OutputLines()
        guard let latest = record.latest else {
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
        let versions = try await storeOptions.useCases().intakeHistory(ofStudy: study, by: .commandLineReader)
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

/// Loads the rule file: `--rules FILE` or the bundled default.
struct RulesOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp("A clinic's rule file (default: the bundled rules; see docs/rules.md).", valueName: "file"))
    var rules: String?

    /// The rule set; a file that cannot be used is refused naming every problem.
    func load() throws -> RuleSet {
        try AppEnvironment.loadRules(path: rules)
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
        let report = try await storeOptions.useCases(rules: rules).triage(
            study: study, includeDrafts: includeDrafts, by: .commandLineReader)
        let output = OutputLines()
        if json {
            output.write(JSONLine.encode(report.evaluation))
            return
        }
        output.write("Study \((report.study.accessionNumber ?? report.study.studyInstanceUID).terminalSafe)")
        output.write(TerminalText.escapedLines(report.evaluation.explanation()))
        for accepted in report.acceptedOutside { output.write(accepted.warningLine) }
        if !includeDrafts && report.pendingDrafts > 0 {
            output.write(
                "\(report.pendingDrafts) draft finding(s) not counted until signed (--include-drafts to preview them)")
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

    mutating func run() async throws {
        try global.bootstrap()
        let rules = try rulesOptions.load()
        let entries = try await storeOptions.useCases(rules: rules).worklist(by: .commandLineReader)
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
            let unreadable =
                entry.unreadableFindings.isEmpty
                ? ""
                : " · \(entry.unreadableFindings.count) finding(s) cannot be read, not counted (annulus triage): "
                    + entry.unreadableFindings.joined(separator: ", ")
            rows.append([
                "\(index + 1)", entry.attention, entry.accessions.joined(separator: ","),
                entry.detail + problems + unreadable,
            ])
        }
        output.write(TextTable.render(rows))
    }
}
