/// Whether a rule, or a fact, concerns the patient as a whole or one disc level.
public enum RuleScope: String, Codable, Sendable, Hashable, CaseIterable {
    /// The patient as a whole: intake answers and counts over levels.
    case patient
    /// One disc level: that level's findings (a level rule may also read patient facts).
    case level
}

/// One name in the fact vocabulary that rule conditions read.
public struct FactDefinition: Sendable, Hashable {
    /// What kind of value the fact has.
    public enum ValueType: Sendable, Hashable {
        /// A number.
        case number
        /// Yes or no.
        case bool
        /// One word from the listed vocabulary.
        case text([String])
        /// A set of words from the listed vocabulary.
        case set([String])

        /// A short name for messages and docs ("number", "yes/no", "one of …", "set of …").
        public var description: String {
            switch self {
            case .number: "number"
            case .bool: "yes/no"
            case .text(let words): "one of " + words.joined(separator: ", ")
            case .set(let words): "set of " + words.joined(separator: ", ")
            }
        }

        /// The vocabulary of a text or set fact.
        var vocabulary: [String]? {
            switch self {
            case .text(let words), .set(let words): words
            case .number, .bool: nil
            }
        }
    }

    /// The name rules use (`intake.painDurationMonths`, `level.pfirrmann.grade`).
    public let name: String
    /// `patient` for `intake.*` and `patient.*` facts, `level` for `level.*` facts.
    public let scope: RuleScope
    /// The value's type.
    public let type: ValueType
    /// What the fact means and when it is unknown.
    public let meaning: String
}
