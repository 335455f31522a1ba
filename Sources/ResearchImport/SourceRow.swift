/// One data row of a CSV file, as the importers number rows.
///
/// Row numbering: data rows are counted from 1, the header excluded, so `row` 1 is the first line under the
/// header. A spreadsheet shows the same row as `row + 1` (the header is its row 1), and so does a text editor's
/// line number as long as no quoted value spans lines. Blank lines are counted but never imported or reported.
/// Row 0 stands for the header itself (file-level problems such as a missing column).
public struct SourceRow: Sendable, Hashable, CustomStringConvertible {
    /// The file name (`train.csv`).
    public var file: String
    /// The data row, 1 for the first row under the header; 0 for the header.
    public var row: Int

    /// Creates a row reference.
    public init(file: String, row: Int) {
        self.file = file
        self.row = row
    }

    /// The row as a spreadsheet numbers it: the header is 1, the first data row 2.
    public var spreadsheetRow: Int { row + 1 }

    /// `train.csv row 3`, or `train.csv header`.
    public var description: String { row == 0 ? "\(file) header" : "\(file) row \(row)" }
}
