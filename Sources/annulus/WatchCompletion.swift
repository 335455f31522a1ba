import AnnulusRecords
import TextSafety
import ArgumentParser
import Candidacy
import DicomIO
import Foundation
import Imaging
import Store
import Watch

/// What the watcher does when a study completes: previews and contact sheets of the archived instances into
/// `<data>/previews/<accession or UID>/`, a pre-triage over what the store knows of the patient (needs more
/// information until intake and signed annotations exist; the worklist shows it), and optionally the findings
/// export into a folder.
struct WatchCompletionWork: StudyCompletionHandler {
    let store: AnnulusStore
    let previewsRoot: String
    let renderPreviews: Bool
    let exportFolder: String?
    let exportFormat: String
    let rules: RuleSet
    let readOptions: DicomReadOptions

    func completeStudy(_ studyUID: String) throws -> StudyCompletionReport {
        let study = try store.resolveStudy(studyUID)
        var parts: [String] = []
        var problems: [String] = []
        if renderPreviews {
            let (previews, sheets, failures) = try renderStudy(study)
            parts.append(
                "\(previews) preview(s), \(sheets) contact sheet(s)"
                    + (failures.isEmpty ? "" : ", \(failures.count) failed"))
            problems += failures
        }
        let inputs = try TriageInputs(store: store, study: study, includeDrafts: false)
        let evaluation = CandidacyEngine.evaluate(
            intake: inputs.intake, levels: inputs.levels, rules: rules, includesDrafts: false)
        parts.append("pre-triage: \(evaluation.outcome.rawValue)")
        if let exportFolder {
            let exporter = FindingsExporter(store: store, includeDrafts: false, rules: rules, format: exportFormat)
            try FileManager.default.createDirectory(atPath: exportFolder, withIntermediateDirectories: true)
            let path = exportFolder + "/" + exporter.fileName(for: study)
            try AtomicFile.write(try exporter.data(for: study), to: path)
            // Not the file name: it carries the accession number, and this summary is logged.
            parts.append("\(exportFormat) export written")
        }
        if problems.contains(where: CompletionDeferred.isDiskFull) {
            throw CompletionDeferred(reason: "the disk holding the previews is full")
        }
        return StudyCompletionReport(
            summary: parts.joined(separator: "; "), failure: problems.isEmpty ? nil : "previews-failed",
            problems: problems)
    }

    /// Renders every archived instance of the study (all cores) and a contact sheet per stack or cine.
    /// Failures are returned one line each: the archived file (named by UIDs, never by patient) and the reason.
    private func renderStudy(_ study: StudySummary) throws -> (previews: Int, sheets: Int, failures: [String]) {
        let folder = previewsRoot + "/" + FindingsExporter.fileStem(study)
        var jobs: [(input: String, stem: String)] = []
        for series in try store.series(ofStudy: study.studyInstanceUID) {
            let seriesName = "series" + (series.seriesNumber.map(String.init) ?? "x")
            for (index, instance) in try store.instances(ofSeries: series.seriesInstanceUID).enumerated() {
                let number = instance.instanceNumber.map(String.init) ?? "i\(index + 1)"
                jobs.append((instance.path, "\(folder)/\(seriesName)/\(number)"))
            }
        }
        let renderer = PreviewRenderer(
            frames: .automatic, options: PreviewOptions(), readOptions: readOptions, cineSheets: true)
        let results = Parallel.map(jobs) { job in Result { try renderer.render(job.input, outputStem: job.stem) } }
        var rendered: [(input: String, stem: String)] = []
        var previews = 0
        var sheets = 0
        var failures: [String] = []
        for (job, result) in zip(jobs, results) {
            switch result {
            case .success(let written):
                rendered.append(job)
                previews += written.filter { $0.kind != .sheet }.count
                sheets += written.filter { $0.kind == .sheet }.count
            case .failure(let error): failures.append("preview failed: \(Self.describe(error, input: job.input))")
            }
        }
        let sheetRenderer = StackSheetRenderer(options: PreviewOptions(), readOptions: readOptions)
        let plans = SheetPlanner.plan(rendered, readOptions: readOptions)
        let sheetResults = Parallel.map(plans) { job in
            Result { try sheetRenderer.render(stack: job.stack, of: job.series, to: job.path) }
        }
        defer { try? AtomicFile.syncFileSystem(containing: previewsRoot) }
        for (plan, result) in zip(plans, sheetResults) {
            switch result {
            case .success: sheets += 1
            case .failure(let error):
                failures.append("contact sheet failed: \(Self.describe(error, input: plan.path))")
            }
        }
        return (previews, sheets, failures)
    }

