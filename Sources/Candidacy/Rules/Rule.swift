/// One rule of the rule file: what it says, what kind of rule it is, the facts it reads, where it comes from,
/// and its condition.
public struct Rule: Sendable, Hashable, Encodable {
    /// What a rule does to the outcome.
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        /// Must be met for `candidate`; unmet gives `not-candidate`, unknown `needs-more-information`.
        case required
        /// When it holds, `not-candidate`.
        case exclusion
        /// Shown when it holds; does not exclude.
        case caution
        /// Evidence shown with the decision when it holds.
        case supportive
        /// Recorded and shown; does not decide.
        case flag
        /// When it holds, `urgent-review`.
        case redFlag = "red-flag"
    }

    /// A short unique id (`M1`, `X-spondylolisthesis`).
    public var id: String
    /// The kind.
    public var kind: Kind
    /// Patient or level.
    public var scope: RuleScope
    /// The rule in words, as a clinician reads it.
    public var text: String
    /// The facts the condition reads.
    public var facts: [String]
    /// Where the rule comes from (citation).
    public var source: String
    /// When the rule holds (for `required`: when it is met).
    public var condition: Condition

    /// Creates a rule.
    public init(
        id: String, kind: Kind, scope: RuleScope, text: String, facts: [String], source: String,
        condition: Condition
    ) {
        self.id = id
        self.kind = kind
        self.scope = scope
        self.text = text
        self.facts = facts
        self.source = source
        self.condition = condition
    }
}

/// A versioned set of rules, as read from a rule file.
///
/// JSON: `{"format": 1, "version": "2026.2", "parameters": {"degenerationPfirrmannGrade": 3}, "rules": [ … ]}`;
/// a condition's value may be `{"parameter": "degenerationPfirrmannGrade"}`.
public struct RuleSet: Sendable, Hashable, Encodable {
    /// The rule-file format this version of Annulus reads.
    public static let supportedFormat = 1

    /// The rule-file format (1).
    public var format: Int
    /// The rule set's own version (`2026.1`), shown with every evaluation.
    public var version: String
    /// Named values the conditions use (`degenerationPfirrmannGrade: 3`); the conditions hold them resolved.
    public var parameters: [String: Literal]
    /// The rules, in file order.
    public var rules: [Rule]

    /// Creates a rule set (not validated: use `validated()` or read it with `decode(data:source:)`).
    public init(
        format: Int = RuleSet.supportedFormat, version: String, parameters: [String: Literal] = [:], rules: [Rule]
    ) {
        self.format = format
        self.version = version
        self.parameters = parameters
        self.rules = rules
    }

    /// The rule with `id`, if any.
    public func rule(id: String) -> Rule? { rules.first { $0.id == id } }
}
