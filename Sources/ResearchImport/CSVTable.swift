import SpineModel
import SwiftCSV

/// CSV text read into a header and numbered rows (SwiftCSV does the quoting rules).
struct CSVTable {
    /// One data row with its number (1 for the first row under the header).
    struct Record {
        /// The data row number, header excluded.
        let number: Int
        /// The values as read, in column order.
        let values: [String]

        /// The value in `column`, trimmed; empty when the row is shorter than the header.
        func value(at column: Int) -> String {
            column < values.count ? values[column].trimmedWhitespace : ""
        }

        /// Whether every value is empty (a blank line): counted, never imported or reported.
        var isBlank: Bool { values.allSatisfy { $0.trimmedWhitespace.isEmpty } }
    }

    /// The file name, for messages.
    let file: String
    /// The header's names, trimmed.
    let header: [String]
    /// The data rows, blank ones included so that numbering follows the file.
    let records: [Record]

    /// Parses `text`; the delimiter is guessed from the header line (comma, tab or semicolon).
    /// - Throws: `ResearchImportError.malformedCSV` when SwiftCSV refuses the text.
    init(text: String, file: String) throws(ResearchImportError) {
        self.file = file
        let csv: EnumeratedCSV
        do {
            csv = try EnumeratedCSV(string: text, loadColumns: false)
        } catch let error as CSVParseError {
            switch error {
            case .generic(let message), .quotation(let message):
                throw .malformedCSV(file: file, detail: message)
            }
        } catch {
            throw .malformedCSV(file: file, detail: String(describing: error))
        }
        header = csv.header.map(\.trimmedWhitespace)
        records = csv.rows.enumerated().map { Record(number: $0.offset + 1, values: $0.element) }
    }

    /// The index of the column named `name` or one of `aliases` (case and surrounding spaces do not matter).
    func column(_ name: String, aliases: [String] = []) -> Int? {
        let wanted = ([name] + aliases).map { $0.lowercased() }
        return header.firstIndex { wanted.contains($0.lowercased()) }
    }

    /// The index of a column the file must have.
    /// - Throws: `ResearchImportError.missingColumn` naming the file and the column, with a near miss if any.
    func requiredColumn(_ name: String, aliases: [String] = []) throws(ResearchImportError) -> Int {
        if let index = column(name, aliases: aliases) { return index }
        throw .missingColumn(
            file: file, column: name, columns: header, suggestion: NearMiss.suggest(name, among: header))
    }
}
