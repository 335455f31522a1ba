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

    func completeStudy(_ studyUID: String) throws -> String {
        let study = try store.resolveStudy(studyUID)
        var parts: [String] = []
        if renderPreviews {
            let (previews, sheets, failed) = try renderStudy(study)
            parts.append(
                "\(previews) preview(s), \(sheets) contact sheet(s)" + (failed > 0 ? ", \(failed) failed" : ""))
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
        return parts.joined(separator: "; ")
    }

    /// Renders every archived instance of the study (all cores) and a contact sheet per stack or cine.
    private func renderStudy(_ study: StudySummary) throws -> (previews: Int, sheets: Int, failed: Int) {
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
        var failed = 0
        for (job, result) in zip(jobs, results) {
            switch result {
            case .success(let written):
                rendered.append(job)
                previews += written.filter { $0.kind != .sheet }.count
                sheets += written.filter { $0.kind == .sheet }.count
            case .failure: failed += 1
            }
        }
        let sheetRenderer = StackSheetRenderer(options: PreviewOptions(), readOptions: readOptions)
        let plans = SheetPlanner.plan(rendered, readOptions: readOptions)
        let sheetResults = Parallel.map(plans) { job in
            Result { try sheetRenderer.render(stack: job.stack, of: job.series, to: job.path) }
        }
        for result in sheetResults {
            if case .success = result { sheets += 1 } else { failed += 1 }
        }
        return (previews, sheets, failed)
    }
}
