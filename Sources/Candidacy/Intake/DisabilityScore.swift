/// A questionnaire score computed from item scores, with how many items were answered.
///
/// JSON: `{"percent": 36, "itemsAnswered": 10}`.
public struct DisabilityScore: Codable, Sendable, Hashable {
    /// The score, 0–100.
    public var percent: Double
    /// How many items were answered.
    public var itemsAnswered: Int
    /// How many items the questionnaire has.
    public var itemCount: Int

    /// Creates a score.
    public init(percent: Double, itemsAnswered: Int, itemCount: Int) {
        self.percent = percent
        self.itemsAnswered = itemsAnswered
        self.itemCount = itemCount
    }

    /// The Oswestry Disability Index from its item scores (0–5 each, `nil` for unanswered):
    /// sum / (5 × answered) × 100; `nil` when no item is answered.
    public static func oswestry(items: [Int?]) -> DisabilityScore? {
        let answered = items.compactMap { $0 }
        guard !answered.isEmpty else { return nil }
        let percent = Double(answered.reduce(0, +)) / Double(5 * answered.count) * 100
        return DisabilityScore(percent: percent, itemsAnswered: answered.count, itemCount: items.count)
    }

    /// "ODI 38 (10 of 10 items answered)".
    public func display(name: String) -> String {
        let rounded = (percent * 10).rounded() / 10
        return "\(name) \(FactValue.format(rounded)) (\(itemsAnswered) of \(itemCount) items answered)"
    }
}
