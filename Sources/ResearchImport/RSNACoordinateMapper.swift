import SpineModel

/// Turns one row of `train_label_coordinates.csv` into a stenosis finding anchored on its image, with the
/// severity from `train.csv`.
struct RSNACoordinateMapper {
    /// What one row gave.
    struct Outcome {
        /// The finding, when every value was usable.
        var finding: ImportedFinding?
        /// Every problem of the row, one report per value.
        var unmapped: [UnmappedRow] = []
        /// The `train.csv` label the row names (study, condition, level readable), used or not.
        var named: RSNATrainLabels.Key?
    }

    /// The coordinates file.
    let table: CSVTable
    /// Its columns.
    let columns: RSNACoordinateColumns
    /// The severities.
    let train: RSNATrainLabels

    /// Maps one data row; every unusable value is reported.
    func map(_ record: CSVTable.Record) -> Outcome {
        var outcome = Outcome()
        func report(_ column: String?, _ reason: String) {
            outcome.unmapped.append(
                UnmappedRow(
                    source: .rsna, file: table.file, row: record.number, column: column, values: record.values,
                    reason: reason))
        }
        let study = record.value(at: columns.study)
        if study.isEmpty { report("study_id", "study_id is empty: fill in the study this point belongs to") }
        let conditionText = record.value(at: columns.condition)
        let condition = RSNACondition.matching(conditionText)
        if condition == nil { report("condition", Self.unknownCondition(conditionText)) }
        let levelText = record.value(at: columns.level)
        let level: DiscLevel?
        switch Self.level(levelText) {
        case .success(let parsed): level = parsed
        case .failure(let problem):
            level = nil
            report("level", problem.reason)
        }
        let series = record.value(at: columns.series)
        if series.isEmpty { report("series_id", "series_id is empty: fill in the series the point was placed on") }
        let instanceText = record.value(at: columns.instance)
        let instance = instanceText.wholeNumber.flatMap { $0 >= 1 ? $0 : nil }
        if instance == nil {
            report(
                "instance_number",
                "instance_number \"\(instanceText)\" is not an image number (a whole number from 1): correct it")
        }
        let x = Self.coordinate(record.value(at: columns.x))
        if x == nil { report("x", Self.badCoordinate("x", record.value(at: columns.x))) }
        let y = Self.coordinate(record.value(at: columns.y))
        if y == nil { report("y", Self.badCoordinate("y", record.value(at: columns.y))) }

        guard !study.isEmpty, let condition, let level else { return outcome }
        let key = RSNATrainLabels.Key(study: study, condition: condition, level: level)
        outcome.named = key
        let severity: RSNASeverity
        let trainRow: Int
        switch train.lookup(key) {
        case .found(let found, let row): (severity, trainRow) = (found, row)
        case .missing(let reason):
            report(nil, reason)
            return outcome
        }
        guard outcome.unmapped.isEmpty, let instance, let x, let y else { return outcome }
        let label = RSNALabel(condition: condition, level: level, severity: severity)
        switch label.finding() {
        case .success(let finding):
            outcome.finding = ImportedFinding(
                source: .rsna,
                sourceRows: [
                    SourceRow(file: table.file, row: record.number), SourceRow(file: train.table.file, row: trainRow),
                ],
                studyKey: study, seriesKey: series, instanceNumber: instance, point: PixelPoint(x: x, y: y),
                level: level, finding: finding, note: label.note
            )
        case .failure(let error):
            report(nil, error.message)
        }
        return outcome
    }

    /// A problem with a level, as a failure value.
    struct LevelProblem: Error {
        /// What is wrong and what to do.
        let reason: String
    }

    /// The RSNA level `text` names (`L4/L5`), or why it is not one.
    static func level(_ text: String) -> Result<DiscLevel, LevelProblem> {
        let level: DiscLevel
        do {
            level = try DiscLevel.parse(text)
        } catch {
            if let suggestion = error.suggestion {
                return .failure(
                    LevelProblem(
                        reason: "level \"\(text)\" is not a disc level: did you mean \(suggestion)? "
                            + "RSNA 2024 labels L1/L2 to L5/S1: correct the level"))
            }
            return .failure(LevelProblem(reason: "level \"\(text)\": \(error.message)"))
        }
        guard RSNACondition.levels.contains(level) else {
            return .failure(
                LevelProblem(
                    reason: "level \(level.rsnaName) is outside RSNA 2024's L1/L2 to L5/S1, so train.csv has no "
                        + "severity for it: check the level, or grade it by hand"))
        }
        return .success(level)
    }

    /// `condition "Spinal Canal Stenoss" unknown: did you mean Spinal Canal Stenosis? …`.
    static func unknownCondition(_ text: String) -> String {
        let names = RSNACondition.allCases.map(\.name)
        let list = "RSNA 2024 conditions: \(names.joined(separator: ", "))"
        guard !text.isEmpty else { return "condition is empty: fill it in (\(list))" }
        if let suggestion = NearMiss.suggest(text, among: names) {
            return "condition \"\(text)\" unknown: did you mean \(suggestion)? Correct it (\(list))"
        }
        return "condition \"\(text)\" unknown: correct it (\(list))"
    }

    /// A pixel coordinate: a finite number, not negative.
    static func coordinate(_ text: String) -> Double? {
        text.finiteNumber.flatMap { $0 >= 0 ? $0 : nil }
    }

    /// `x "abc" is not a pixel coordinate …`.
    static func badCoordinate(_ name: String, _ text: String) -> String {
        "\(name) \"\(text)\" is not a pixel coordinate (a number from 0): correct it"
    }
}