    /// "reason-code: message" for a failure, with the file named once and control characters escaped.
    static func describe(_ error: any Error, input: String) -> String {
        let text: String
        if let dicom = error as? DicomError {
            text = "\(dicom.kind.rawValue): \(dicom.message)"
        } else {
            text = "\(error)"
        }
        return TerminalText.escaped("\((input as NSString).lastPathComponent): \(text)")
    }
}

/// Runs each study's completion in a child `annulus complete-study` process, so that nothing a study's files do
/// to the renderer (a crash, a hang, memory) can take the watcher with it: a child that dies marks the study
/// `completion-crashed`, one that outlives `timeout` is killed and marks it `completion-timeout`, and the
/// watcher goes on with the next study.
struct IsolatedStudyCompletion: StudyCompletionHandler {
    /// The child's command line without the study UID.
    let arguments: [String]
    /// Seconds a completion may take.
    let timeout: Double

    func completeStudy(_ studyUID: String) throws -> StudyCompletionReport {
        let result = try ChildProcess.run(arguments + [studyUID], timeout: timeout)
        switch result.ending {
        case .exited(0):
            guard let report = try? JSONDecoder().decode(StudyCompletionReport.self, from: Data(result.output)) else {
                return StudyCompletionReport(
                    summary: "the completion process ended without a report", failure: "completion-failed")
            }
            return report
        case .exited(CompleteStudyCommand.deferredStatus):
            throw CompletionDeferred(reason: "the disk holding the previews or exports is full")
        case .exited(let status):
            return StudyCompletionReport(
                summary: "the completion process exited with status \(status) (its messages are in the log)",
                failure: "completion-failed")
        case .signalled(let signal):
            let name = strsignal(signal).map { String(cString: $0) } ?? "signal \(signal)"
            return StudyCompletionReport(
                summary: "the completion process died of signal \(signal) (\(name)); the study's files are kept "
                    + "and indexed, without previews", failure: "completion-crashed")
        case .timedOut:
            return StudyCompletionReport(
                summary: "the completion took longer than \(Int(timeout)) s and was stopped (--completion-timeout)",
                failure: "completion-timeout")
        }
    }

    /// This program's own path (for starting the child).
    static func ownExecutable() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// `annulus complete-study UID` (hidden): one study's completion, run by the watcher in a child process; prints
/// the report as JSON on standard output.
struct CompleteStudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "complete-study",
        abstract: "Complete one watched study (previews, pre-triage, export); run by `annulus watch`.",
        shouldDisplay: false)

    /// The exit status that asks the watcher to keep the study pending and try later (EX_TEMPFAIL).
    static let deferredStatus: Int32 = 75

    @Argument(help: "The Study Instance UID.")
    var study: String

    @Option(help: "The previews folder.")
    var previewsRoot: String

    @Flag(help: "Do not render previews.")
    var noPreviews = false

    @Option(help: "Write the findings export here.")
    var exportTo: String?

    @Option(help: "findings or fhir.")
    var exportFormat: String = "findings"

    @OptionGroup var reader: ReaderOptions
    @OptionGroup var rulesOptions: RulesOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func run() throws {
        try global.bootstrap(defaultLevel: .info)
        let store = try storeOptions.open()
        let work = WatchCompletionWork(
            store: store, previewsRoot: previewsRoot, renderPreviews: !noPreviews, exportFolder: exportTo,
            exportFormat: exportFormat, rules: try rulesOptions.load(), readOptions: reader.readOptions)
        let report: StudyCompletionReport
        do {
            report = try work.completeStudy(study)
        } catch let deferred as CompletionDeferred {
            FileHandle.standardError.write(Data("\(deferred)\n".utf8))
            throw ExitCode(Self.deferredStatus)
        } catch  where CompletionDeferred.isDiskFull("\(error)") {
            FileHandle.standardError.write(
                Data("study completion deferred: \(TerminalText.escaped("\(error)"))\n".utf8))
            throw ExitCode(Self.deferredStatus)
        } catch {
            report = StudyCompletionReport(
                summary: "completion failed: \(TerminalText.escaped("\(error)"))", failure: "completion-failed")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        FileHandle.standardOutput.write(try encoder.encode(report))
    }
}
