/// The side of the body a finding lies on (the patient's left and right).
public enum Side: String, Codable, Sendable, Hashable, CaseIterable, VocabularyTerm {
    /// The patient's left.
    case left
    /// The patient's right.
    case right
    /// Both sides.
    case bilateral
    /// In the midline.
    case midline

    static let aliases: [String: Side] = ["l": .left, "r": .right, "both": .bilateral, "central": .midline]
}
