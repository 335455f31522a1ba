import SpineModel

/// The five RSNA 2024 conditions, as `train_label_coordinates.csv` writes them, and the stenosis each one is.
public enum RSNACondition: String, Sendable, Hashable, CaseIterable {
    /// Central canal stenosis: `stenosis location=canal`.
    case spinalCanalStenosis = "Spinal Canal Stenosis"
    /// `stenosis location=foraminal side=left`.
    case leftNeuralForaminalNarrowing = "Left Neural Foraminal Narrowing"
    /// `stenosis location=foraminal side=right`.
    case rightNeuralForaminalNarrowing = "Right Neural Foraminal Narrowing"
    /// `stenosis location=subarticular side=left` (the lateral recess).
    case leftSubarticularStenosis = "Left Subarticular Stenosis"
    /// `stenosis location=subarticular side=right`.
    case rightSubarticularStenosis = "Right Subarticular Stenosis"

    /// The levels RSNA 2024 labels, L1/L2 to L5/S1.
    public static let levels: [DiscLevel] = [.L1L2, .L2L3, .L3L4, .L4L5, .L5S1]

    /// The condition as written (`Left Neural Foraminal Narrowing`).
    public var name: String { rawValue }

    /// The `stenosis` assignments for `Finding.parse`, without the grade.
    var stenosisAssignments: [String] {
        switch self {
        case .spinalCanalStenosis: ["location=canal"]
        case .leftNeuralForaminalNarrowing: ["location=foraminal", "side=left"]
        case .rightNeuralForaminalNarrowing: ["location=foraminal", "side=right"]
        case .leftSubarticularStenosis: ["location=subarticular", "side=left"]
        case .rightSubarticularStenosis: ["location=subarticular", "side=right"]
        }
    }

    /// The condition in lower case for sentences (`left subarticular stenosis`).
    var phrase: String { rawValue.lowercased() }

    /// The `train.csv` column holding this condition's severity at `level` (`left_subarticular_stenosis_l4_l5`).
    public func trainColumn(at level: DiscLevel) -> String {
        let condition = rawValue.lowercased().split(separator: " ").joined(separator: "_")
        return "\(condition)_\(level.upperVertebra.lowercased())_\(level.lowerVertebra.lowercased())"
    }

    /// The condition `text` names: case, surrounding spaces and `_` for a space do not matter.
    public static func matching(_ text: String) -> RSNACondition? {
        let key = normalized(text)
        return allCases.first { normalized($0.rawValue) == key }
    }

    /// Lower case, words joined by single spaces.
    private static func normalized(_ text: String) -> String {
        text.lowercased().split(whereSeparator: { $0 == " " || $0 == "_" || $0 == "\t" }).joined(separator: " ")
    }
}

extension DiscLevel {
    /// The level as RSNA 2024 writes it (`L4/L5`).
    var rsnaName: String { "\(upperVertebra)/\(lowerVertebra)" }
}
