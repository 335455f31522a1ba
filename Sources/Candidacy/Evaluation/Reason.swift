/// The value a rule read for one fact; `value` is `nil` and `display` is `unknown` when the fact is unknown.
public struct FactReading: Codable, Sendable, Hashable {
    /// The fact name.
    public var fact: String
    /// The value, if known.
    public var value: FactValue?
    /// The value as shown to a clinician (`unknown` when unknown).
    public var display: String

    /// Creates a reading.
    public init(fact: String, value: FactValue?) {
        self.fact = fact
        self.value = value
        self.display = value?.display ?? "unknown"
    }

    /// Whether the value does not settle everything (unknown, or only a lower bound).
    public var isIncomplete: Bool {
        switch value {
        case nil, .atLeast?: true
        default: false
        }
    }
}

/// One rule's result, explained: the rule, whether it is met, the facts it read and their values, its source.
public struct Reason: Codable, Sendable, Hashable {
    /// Whether the rule's condition holds (for an exclusion, caution, red flag: whether it applies).
    public enum Status: String, Codable, Sendable, Hashable, CaseIterable {
        /// The condition holds.
        case met
        /// The condition does not hold.
        case unmet
        /// Unknown: a fact it needs is unknown.
        case unknown

        init(_ truth: Truth) {
            switch truth {
            case .yes: self = .met
            case .no: self = .unmet
            case .unknown: self = .unknown
            }
        }
    }

    /// The rule's id.
    public var ruleID: String
    /// The rule's kind.
    public var kind: Rule.Kind
    /// Patient or level.
    public var scope: RuleScope
    /// The rule in words.
    public var text: String
    /// Met, unmet or unknown.
    public var status: Status
    /// Every fact the rule reads, with its value.
    public var facts: [FactReading]
    /// Where the rule comes from.
    public var source: String

    /// Creates a reason.
    public init(
        ruleID: String, kind: Rule.Kind, scope: RuleScope, text: String, status: Status, facts: [FactReading],
        source: String
    ) {
        self.ruleID = ruleID
        self.kind = kind
        self.scope = scope
        self.text = text
        self.status = status
        self.facts = facts
        self.source = source
    }

    /// The facts that left the rule unknown (unknown values and lower bounds).
    public var missingFacts: [String] {
        status == .unknown ? facts.filter(\.isIncomplete).map(\.fact) : []
    }
}
