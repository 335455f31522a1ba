import AnnulusApp
import TextSafety
import ArgumentParser
import DicomIO
import Foundation

/// `annulus inspect`: a header summary per file, without reading pixel data.
struct Inspect: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Summarise DICOM headers: identifiers, transfer syntax, geometry, window; never reads pixel values.",
        discussion: """
            Prints one line per file (or one JSON object per line with --json), then a summary line. \
            A file fails when it cannot be read or its pixel data cannot be decoded here; the line says why. \
            Exit status: 0 all read, 1 any failed (the rest still read), 2 refused (usage error).
            """
    )

    @Argument(help: "Files or folders to inspect.")
    var paths: [String]

    @Flag(name: .shortAndLong, help: "Walk folders recursively.")
    var recursive = false

    @Flag(help: "One JSON object per line (fields documented in docs/cli.md); the last line is the summary.")
    var json = false

    @OptionGroup var reader: ReaderOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let expansion = InputFiles.expand(paths, recursive: recursive)
        var tally = InspectionTally()
        let output = OutputLines()
        for problem in expansion.problems {
            var summary = HeaderSummary(path: problem.path)
            summary.status = .failed
            summary.reason = problem.kind
            summary.error = problem.message
            tally.add(summary)
            output.write(json ? InspectFormat.json(summary) : InspectFormat.human(summary))
        }
        let readOptions = reader.readOptions  // HeaderSummary.read always reads header-only
        // Read in parallel, print in input order, a bounded batch at a time.
        await forEachConcurrently(expansion.files, batchSize: 64) { path in
            HeaderSummary.read(path: path, options: readOptions)
        } emit: { _, summary in
            tally.add(summary)
            output.write(json ? InspectFormat.json(summary) : InspectFormat.human(summary))
        }
        output.write(json ? InspectFormat.json(tally) : InspectFormat.human(tally))
        if tally.failed > 0 { throw ExitCode(1) }
    }
}

/// Counts of an inspection run.
struct InspectionTally: Encodable {
    var files = 0
    var read = 0
    var failed = 0
    var byReason: [String: Int] = [:]

    mutating func add(_ summary: HeaderSummary) {
        files += 1
        if summary.status == .ok {
            read += 1
        } else {
            failed += 1
            byReason[summary.reason?.rawValue ?? "unknown", default: 0] += 1
        }
    }
}

/// Writes lines to stdout as they are produced.
final class OutputLines: Sendable {
    func write(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// How inspection results are printed.
enum InspectFormat {
    static func human(_ summary: HeaderSummary) -> String {
        guard summary.status == .ok else {
            return TerminalText.escaped(
                "FAIL \(summary.path): \(summary.reason?.rawValue ?? "error"): \(summary.error ?? "")")
        }
        var parts: [String] = []
        parts.append(summary.modality ?? "-")
        parts.append(summary.sopClassName ?? summary.sopClassUID ?? "no SOP class")
        if summary.hasPixelData == true {
            var image = "\(summary.columns ?? 0)x\(summary.rows ?? 0)"
            if let frames = summary.frames, frames > 1 { image += "x\(frames) frames" }
            parts.append(image)
            parts.append("\(summary.bitsStored ?? 0)/\(summary.bitsAllocated ?? 0) bits")
            parts.append(summary.photometricInterpretation ?? "-")
        } else {
            parts.append("no pixel data")
        }
        parts.append(summary.transferSyntaxName ?? "-")
        if let center = summary.windowCenter, let width = summary.windowWidth {
            parts.append("window \(format(center))/\(format(width))")
        }
        parts.append("patient \(summary.patientID ?? "-")")
        parts.append("study \(summary.studyInstanceUID ?? "-")")
        parts.append("series \(summary.seriesInstanceUID ?? "-")")
        parts.append("instance \(summary.sopInstanceUID ?? "-")")
        if !summary.warnings.isEmpty { parts.append("warning: " + summary.warnings.joined(separator: "; ")) }
        return TerminalText.escaped("OK   \(summary.path): " + parts.joined(separator: ", "))
    }

    static func human(_ tally: InspectionTally) -> String {
        var line = "\(tally.files) file(s): \(tally.read) read, \(tally.failed) failed"
        if !tally.byReason.isEmpty {
            let reasons = tally.byReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }
            line += " (" + reasons.joined(separator: ", ") + ")"
        }
        return line
    }

    static func json(_ summary: HeaderSummary) -> String { encode(summary) }

    static func json(_ tally: InspectionTally) -> String { encode(["summary": tally]) }

    private static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? TerminalText.jsonEscaped(String(decoding: encoder.encode(value), as: UTF8.self))) ?? "{}"
    }

    private static func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(saturating: value)) : String(value)
    }
}
