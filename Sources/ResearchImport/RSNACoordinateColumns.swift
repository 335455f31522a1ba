/// The column indices of `train_label_coordinates.csv`.
struct RSNACoordinateColumns {
    /// `study_id`.
    let study: Int
    /// `series_id`.
    let series: Int
    /// `instance_number`.
    let instance: Int
    /// `condition`.
    let condition: Int
    /// `level`.
    let level: Int
    /// `x`.
    let x: Int
    /// `y`.
    let y: Int

    /// Finds every column, in the order RSNA writes them.
    /// - Throws: `ResearchImportError.missingColumn` for the first one absent.
    init(_ table: CSVTable) throws(ResearchImportError) {
        study = try table.requiredColumn("study_id")
        series = try table.requiredColumn("series_id")
        instance = try table.requiredColumn("instance_number")
        condition = try table.requiredColumn("condition")
        level = try table.requiredColumn("level")
        x = try table.requiredColumn("x")
        y = try table.requiredColumn("y")
    }
}
