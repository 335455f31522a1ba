import SpineModel

/// One graded disc of SPIDER's `radiological_gradings.csv` while it is being mapped: its values, and the
/// findings and reports made so far.
struct SPIDERRow {
    /// A value read as a whole-number grade.
    enum Value: Equatable {
        /// A grade within the column's range.
        case grade(Int)
        /// No value (not graded).
        case empty
        /// Not a grade in range.
        case invalid
    }

    /// The file name.
    let file: String
    /// The data row.
    let record: CSVTable.Record
    /// The file's columns.
    let columns: SPIDERColumns
    /// The patient number, the study key.
    let patient: String
    /// The disc.
    let level: DiscLevel
    /// The findings and reports made from this row.
    private(set) var result = ImportResult()

    /// Creates a row to map.
    init(file: String, record: CSVTable.Record, columns: SPIDERColumns, patient: String, level: DiscLevel) {
        self.file = file
        self.record = record
        self.columns = columns
        self.patient = patient
        self.level = level
    }

    /// The trimmed value of `column`.
    func text(_ column: SPIDERColumn) -> String { record.value(at: columns[column]) }

    /// The value of `column` as a whole-number grade in `range`.
    func value(_ column: SPIDERColumn, in range: ClosedRange<Int>) -> Value {
        let text = text(column)
        guard !text.isEmpty else { return .empty }
        guard let number = text.wholeNumber, range.contains(number) else { return .invalid }
        return .grade(number)
    }

    /// Adds the finding `Finding.parse` makes of `kind` and `assignments`, or reports its error on `column`.
    mutating func add(_ kind: FindingKind, _ assignments: [String], from sources: [SPIDERColumn]) {
        let said = sources.map { "\($0.name) \(text($0))" }.joined(separator: ", ")
        switch FindingFactory.make(kind, assignments) {
        case .success(let finding):
            result.findings.append(
                ImportedFinding(
                    source: .spider, sourceRows: [SourceRow(file: file, row: record.number)], studyKey: patient,
                    level: level, finding: finding, note: "SPIDER: \(said)"
                ))
        case .failure(let error):
            report(sources.first, "\(said): \(error.message); nothing imported for it: correct the value")
        }
    }

    /// Reports `column` (or the whole row) as not imported.
    mutating func report(_ column: SPIDERColumn?, _ reason: String) {
        result.unmapped.append(
            UnmappedRow(
                source: .spider, file: file, row: record.number, column: column?.name, values: record.values,
                reason: reason))
    }

    /// Reports an empty or out-of-range value of `column`; `allowed` says what SPIDER writes (`0 or 1`).
    mutating func reportUnreadable(_ column: SPIDERColumn, allowed: String) {
        let text = text(column)
        if text.isEmpty {
            report(column, "\(column.name) is empty (not graded): nothing imported for it")
        } else {
            report(
                column,
                "\(column.name) \"\(text)\" is not a SPIDER grade (\(allowed)): nothing imported for it; correct the value"
            )
        }
    }
}
