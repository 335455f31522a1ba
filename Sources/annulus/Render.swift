import TextSafety
import ArgumentParser
import DicomIO
import Foundation
import Imaging

/// `annulus render`: PNG previews of DICOM images, cines and whole studies.
struct Render: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render PNG previews: windowed images, animated cines and per-stack contact sheets.",
        discussion: """
            Folders are walked recursively. Output mirrors the input layout under --out: NAME.png per image, \
            NAME-fNNNN.png per frame of a multi-frame image, NAME.png as an animated PNG for a cine, and with \
            --sheet one sheet-seriesN.png per slice stack next to the series' previews. Every PNG is written to a \
            temporary name and renamed, so no partial file is ever visible. \
            Exit status: 0 all rendered, 1 any file failed (the rest are still rendered), 2 refused (usage error).
            """
    )

    @Argument(help: "Files or folders (whole studies) to render.")
    var paths: [String]

    @Option(name: .long, help: "Folder to write PNG files into (created if missing).")
    var out: String

    @Option(help: ArgumentHelp("Window: \(WindowChoice.syntax).", valueName: "choice"))
    var window: String = "file"

    @Option(
        help: ArgumentHelp(
            "Frames: 'auto' (cines animated, other multi-frame images frame by frame), 'first', 'all' or a "
                + "1-based frame number.", valueName: "choice"))
    var frames: String = "auto"

    @Option(help: ArgumentHelp("Longest side of each preview in pixels (default: the stored size).", valueName: "PX"))
    var size: Int?

    @Option(help: ArgumentHelp("Bits per grey sample: 8 or 16.", valueName: "bits"))
    var bitDepth: Int = 8

    @Flag(help: "Also write a contact sheet per slice stack (and per cine).")
    var sheet = false

    @Flag(inversion: .prefixedNo, help: "Burn R/L, A/P, S/I letters at the image edges when the geometry is known.")
    var orientationLetters = true

    @Flag(name: .shortAndLong, help: .hidden)
    var recursive = false

    @Flag(help: "Print one JSON object per input file (and per sheet) listing what was written, then a summary.")
    var json = false

    @OptionGroup var reader: ReaderOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard WindowChoice(argument: window) != nil else {
            throw ValidationError("--window must be \(WindowChoice.syntax) (got '\(window)')")
        }
        guard FrameSelection(argument: frames) != nil else {
            throw ValidationError("--frames must be 'auto', 'first', 'all' or a frame number from 1 (got '\(frames)')")
        }
        if let size, !(16...8192).contains(size) {
            throw ValidationError("--size must be between 16 and 8192 pixels (got \(size))")
        }
        guard bitDepth == 8 || bitDepth == 16 else {
            throw ValidationError("--bit-depth must be 8 or 16 (got \(bitDepth))")
        }
    }

    mutating func run() async throws {
        try global.bootstrap()
        let options = PreviewOptions(
            window: WindowChoice(argument: window) ?? .automatic, longestSide: size, bitDepth: bitDepth,
            orientationLetters: orientationLetters)
        let renderer = PreviewRenderer(
            frames: FrameSelection(argument: frames) ?? .automatic, options: options,
            readOptions: reader.readOptions, cineSheets: sheet)
        let (jobs, failures) = Self.jobs(for: paths, out: out)
        let output = OutputLines()
        let progress = Progress(total: jobs.count)
        for failure in failures {
            output.write(json ? RenderFormat.json(failure) : TerminalText.escaped("FAIL \(failure)"))
        }
        var tally = (rendered: 0, failed: failures.count, sheets: 0)
        var rendered: [(input: String, stem: String)] = []
        let width = max(1, ProcessInfo.processInfo.activeProcessorCount)
        await forEachConcurrently(jobs, batchSize: width * 4) { job in
            Result { try renderer.render(job.input, outputStem: job.stem) }
        } emit: { job, result in
            progress.advance()
            switch result {
            case .success(let written):
                tally.rendered += 1
                tally.sheets += written.filter { $0.kind == .sheet }.count
                rendered.append(job)
                output.write(json ? RenderFormat.json(input: job.input, written: written) : RenderFormat.text(written))
            case .failure(let error):
                tally.failed += 1
                let failure = (error as? DicomError) ?? DicomError(.internal, path: job.input, message: "\(error)")
                output.write(json ? RenderFormat.json(failure) : TerminalText.escaped("FAIL \(failure)"))
            }
        }
        if sheet {
            let sheets = SheetPlanner.plan(rendered, readOptions: reader.readOptions)
            progress.extend(by: sheets.count)
            let sheetRenderer = StackSheetRenderer(options: options, readOptions: reader.readOptions)
            await forEachConcurrently(sheets, batchSize: width * 2) { job in
                Result { try sheetRenderer.render(stack: job.stack, of: job.series, to: job.path) }
            } emit: { job, result in
                progress.advance()
                switch result {
                case .success(let written):
                    tally.sheets += 1
                    output.write(
                        json ? RenderFormat.json(sheetOf: job.series, written: written) : RenderFormat.text([written]))
                case .failure(let error):
                    tally.failed += 1
                    let path = job.stack.slices.first?.path ?? job.path
                    let failure = (error as? DicomError) ?? DicomError(.internal, path: path, message: "\(error)")
                    output.write(json ? RenderFormat.json(failure) : TerminalText.escaped("FAIL \(failure)"))
                }
            }
        }
        progress.finish()
        // Previews are renamed into place as they are written; one syncfs makes the whole batch durable.
        if tally.rendered + tally.sheets > 0 {
            do { try AtomicFile.syncFileSystem(containing: out) } catch {
                output.write(TerminalText.escaped("FAIL \(error)"))
                tally.failed += 1
            }
        }
        let summary =
            "\(tally.rendered + tally.failed) input(s): \(tally.rendered) rendered, \(tally.failed) failed"
            + (sheet ? ", \(tally.sheets) contact sheet(s)" : "")
        output.write(
            json
                ? RenderFormat.summary(rendered: tally.rendered, failed: tally.failed, sheets: tally.sheets) : summary)
        if tally.failed > 0 { throw ExitCode(1) }
    }

    /// Every file under the operands with the output stem that mirrors its place in the input.
    static func jobs(for operands: [String], out: String) -> ([(input: String, stem: String)], [DicomError]) {
        var jobs: [(input: String, stem: String)] = []
        var failures: [DicomError] = []
        for operand in operands {
            let expansion = InputFiles.expand([operand], recursive: true)
            failures += expansion.problems
            let base = operand.hasSuffix("/") ? String(operand.dropLast()) : operand
            for file in expansion.files {
                let relative =
                    file == base ? (file as NSString).lastPathComponent : String(file.dropFirst(base.count + 1))
                jobs.append((file, out + "/" + ((relative as NSString).deletingPathExtension)))
            }
        }
        return (jobs, failures)
    }
}

