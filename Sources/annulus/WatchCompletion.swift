import AnnulusApp
import ArgumentParser
import Foundation
import TextSafety
import Watch

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
        let rules = try rulesOptions.load()
        let useCases = try storeOptions.useCases(rules: rules, readOptions: reader.readOptions)
        let work = StudyCompletionWork(
            useCases: useCases,
            options: CompletionOptions(
                previewsRoot: previewsRoot, renderPreviews: !noPreviews, exportFolder: exportTo,
                exportFormat: ExportFormat(rawValue: exportFormat) ?? .findings))
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
