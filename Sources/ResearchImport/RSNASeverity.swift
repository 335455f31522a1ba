/// The three RSNA 2024 severities, as `train.csv` writes them.
public enum RSNASeverity: String, Sendable, Hashable, CaseIterable {
    /// `Normal/Mild`: `grade=normal-mild`.
    case normalMild = "Normal/Mild"
    /// `Moderate`: `grade=moderate`.
    case moderate = "Moderate"
    /// `Severe`: `grade=severe`.
    case severe = "Severe"

    /// The `stenosis` grade for `Finding.parse`.
    var stenosisGrade: String {
        switch self {
        case .normalMild: "normal-mild"
        case .moderate: "moderate"
        case .severe: "severe"
        }
    }

    /// The severity `text` names: case and spaces do not matter (`normal / mild`).
    public static func matching(_ text: String) -> RSNASeverity? {
        let key = String(text.lowercased().filter { !$0.isWhitespace })
        return allCases.first { $0.rawValue.lowercased() == key }
    }
}
