/// A three-valued truth (Kleene's strong logic): a condition over an unknown fact is unknown.
public enum Truth: String, Codable, Sendable, Hashable, CaseIterable {
    /// Known to hold.
    case yes
    /// Known not to hold.
    case no
    /// Not known.
    case unknown

    /// Kleene conjunction: `no` wins over `unknown`, which wins over `yes`.
    public static func all(_ values: [Truth]) -> Truth {
        if values.contains(.no) { return .no }
        return values.contains(.unknown) ? .unknown : .yes
    }

    /// Kleene disjunction: `yes` wins over `unknown`, which wins over `no`.
    public static func any(_ values: [Truth]) -> Truth {
        if values.contains(.yes) { return .yes }
        return values.contains(.unknown) ? .unknown : .no
    }

    /// Kleene negation: unknown stays unknown.
    public var negated: Truth {
        switch self {
        case .yes: .no
        case .no: .yes
        case .unknown: .unknown
        }
    }

    /// `yes` or `no` for a known Boolean.
    public init(_ value: Bool) {
        self = value ? .yes : .no
    }
}
