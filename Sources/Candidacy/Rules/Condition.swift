/// A rule's condition in the rule file's small declarative form, evaluated in three-valued (Kleene) logic.
///
/// JSON: `{"fact": "intake.painDurationMonths", "op": ">=", "value": 6}`, `{"fact": "x", "op": "known"}`,
/// `{"all": [ … ]}`, `{"any": [ … ]}`, `{"not": { … }}`.
public indirect enum Condition: Sendable, Hashable {
    /// The comparison operators.
    public enum Operator: String, Sendable, Hashable, CaseIterable, Encodable {
        /// Equal (numbers, yes/no, words).
        case equal = "=="
        /// Not equal.
        case notEqual = "!="
        /// Less than (numbers).
        case less = "<"
        /// Less than or equal (numbers).
        case lessOrEqual = "<="
        /// Greater than (numbers).
        case greater = ">"
        /// Greater than or equal (numbers).
        case greaterOrEqual = ">="
        /// The fact's value is one of the listed values (numbers or words).
        case `in`
        /// The fact's set shares at least one word with the list.
        case containsAny = "contains-any"
        /// Whether the fact is known; never unknown itself, takes no value.
        case known
    }

    /// Compares one fact with a value.
    case compare(fact: String, op: Operator, value: Literal?)
    /// Every condition holds (Kleene conjunction).
    case all([Condition])
    /// At least one condition holds (Kleene disjunction).
    case any([Condition])
    /// The condition does not hold (unknown stays unknown).
    case not(Condition)

    /// Every fact the condition reads, in order of first appearance.
    public var facts: [String] {
        var seen: [String] = []
        func visit(_ condition: Condition) {
            switch condition {
            case .compare(let fact, _, _): if !seen.contains(fact) { seen.append(fact) }
            case .all(let parts), .any(let parts): parts.forEach(visit)
            case .not(let inner): visit(inner)
            }
        }
        visit(self)
        return seen
    }

    /// The truth of the condition given the facts (`nil` for an unknown fact).
    public func evaluate(_ value: (String) -> FactValue?) -> Truth {
        switch self {
        case .compare(let fact, let op, let literal): Self.compare(value(fact), op, literal)
        case .all(let parts): Truth.all(parts.map { $0.evaluate(value) })
        case .any(let parts): Truth.any(parts.map { $0.evaluate(value) })
        case .not(let inner): inner.evaluate(value).negated
        }
    }

    /// One comparison; a fact that is unknown, or of another type than the value, gives unknown.
    static func compare(_ fact: FactValue?, _ op: Operator, _ literal: Literal?) -> Truth {
        if op == .known { return Truth(fact != nil) }
        guard let fact, let literal else { return .unknown }
        switch (fact, literal) {
        case (.number(let x), .number(let y)):
            return numeric(x, op, y)
        case (.atLeast(let bound), .number(let y)):
            return lowerBound(bound, op, y)
        case (.number(let x), .list(let values)) where op == .in:
            return Truth(values.contains(.number(x)))
        case (.bool(let x), .bool(let y)):
            return equality(x == y, op)
        case (.text(let x), .text(let y)):
            return equality(x == y, op)
        case (.text(let x), .list(let values)) where op == .in:
            return Truth(values.contains(.text(x)))
        case (.set(let words), .list(let values)) where op == .containsAny:
            return Truth(values.contains { if case .text(let word) = $0 { words.contains(word) } else { false } })
        default:
            return .unknown
        }
    }

    private static func numeric(_ x: Double, _ op: Operator, _ y: Double) -> Truth {
        switch op {
        case .equal: Truth(x == y)
        case .notEqual: Truth(x != y)
        case .less: Truth(x < y)
        case .lessOrEqual: Truth(x <= y)
        case .greater: Truth(x > y)
        case .greaterOrEqual: Truth(x >= y)
        case .in, .containsAny, .known: .unknown
        }
    }

    /// A value known to be at least `bound`: only what the bound settles is known.
    private static func lowerBound(_ bound: Double, _ op: Operator, _ y: Double) -> Truth {
        switch op {
        case .greaterOrEqual: bound >= y ? .yes : .unknown
        case .greater: bound > y ? .yes : .unknown
        case .less: bound >= y ? .no : .unknown
        case .lessOrEqual: bound > y ? .no : .unknown
        case .equal: bound > y ? .no : .unknown
        case .notEqual: bound > y ? .yes : .unknown
        case .in, .containsAny, .known: .unknown
        }
    }

    private static func equality(_ same: Bool, _ op: Operator) -> Truth {
        switch op {
        case .equal: Truth(same)
        case .notEqual: Truth(!same)
        default: .unknown
        }
    }

    /// A readable form: `intake.painDurationMonths >= 6`, `any of (…; …)`.
    public var display: String {
        switch self {
        case .compare(let fact, .known, _): "\(fact) is known"
        case .compare(let fact, let op, let value): "\(fact) \(op.rawValue) \(value?.display ?? "")"
        case .all(let parts): "all of (" + parts.map(\.display).joined(separator: "; ") + ")"
        case .any(let parts): "any of (" + parts.map(\.display).joined(separator: "; ") + ")"
        case .not(let inner): "not (\(inner.display))"
        }
    }
}

extension Condition: Encodable {
    private enum CodingKeys: String, CodingKey {
        case fact, op, value, all, any, not
    }

    /// Encodes the rule file's JSON form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .compare(let fact, let op, let value):
            try container.encode(fact, forKey: .fact)
            try container.encode(op, forKey: .op)
            try container.encodeIfPresent(value, forKey: .value)
        case .all(let parts): try container.encode(parts, forKey: .all)
        case .any(let parts): try container.encode(parts, forKey: .any)
        case .not(let inner): try container.encode(inner, forKey: .not)
        }
    }
}
