import ArgumentParser
import DicomIO
import Foundation
import Imaging

/// `annulus render`: PNG previews of DICOM images.
struct Render: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Render PNG previews of DICOM images (one per frame selected), written atomically.",
        discussion: """
            Output files mirror the input layout under --out, with .png (and -fNNNN per frame when several). \
            Exit status: 0 all rendered, 1 any file failed (the rest are still rendered), 2 usage error.
            """
    )

    @Argument(help: "Files or folders to render.")
    var paths: [String]

    @Option(name: .long, help: "Folder to write PNG files into (created if missing).")
    var out: String

    @Option(
        help: ArgumentHelp(
            "Window: 'file' (the file's first window, else min-max), 'minmax', or 'C,W'.", valueName: "choice"))
    var window: String = "file"

    @Option(help: ArgumentHelp("Frames: 'first', 'all' or a 1-based frame number.", valueName: "choice"))
    var frames: String = "first"

    @Flag(name: .shortAndLong, help: "Walk folders recursively.")
    var recursive = false

    @Flag(help: "Print one JSON object per input file listing what was written, then a summary.")
    var json = false

    @OptionGroup var reader: ReaderOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard WindowArgument(argument: window) != nil else {
            throw ValidationError("--window must be 'file', 'minmax' or 'C,W' with width >= 1 (got '\(window)')")
        }
        guard FrameSelection(argument: frames) != nil else {
            throw ValidationError("--frames must be 'first', 'all' or a frame number from 1 (got '\(frames)')")
        }
    }

    mutating func run() async throws {
        try global.bootstrap()
        let renderer = PreviewRenderer(
            frames: FrameSelection(argument: frames) ?? .first, window: WindowArgument(argument: window) ?? .file,
            readOptions: reader.readOptions)
        var jobs: [(input: String, stem: String)] = []
        var failures: [DicomError] = []
        for operand in paths {
            let expansion = InputFiles.expand([operand], recursive: recursive)
            failures += expansion.problems
            let base = operand.hasSuffix("/") ? String(operand.dropLast()) : operand
            for file in expansion.files {
                let relative =
                    file == base ? (file as NSString).lastPathComponent : String(file.dropFirst(base.count + 1))
                let stem = out + "/" + ((relative as NSString).deletingPathExtension)
                jobs.append((file, stem))
            }
        }
        let output = OutputLines()
        for failure in failures { output.write(json ? RenderFormat.json(failure) : "FAIL \(failure)") }
        var rendered = 0
        var failed = failures.count
        let width = max(1, ProcessInfo.processInfo.activeProcessorCount)
        await forEachConcurrently(jobs, batchSize: width * 4) { job in
            Result { try renderer.render(job.input, outputStem: job.stem) }
        } emit: { job, result in
            switch result {
            case .success(let written):
                rendered += 1
                output.write(
                    json
                        ? RenderFormat.json(input: job.input, written: written)
                        : written.map { "OK   \($0)" }.joined(separator: "\n"))
            case .failure(let error):
                failed += 1
                let failure = (error as? DicomError) ?? DicomError(.internal, path: job.input, message: "\(error)")
                output.write(json ? RenderFormat.json(failure) : "FAIL \(failure)")
            }
        }
        let summary = "\(rendered + failed) file(s): \(rendered) rendered, \(failed) failed"
        output.write(json ? RenderFormat.summary(rendered: rendered, failed: failed) : summary)
        if failed > 0 { throw ExitCode(1) }
    }
}

/// JSON lines for `render --json`.
enum RenderFormat {
    static func json(input: String, written: [String]) -> String {
        encode(["input": .string(input), "status": .string("ok"), "written": .list(written)])
    }

    static func json(_ failure: DicomError) -> String {
        encode([
            "input": .string(failure.path), "status": .string("failed"), "reason": .string(failure.kind.rawValue),
            "error": .string(failure.message),
        ])
    }

    static func summary(rendered: Int, failed: Int) -> String {
        encode(["summary": .object(["rendered": rendered, "failed": failed])])
    }

    enum Value: Encodable {
        case string(String)
        case list([String])
        case number(Int)
        case object([String: Int])

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .list(let value): try container.encode(value)
            case .number(let value): try container.encode(value)
            case .object(let value): try container.encode(value)
            }
        }
    }

    private static func encode(_ value: [String: Value]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? String(decoding: encoder.encode(value), as: UTF8.self)) ?? "{}"
    }
}
