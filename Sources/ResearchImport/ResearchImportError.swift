/// A problem with a whole file: a required column is absent, or the text is not CSV.
public enum ResearchImportError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `file` has no column `column`; `columns` are the header's names, `suggestion` the one probably meant.
    case missingColumn(file: String, column: String, columns: [String], suggestion: String?)
    /// `file` could not be read as CSV (an unbalanced quote, for example).
    case malformedCSV(file: String, detail: String)

    /// The file concerned.
    public var file: String {
        switch self {
        case .missingColumn(let file, _, _, _), .malformedCSV(let file, _): file
        }
    }

    /// One sentence naming the file and the column, and how to put it right.
    public var description: String {
        switch self {
        case .missingColumn(let file, let column, let columns, let suggestion):
            let found =
                columns.isEmpty
                ? "the file has no header line" : "its columns are \(columns.joined(separator: ", "))"
            let hint = suggestion.map { "; did you mean \($0)? Rename it to \(column)" } ?? ""
            return "\(file) has no column \"\(column)\" (\(found))\(hint)"
        case .malformedCSV(let file, let detail):
            return "\(file) is not readable as CSV: \(detail)"
        }
    }

    /// The error as a report on the header row, for the non-throwing importers.
    func unmappedRow(source: ResearchSource) -> UnmappedRow {
        switch self {
        case .missingColumn(let file, let column, let columns, _):
            UnmappedRow(source: source, file: file, row: 0, column: column, values: columns, reason: description)
        case .malformedCSV(let file, _):
            UnmappedRow(source: source, file: file, row: 0, column: nil, values: [], reason: description)
        }
    }
}
