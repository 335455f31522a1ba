/// A value written in a rule condition: a number, a Boolean, a word, or a list of them (for `in` and
/// `contains-any`).
public indirect enum Literal: Sendable, Hashable, Encodable {
    /// A number.
    case number(Double)
    /// Yes or no.
    case bool(Bool)
    /// A word.
    case text(String)
    /// A list of values.
    case list([Literal])

    /// How the value is written in explanations.
    public var display: String {
        switch self {
        case .number(let value): FactValue.format(value)
        case .bool(let value): value ? "yes" : "no"
        case .text(let value): value
        case .list(let values): "[" + values.map(\.display).joined(separator: ", ") + "]"
        }
    }

    /// Encodes the JSON form the rule file uses.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let value): try container.encode(value)
        case .bool(let value): try container.encode(value)
        case .text(let value): try container.encode(value)
        case .list(let values): try container.encode(values)
        }
    }
}
