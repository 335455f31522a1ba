import SpineModel

/// One RSNA 2024 label: a condition at a level with its severity.
struct RSNALabel {
    /// The condition.
    let condition: RSNACondition
    /// The level.
    let level: DiscLevel
    /// The severity from `train.csv`.
    let severity: RSNASeverity

    /// `RSNA 2024: Left Neural Foraminal Narrowing, Moderate`.
    var note: String { "RSNA 2024: \(condition.name), \(severity.rawValue)" }

    /// The stenosis finding, built through `Finding.parse`.
    func finding() -> Result<Finding, SpineValidationError> {
        FindingFactory.make(.stenosis, condition.stenosisAssignments + ["grade=\(severity.stenosisGrade)"])
    }
}
