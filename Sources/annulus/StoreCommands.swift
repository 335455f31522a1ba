import AnnulusApp
import ArgumentParser
import Foundation
import TextSafety

/// `annulus ingest`: header-only import into the store.
struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Index DICOM files into the store from their headers (idempotent by SOP Instance UID).",
        discussion: """
            Folders are walked recursively. Each file is added, skipped as unchanged (same SOP Instance UID and \
            same bytes), replaced (same SOP Instance UID, different bytes: the newer file wins, both are reported), \
            or failed with the reason. Files are not copied or moved. \
            Exit status: 0 all indexed or unchanged, 1 any file failed (the rest still indexed), 2 refused (usage error).
            """
    )

    @Argument(help: "Files or folders to index.")
    var paths: [String]

    @Flag(help: "Print one JSON object per file, then a summary object.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var reader: ReaderOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let run = try await storeOptions.useCases(creating: true, readOptions: reader.readOptions).ingest(
            paths, by: .commandLineReader)
        let report = run.report
        let output = OutputLines()
        func line(_ status: String, _ path: String, _ extra: [String: String] = [:]) {
            if json {
                var object = extra
                object["path"] = path
                object["status"] = status
                output.write(JSONLine.encode(object))
            } else {
                output.write(
                    ([status.uppercased().padding(toLength: 9, withPad: " ", startingAt: 0), path]
                        + extra.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }).joined(separator: " "))
            }
        }
        for path in report.added { line("added", path) }
        for path in report.unchanged { line("unchanged", path) }
        for item in report.replaced { line("replaced", item.path, ["previous": item.previous]) }
        for failure in report.failed {
            line("failed", failure.path, ["reason": failure.kind.rawValue, "error": failure.message])
        }
        let counts = [
            "added": report.added.count, "unchanged": report.unchanged.count, "replaced": report.replaced.count,
            "failed": report.failed.count,
        ]
        if json {
            output.write(JSONLine.encode(["summary": counts]))
        } else {
            output.write(
                "\(run.files) file(s): \(report.added.count) added, "
                    + "\(report.unchanged.count) unchanged, \(report.replaced.count) replaced, "
                    + "\(report.failed.count) failed")
        }
        if !report.failed.isEmpty { throw ExitCode(1) }
    }
}

/// `annulus studies`: what the store holds.
struct StudiesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "studies",
        abstract: "List the studies in the store with their accession, date, modalities, size and annotations."
    )

    @Flag(help: "One JSON object per study.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let studies = try await storeOptions.useCases().studies(by: .commandLineReader)
        let output = OutputLines()
        if json {
            for study in studies { output.write(JSONLine.encode(study)) }
            return
        }
        guard !studies.isEmpty else {
            output.write("no studies yet: add some with `annulus ingest PATH`")
            return
        }
        var rows = [
            ["STUDY UID", "ACCESSION", "DATE", "MODALITIES", "SERIES", "IMAGES", "DRAFT", "SIGNED", "DESCRIPTION"]
        ]
        for study in studies {
            rows.append([
                study.studyInstanceUID, study.accessionNumber ?? "-", study.studyDate ?? "-",
                study.modalities.joined(separator: ","), "\(study.seriesCount)", "\(study.instanceCount)",
                "\(study.draftAnnotations)", "\(study.signedAnnotations)", study.studyDescription ?? "",
            ])
        }
        output.write(TextTable.render(rows))
    }
}

/// Fixed-width text tables for terminal output.
enum TextTable {
    /// Columns padded to their widest cell, two spaces apart. Every cell is escaped for the terminal
    /// (`TerminalText.escaped`): a note or author holding ESC or a newline shows as `\e` or `\n` in its own row
    /// instead of clearing the screen or forging rows.
    static func render(_ rows: [[String]]) -> String {
        let rows = rows.map { $0.map(TerminalText.escaped) }
        let widths = (0..<(rows.map(\.count).max() ?? 0)).map { column in
            rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0
        }
        return rows.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

/// One JSON object per output line, keys sorted.
enum JSONLine {
    /// The JSON of `value` on one line. JSONEncoder escapes C0 controls (ESC, newline) itself; DEL, C1 controls
    /// and bidi overrides, which JSON may carry raw, are written as `\uXXXX` too (`TerminalText.jsonEscaped`), so
    /// the line is safe on a terminal and decodes to exactly the stored text.
    static func encode(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? TerminalText.jsonEscaped(String(decoding: encoder.encode(value), as: UTF8.self))) ?? "{}"
    }
}