/// Chooses the contact sheets to draw: one per slice stack of every series rendered, placed beside the
/// series' previews. Cines get their own sheet from the renderer and are left out here.
enum SheetPlanner {
    struct Job: Sendable {
        var stack: SliceStack
        var series: SeriesModel
        var path: String
    }

    static func plan(_ rendered: [(input: String, stem: String)], readOptions: DicomReadOptions) -> [Job] {
        var header = readOptions
        header.headerOnly = true
        var stems: [String: String] = [:]
        var headers: [InstanceHeader] = []
        for job in rendered {
            guard let file = try? DicomFile(path: job.input, options: header) else { continue }
            let instance = InstanceHeader(file: file)
            let isCine = instance.frames > 1 && instance.frameGeometry.count == 1
            guard !isCine else { continue }
            headers.append(instance)
            stems[job.input] = job.stem
        }
        var jobs: [Job] = []
        var used: Set<String> = []
        for patient in StudyOrganizer.organize(headers) {
            for study in patient.studies {
                for series in study.series {
                    for (index, stack) in series.stacks.enumerated() where !stack.slices.isEmpty {
                        let folder = ((stems[stack.slices[0].path] ?? "") as NSString).deletingLastPathComponent
                        var name = "sheet-series\(series.number.map(String.init) ?? "x")"
                        if series.stacks.count > 1 { name += "-stack\(index + 1)" }
                        var path = folder + "/" + name + ".png"
                        var suffix = 2
                        while used.contains(path) {
                            path = folder + "/" + name + "-\(suffix).png"
                            suffix += 1
                        }
                        used.insert(path)
                        jobs.append(Job(stack: stack, series: series, path: path))
                    }
                }
            }
        }
        return jobs
    }
}

/// Text and JSON lines for `render`.
enum RenderFormat {
    static func text(_ written: [PreviewOutput]) -> String {
        written.map { output in
            let frames = output.frames > 1 ? ", \(output.frames) frames" : ""
            return TerminalText.escaped(
                "OK   \(output.path) (\(output.kind.rawValue) \(output.width)x\(output.height)\(frames))")
        }.joined(separator: "\n")
    }

    struct Written: Encodable {
        var path: String
        var kind: String
        var width: Int
        var height: Int
        var frames: Int

        init(_ output: PreviewOutput) {
            path = output.path
            kind = output.kind.rawValue
            width = output.width
            height = output.height
            frames = output.frames
        }
    }

    struct Line: Encodable {
        var input: String?
        var series: String?
        var status: String
        var reason: String?
        var error: String?
        var written: [Written]?
    }

    static func json(input: String, written: [PreviewOutput]) -> String {
        encode(Line(input: input, status: "ok", written: written.map(Written.init)))
    }

    static func json(sheetOf series: SeriesModel, written: PreviewOutput) -> String {
        let name = [series.number.map { "\($0)" }, series.description].compactMap { $0 }.joined(separator: " ")
        return encode(Line(series: name, status: "ok", written: [Written(written)]))
    }

    static func json(_ failure: DicomError) -> String {
        encode(Line(input: failure.path, status: "failed", reason: failure.kind.rawValue, error: failure.message))
    }

    static func summary(rendered: Int, failed: Int, sheets: Int) -> String {
        encode(["summary": ["rendered": rendered, "failed": failed, "sheets": sheets]])
    }

    private static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? TerminalText.jsonEscaped(String(decoding: encoder.encode(value), as: UTF8.self))) ?? "{}"
    }
}
