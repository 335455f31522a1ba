import AnnulusRecords
import DicomIO
import Foundation
import Imaging
import Store
import TextSafety
import Watch

/// What completing a study does beside its pre-triage.
public struct CompletionOptions: Sendable, Equatable {
    /// The previews folder (`<data>/previews`).
    public var previewsRoot: String
    /// Render previews and contact sheets.
    public var renderPreviews: Bool
    /// Write the findings export here, when given.
    public var exportFolder: String?
    /// The export's format.
    public var exportFormat: ExportFormat

    /// Creates options.
    public init(
        previewsRoot: String, renderPreviews: Bool = true, exportFolder: String? = nil,
        exportFormat: ExportFormat = .findings
    ) {
        self.previewsRoot = previewsRoot
        self.renderPreviews = renderPreviews
        self.exportFolder = exportFolder
        self.exportFormat = exportFormat
    }
}

/// What happens when a watched study completes: previews and contact sheets of the archived instances into
/// `<previews>/<accession or UID>/`, a pre-triage over what the store knows of the patient (needs more
/// information until intake and signed annotations exist; the worklist shows it), and optionally the findings
/// export into a folder. The watcher runs it in a child process (the command line's `complete-study`).
public struct StudyCompletionWork: StudyCompletionHandler {
    /// The use cases it runs with.
    public let useCases: UseCases
    /// What to do.
    public let options: CompletionOptions

    /// Completion work over `useCases` with `options`.
    public init(useCases: UseCases, options: CompletionOptions) {
        self.useCases = useCases
        self.options = options
    }

    /// Completes the study: throws `CompletionDeferred` when the disk holding the previews is full (the study stays
    /// pending), reports `previews-failed` with each failed preview, and any other error as thrown.
    public func completeStudy(_ studyUID: String) throws -> StudyCompletionReport {
        let store = useCases.environment.store
        let study = try store.resolveStudy(studyUID)
        var parts: [String] = []
        var problems: [String] = []
        if options.renderPreviews {
            let (previews, sheets, failures) = try renderStudy(study)
            parts.append(
                "\(previews) preview(s), \(sheets) contact sheet(s)"
                    + (failures.isEmpty ? "" : ", \(failures.count) failed"))
            problems += failures
        }
        let inputs = try TriageInputs(store: store, study: study, includeDrafts: false)
        let evaluation = inputs.evaluate(rules: useCases.environment.rules, includesDrafts: false)
        parts.append("pre-triage: \(evaluation.outcome.rawValue)")
        if let exportFolder = options.exportFolder {
            let exporter = useCases.exporter(format: options.exportFormat, includeDrafts: false)
            let document = ExportDocument(
                study: study, format: options.exportFormat, data: try exporter.data(for: study))
            try FileManager.default.createDirectory(atPath: exportFolder, withIntermediateDirectories: true)
            try AtomicFile.write(document.data, to: exportFolder + "/" + document.fileName)
            // Not the file name: it carries the accession number, and this summary is logged.
            parts.append("\(options.exportFormat.rawValue) export written")
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
        let store = useCases.environment.store
        let readOptions = useCases.environment.readOptions
        let folder = options.previewsRoot + "/" + ExportDocument.fileStem(study)
        var jobs: [RenderJob] = []
        for series in try store.series(ofStudy: study.studyInstanceUID) {
            let seriesName = "series" + (series.seriesNumber.map(String.init) ?? "x")
            for (index, instance) in try store.instances(ofSeries: series.seriesInstanceUID).enumerated() {
                let number = instance.instanceNumber.map(String.init) ?? "i\(index + 1)"
                jobs.append(RenderJob(input: instance.path, stem: "\(folder)/\(seriesName)/\(number)"))
            }
        }
        let renderer = PreviewRenderer(
            frames: .automatic, options: PreviewOptions(), readOptions: readOptions, cineSheets: true)
        let results = Parallel.map(jobs) { job in Result { try renderer.render(job.input, outputStem: job.stem) } }
        var rendered: [RenderJob] = []
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
        defer { try? AtomicFile.syncFileSystem(containing: options.previewsRoot) }
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

extension UseCases {
    /// Completes one watched study in this process (previews, pre-triage, export): for a face that isolates it
    /// itself. `CompletionDeferred` (a full disk) becomes `unavailable`.
    public func completeStudy(_ studyUID: String, options: CompletionOptions) async throws(AppError)
        -> StudyCompletionReport
    {
        try await perform {
            do { return try StudyCompletionWork(useCases: self, options: options).completeStudy(studyUID) } catch let
                deferred as CompletionDeferred
            {
                throw AppError.unavailable(deferred.description, code: "completion-deferred")
            }
        }
    }
}
