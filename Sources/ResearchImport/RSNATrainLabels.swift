import SpineModel

/// `train.csv`: one row per study, one severity column per condition and level
/// (`left_neural_foraminal_narrowing_l4_l5`), values `Normal/Mild`, `Moderate`, `Severe` or empty.
struct RSNATrainLabels {
    /// A study's condition at a level.
    struct Key: Hashable {
        /// The `study_id`.
        let study: String
        /// The condition.
        let condition: RSNACondition
        /// The level.
        let level: DiscLevel
    }

    /// The severity of a key, or why there is none.
    enum Lookup {
        /// The severity, from this data row.
        case found(RSNASeverity, row: Int)
        /// No usable severity; the reason says what to do.
        case missing(reason: String)
    }

    /// The columns expected besides `study_id`, in RSNA's order (condition by condition, L1/L2 to L5/S1).
    static let labelColumns: [(name: String, condition: RSNACondition, level: DiscLevel)] =
        RSNACondition.allCases.flatMap { condition in
            RSNACondition.levels.map { (condition.trainColumn(at: $0), condition, $0) }
        }

    /// The parsed file.
    let table: CSVTable
    /// Problems found in the file itself: unknown or repeated columns, rows without a study, repeated studies.
    private(set) var problems: [UnmappedRow] = []
    /// The `study_id` column.
    private let studyColumn: Int
    /// Each study's row (the first when a study is repeated).
    private var rowsByStudy: [String: CSVTable.Record] = [:]
    /// The index of each label column present, by its lower-case name.
    private var columnIndex: [String: Int] = [:]

    /// Reads `train.csv`.
    /// - Throws: `ResearchImportError` when the text is not CSV or has no `study_id` column.
    init(text: String, file: String) throws(ResearchImportError) {
        table = try CSVTable(text: text, file: file)
        studyColumn = try table.requiredColumn("study_id")
        let expected = Self.labelColumns.map(\.name)
        for (index, name) in table.header.enumerated() where index != studyColumn {
            let key = name.lowercased()
            if columnIndex[key] != nil {
                reportHeader(name, "column \"\(name)\" appears twice in \(file); the first one was used")
            } else if expected.contains(key) {
                columnIndex[key] = index
            } else {
                let hint = NearMiss.suggest(name, among: expected).map { " (did you mean \($0)?)" } ?? ""
                reportHeader(
                    name,
                    "column \"\(name)\" is not an RSNA 2024 condition and level\(hint); its values were not imported: "
                        + "rename it (condition_level, such as spinal_canal_stenosis_l4_l5) or remove it"
                )
            }
        }
        for record in table.records where !record.isBlank {
            let study = record.value(at: studyColumn)
            if study.isEmpty {
                report(record, "study_id", "study_id is empty, so this row's severities were not used: fill it in")
            } else if let first = rowsByStudy[study] {
                report(
                    record, "study_id",
                    "study \(study) appears again (first at row \(first.number)); this row was not used: "
                        + "merge the two rows"
                )
            } else {
                rowsByStudy[study] = record
            }
        }
    }

    /// The severity `train.csv` gives `key`, or why there is none.
    func lookup(_ key: Key) -> Lookup {
        let place = "for study \(key.study) level \(key.level.rsnaName)"
        guard let record = rowsByStudy[key.study] else {
            return .missing(
                reason: "\(key.condition.phrase) has no severity: study \(key.study) is not in \(table.file) "
                    + "(level \(key.level.rsnaName)): add the study's row or grade it by hand")
        }
        let column = key.condition.trainColumn(at: key.level)
        guard let index = columnIndex[column] else {
            return .missing(
                reason: "\(key.condition.phrase) has no severity \(place): \(table.file) has no column \(column); "
                    + "add the column or grade it by hand")
        }
        let text = record.value(at: index)
        if text.isEmpty {
            return .missing(
                reason: "\(key.condition.phrase) has no severity in \(table.file) \(place) "
                    + "(row \(record.number), column \(column) is empty): grade it from the images and add it by hand")
        }
        guard let severity = RSNASeverity.matching(text) else {
            return .missing(reason: Self.badSeverity(text, file: table.file, row: record.number, column: column))
        }
        return .found(severity, row: record.number)
    }

    /// The severities no coordinate row used, as findings without an image anchor, and the values that are not
    /// severities. Empty values (not labelled) are skipped.
    func unanchored(excluding used: Set<Key>) -> ImportResult {
        var result = ImportResult()
        let columns = Self.labelColumns.compactMap { label in columnIndex[label.name].map { (label, $0) } }
            .sorted { $0.1 < $1.1 }
        for record in table.records {
            let study = record.value(at: studyColumn)
            guard !study.isEmpty, rowsByStudy[study]?.number == record.number else { continue }
            for (label, index) in columns {
                let key = Key(study: study, condition: label.condition, level: label.level)
                let text = record.value(at: index)
                guard !used.contains(key), !text.isEmpty else { continue }
                guard let severity = RSNASeverity.matching(text) else {
                    result.unmapped.append(
                        unmapped(
                            record, label.name,
                            Self.badSeverity(text, file: table.file, row: record.number, column: label.name)))
                    continue
                }
                let rsna = RSNALabel(condition: label.condition, level: label.level, severity: severity)
                switch rsna.finding() {
                case .success(let finding):
                    result.findings.append(
                        ImportedFinding(
                            source: .rsna, sourceRows: [SourceRow(file: table.file, row: record.number)],
                            studyKey: study, level: label.level, finding: finding,
                            note: rsna.note + " (\(table.file) only: no coordinate, so no image anchor)"
                        ))
                case .failure(let error):
                    result.unmapped.append(unmapped(record, label.name, error.message))
                }
            }
        }
        return result
    }

    /// `severity "Moderat" in train.csv (row 3, column …) is not an RSNA 2024 severity; did you mean Moderate? …`.
    static func badSeverity(_ text: String, file: String, row: Int, column: String) -> String {
        let names = RSNASeverity.allCases.map(\.rawValue)
        let hint = NearMiss.suggest(text, among: names).map { "; did you mean \($0)?" } ?? ";"
        return "severity \"\(text)\" in \(file) (row \(row), column \(column)) is not an RSNA 2024 severity\(hint) "
            + "allowed: \(names.joined(separator: ", ")): correct the file"
    }

    /// A report on a data row.
    private func unmapped(_ record: CSVTable.Record, _ column: String, _ reason: String) -> UnmappedRow {
        UnmappedRow(
            source: .rsna, file: table.file, row: record.number, column: column, values: record.values, reason: reason)
    }

    /// Records a problem with a data row.
    private mutating func report(_ record: CSVTable.Record, _ column: String, _ reason: String) {
        problems.append(unmapped(record, column, reason))
    }

    /// Records a problem with the header.
    private mutating func reportHeader(_ column: String, _ reason: String) {
        problems.append(
            UnmappedRow(source: .rsna, file: table.file, row: 0, column: column, values: table.header, reason: reason))
    }
}
