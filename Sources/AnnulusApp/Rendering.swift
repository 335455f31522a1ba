import DicomIO
import Foundation
import Imaging

/// A request for PNG previews of files, folders and whole studies: output mirrors the input layout under `out`.
public struct RenderRequest: Sendable {
    /// Files or folders (walked recursively).
    public var paths: [String]
    /// The folder to write into.
    public var out: String
    /// Which frames.
    public var frames: FrameSelection
    /// Window, size, bit depth, orientation letters.
    public var options: PreviewOptions
    /// Also a contact sheet per slice stack (and per cine).
    public var sheets: Bool

    /// Creates a request.
    public init(paths: [String], out: String, frames: FrameSelection, options: PreviewOptions, sheets: Bool) {
        self.paths = paths
        self.out = out
        self.frames = frames
        self.options = options
        self.sheets = sheets
    }
}

/// What rendering reports as it goes, in input order.
public enum RenderEvent: Sendable {
    /// The files found, before any is rendered (`inputs`), and the operands that are not usable files.
    case planned(inputs: Int, problems: [DicomError])
    /// One input rendered: what was written.
    case rendered(input: String, written: [PreviewOutput])
    /// One input failed.
    case failed(DicomError)
    /// The contact sheets to draw, before any is drawn.
    case sheetsPlanned(Int)
    /// One sheet drawn.
    case sheetRendered(series: SeriesModel, written: PreviewOutput)
    /// One sheet failed.
    case sheetFailed(DicomError)
    /// The final sync of the written files failed.
    case syncFailed(String)
}

/// The counts of a render run.
public struct RenderTally: Sendable, Equatable {
    /// Inputs rendered.
    public var rendered = 0
    /// Inputs and sheets that failed (and a failed sync).
    public var failed = 0
    /// Contact sheets written (the renderer's cine sheets included).
    public var sheets = 0

    /// Creates a tally.
    public init(rendered: Int = 0, failed: Int = 0, sheets: Int = 0) {
        self.rendered = rendered
        self.failed = failed
        self.sheets = sheets
    }
}

/// Every file under the operands with the output stem that mirrors its place in the input.
public enum RenderPlanner {
    /// The jobs for `operands` under `out`, and the operands that are not usable files.
    public static func jobs(for operands: [String], out: String) -> (jobs: [RenderJob], problems: [DicomError]) {
        var jobs: [RenderJob] = []
        var failures: [DicomError] = []
        for operand in operands {
            let expansion = InputFiles.expand([operand], recursive: true)
            failures += expansion.problems
            let base = operand.hasSuffix("/") ? String(operand.dropLast()) : operand
            for file in expansion.files {
                let relative =
                    file == base ? (file as NSString).lastPathComponent : String(file.dropFirst(base.count + 1))
                jobs.append(RenderJob(input: file, stem: out + "/" + ((relative as NSString).deletingPathExtension)))
            }
        }
        return (jobs, failures)
    }
}

extension UseCases {
    /// Renders the request's files in parallel (in bounded batches, reported in input order), then its contact
    /// sheets, then makes the batch durable with one sync. Failures are reported and the rest still rendered.
    /// Needs no store: a face may run it through `renderPreviews(_:readOptions:emit:)` without one.
    public static func renderPreviews(
        _ request: RenderRequest, readOptions: DicomReadOptions, emit: (RenderEvent) -> Void
    ) async -> RenderTally {
        let renderer = PreviewRenderer(
            frames: request.frames, options: request.options, readOptions: readOptions, cineSheets: request.sheets)
        let (jobs, problems) = RenderPlanner.jobs(for: request.paths, out: request.out)
        emit(.planned(inputs: jobs.count, problems: problems))
        var tally = RenderTally(rendered: 0, failed: problems.count, sheets: 0)
        var rendered: [RenderJob] = []
        let width = max(1, ProcessInfo.processInfo.activeProcessorCount)
        await forEachConcurrently(jobs, batchSize: width * 4) { job in
            Result { try renderer.render(job.input, outputStem: job.stem) }
        } emit: { job, result in
            switch result {
            case .success(let written):
                tally.rendered += 1
                tally.sheets += written.filter { $0.kind == .sheet }.count
                rendered.append(job)
                emit(.rendered(input: job.input, written: written))
            case .failure(let error):
                tally.failed += 1
                emit(.failed((error as? DicomError) ?? DicomError(.internal, path: job.input, message: "\(error)")))
            }
        }
        if request.sheets {
            let sheets = SheetPlanner.plan(rendered, readOptions: readOptions)
            emit(.sheetsPlanned(sheets.count))
            let sheetRenderer = StackSheetRenderer(options: request.options, readOptions: readOptions)
            await forEachConcurrently(sheets, batchSize: width * 2) { job in
                Result { try sheetRenderer.render(stack: job.stack, of: job.series, to: job.path) }
            } emit: { job, result in
                switch result {
                case .success(let written):
                    tally.sheets += 1
                    emit(.sheetRendered(series: job.series, written: written))
                case .failure(let error):
                    tally.failed += 1
                    let path = job.stack.slices.first?.path ?? job.path
                    emit(.sheetFailed((error as? DicomError) ?? DicomError(.internal, path: path, message: "\(error)")))
                }
            }
        }
        // Previews are renamed into place as they are written; one syncfs makes the whole batch durable.
        if tally.rendered + tally.sheets > 0 {
            do { try AtomicFile.syncFileSystem(containing: request.out) } catch {
                emit(.syncFailed("\(error)"))
                tally.failed += 1
            }
        }
        return tally
    }
}
