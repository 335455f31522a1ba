import AnnulusApp
import ArgumentParser
import Foundation
import TextSafety

/// `annulus check`: is the store's file sound? SQLite's quick (or full) integrity check and the foreign keys.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check the store's file for damage (SQLite quick_check, or integrity_check with --full).",
        discussion: """
            Reads only; the store is neither created nor migrated. Problems name the table (and index) they are \
            in. Exit status: 0 the store is sound, 1 it is damaged or not a usable store (restore it from a \
            backup: docs/operations.md, "Store integrity and `annulus check`"), 2 refused: a usage error or no \
            store in the --data folder.
            """
    )

    @Flag(help: "Run the full integrity_check (also compares every index with its table; slower).")
    var full = false

    @Flag(help: "Print one JSON object.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    struct Report: Encodable {
        struct Problem: Encodable {
            var table: String?
            var index: String?
            var message: String
        }
        var path: String
        var check: String
        var clean: Bool
        var problems: [Problem]
        var error: String?
        var milliseconds: Int?
    }

    mutating func run() async throws {
        try global.bootstrap()
        let check = full ? "integrity_check" : "quick_check"
        let output = OutputLines()
        let result = try await UseCases.checkStore(storeOptions.folder, full: full)
        let path = result.path
        switch result {
        case .unusable(_, let message):
            // Empty, not SQLite, no annulus schema, or damaged beyond opening: not a usable store.
            if json {
                output.write(
                    JSONLine.encode(Report(path: path, check: check, clean: false, problems: [], error: message)))
            } else {
                output.write("DAMAGED \(path.terminalSafe): \(message)")
            }
        case .checked(_, let report, let milliseconds):
            if json {
                output.write(
                    JSONLine.encode(
                        Report(
                            path: path, check: check, clean: report.isClean,
                            problems: report.problems.map {
                                .init(table: $0.table, index: $0.index, message: $0.message)
                            },
                            error: nil, milliseconds: milliseconds)))
            } else if report.isClean {
                output.write(
                    "OK \(path.terminalSafe): \(check) and foreign_key_check found no problem (\(milliseconds) ms)")
            } else {
                let tables = report.damagedTables
                output.write(
                    "DAMAGED \(path.terminalSafe): \(check) found \(report.problems.count) problem(s)"
                        + (tables.isEmpty ? "" : " in \(tables.joined(separator: ", ").terminalSafe)"))
                for problem in report.problems { output.write("  " + problem.description.terminalSafe) }
                output.write(
                    "what to do: stop `annulus watch` and anything else writing to the store, keep this file as it is,"
                        + " and restore the latest backup; `sqlite3 \(path.terminalSafe) .recover` salvages what can"
                        + " still be read (docs/operations.md, \"Store integrity and `annulus check`\")")
            }
        }
        if !result.isClean { throw ExitCode(1) }
    }
}
