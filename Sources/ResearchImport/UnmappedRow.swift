/// A row, or one value of a row, that could not become a finding, with what to do about it.
///
/// Row numbers follow `SourceRow`: data rows from 1 (header excluded; a spreadsheet shows `row + 1`), and 0
/// for the header (a missing or unknown column). A row may be reported several times, once per value that
/// could not be mapped.
public struct UnmappedRow: Sendable, Equatable {
    /// The dataset.
    public var source: ResearchSource
    /// The file name (`train_label_coordinates.csv`).
    public var file: String
    /// The data row, 1 for the first row under the header; 0 for the header.
    public var row: Int
    /// The column concerned, when the problem is one value (`level`, `Disc narrowing`); `nil` for the whole row.
    public var column: String?
    /// The row's values as read from the file, in column order (the header's names for row 0).
    public var values: [String]
    /// What is wrong and what to do: `level "L6/S1" is not a disc level: did you mean L5-S1? …`.
    public var reason: String

    /// Creates a report.
    public init(source: ResearchSource, file: String, row: Int, column: String?, values: [String], reason: String) {
        self.source = source
        self.file = file
        self.row = row
        self.column = column
        self.values = values
        self.reason = reason
    }

    /// The row as a spreadsheet numbers it: the header is 1, the first data row 2.
    public var spreadsheetRow: Int { row + 1 }
}
