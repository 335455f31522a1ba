import AnnulusApp
import ArgumentParser
import DicomIO
import Foundation
import Imaging
import TextSafety

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
        let request = RenderRequest(
            paths: paths, out: out, frames: FrameSelection(argument: frames) ?? .automatic, options: options,
            sheets: sheet)
        let output = OutputLines()
        var progress: Progress?
        let json = json
        let tally = await UseCases.renderPreviews(request, readOptions: reader.readOptions) { event in
            switch event {
            case .planned(let inputs, let problems):
                progress = Progress(total: inputs)
                for failure in problems {
                    output.write(json ? RenderFormat.json(failure) : TerminalText.escaped("FAIL \(failure)"))
                }
            case .rendered(let input, let written):
                progress?.advance()
                output.write(json ? RenderFormat.json(input: input, written: written) : RenderFormat.text(written))
            case .failed(let failure), .sheetFailed(let failure):
                progress?.advance()
                output.write(json ? RenderFormat.json(failure) : TerminalText.escaped("FAIL \(failure)"))
            case .sheetsPlanned(let count):
                progress?.extend(by: count)
            case .sheetRendered(let series, let written):
                progress?.advance()
                output.write(
                    json ? RenderFormat.json(sheetOf: series, written: written) : RenderFormat.text([written]))
            case .syncFailed(let message):
                progress?.finish()
                progress = nil
                output.write(TerminalText.escaped("FAIL \(message)"))
            }
        }
        progress?.finish()
        let summary =
            "\(tally.rendered + tally.failed) input(s): \(tally.rendered) rendered, \(tally.failed) failed"
            + (sheet ? ", \(tally.sheets) contact sheet(s)" : "")
        output.write(
            json
                ? RenderFormat.summary(rendered: tally.rendered, failed: tally.failed, sheets: tally.sheets) : summary)
        if tally.failed > 0 { throw ExitCode(1) }
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
