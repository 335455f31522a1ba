import SpineModel

/// Reads the RSNA 2024 Lumbar Spine Degenerative Classification labels into stenosis findings.
///
/// `train_label_coordinates.csv` (`study_id, series_id, instance_number, condition, level, x, y`) places each
/// label on an image; `train.csv` (`study_id` and one column per condition and level, such as
/// `left_neural_foraminal_narrowing_l4_l5`) gives its severity (`Normal/Mild`, `Moderate`, `Severe`).
///
/// Mapping (all through `Finding.parse(kind: "stenosis", …)`):
/// - Spinal Canal Stenosis → `location=canal`;
/// - Left/Right Neural Foraminal Narrowing → `location=foraminal side=left|right`;
/// - Left/Right Subarticular Stenosis → `location=subarticular side=left|right`;
/// - Normal/Mild → `grade=normal-mild`, Moderate → `moderate`, Severe → `severe`.
///
/// Each coordinate row becomes one finding anchored at (series, instance, x, y); a row whose severity is
/// missing or unreadable is reported instead. A `train.csv` severity that no coordinate row names becomes a
/// finding without an anchor (the label exists; only its position is unknown). Empty `train.csv` values
/// without a coordinate row are not labels and are skipped. Row numbers follow `SourceRow`.
public enum RSNAImporter {
    /// The coordinates file's name in the RSNA download.
    public static let coordinatesFileName = "train_label_coordinates.csv"
    /// The severities file's name in the RSNA download.
    public static let trainFileName = "train.csv"

    /// Imports the labels; a file-level problem (a missing column, text that is not CSV) comes back as a single
    /// report on the header (row 0) with no findings.
    /// - Parameters:
    ///   - coordinatesCSV: the text of `train_label_coordinates.csv`.
    ///   - trainCSV: the text of `train.csv`.
    ///   - coordinatesFile: the coordinates file's name, for reports.
    ///   - trainFile: the severities file's name, for reports.
    public static func parse(
        coordinatesCSV: String,
        trainCSV: String,
        coordinatesFile: String = coordinatesFileName,
        trainFile: String = trainFileName
    ) -> ImportResult {
        do {
            return try parseThrowing(
                coordinatesCSV: coordinatesCSV, trainCSV: trainCSV, coordinatesFile: coordinatesFile,
                trainFile: trainFile)
        } catch {
            return ImportResult(unmapped: [error.unmappedRow(source: .rsna)])
        }
    }

    /// Imports the labels, refusing files that cannot be read at all.
    /// - Throws: `ResearchImportError.missingColumn` naming the file and the column (every coordinates column
    ///   is required; `train.csv` needs `study_id`, and a missing severity column is reported per row), or
    ///   `.malformedCSV`.
    public static func parseThrowing(
        coordinatesCSV: String,
        trainCSV: String,
        coordinatesFile: String = coordinatesFileName,
        trainFile: String = trainFileName
    ) throws(ResearchImportError) -> ImportResult {
        let coordinates = try CSVTable(text: coordinatesCSV, file: coordinatesFile)
        let columns = try RSNACoordinateColumns(coordinates)
        let train = try RSNATrainLabels(text: trainCSV, file: trainFile)
        let mapper = RSNACoordinateMapper(table: coordinates, columns: columns, train: train)
        var result = ImportResult()
        var named = Set<RSNATrainLabels.Key>()
        for record in coordinates.records where !record.isBlank {
            let outcome = mapper.map(record)
            if let finding = outcome.finding { result.findings.append(finding) }
            result.unmapped += outcome.unmapped
            if let key = outcome.named { named.insert(key) }
        }
        result.unmapped += train.problems
        result.append(train.unanchored(excluding: named))
        return result
    }
}
