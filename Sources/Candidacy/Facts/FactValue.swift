import Foundation

/// The known value of one fact. An unknown fact has no value (`nil`), never a default.
///
/// JSON: a number, a Boolean, a string, an array of strings, or `{"atLeast": n}` for a lower bound.
public enum FactValue: Sendable, Hashable {
    /// A number (months, weeks, a score, a grade, a percentage, a count).
    case number(Double)
    /// Yes or no.
    case bool(Bool)
    /// One word from the fact's vocabulary.
    case text(String)
    /// A set of words from the fact's vocabulary, sorted.
    case set([String])
    /// A number known only from below (some of its parts are unknown): comparisons that the bound settles are
    /// known, the others are unknown.
    case atLeast(Double)

    /// How the value is shown to a clinician.
    public var display: String {
        switch self {
        case .number(let value): Self.format(value)
        case .bool(let value): value ? "yes" : "no"
        case .text(let value): value
        case .set(let values): values.isEmpty ? "none" : values.joined(separator: ", ")
        case .atLeast(let value): "at least \(Self.format(value)) (some parts unknown)"
        }
    }

    /// A number without a trailing `.0`.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e12 { return String(Int(value)) }
        return String(format: "%.1f", value)
    }
}

extension FactValue: Codable {
    private enum CodingKeys: String, CodingKey {
        case atLeast
    }

    /// Decodes the JSON form.
    public init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: CodingKeys.self) {
            self = .atLeast(try keyed.decode(Double.self, forKey: .atLeast))
            return
        }
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .text(value)
        } else {
            self = .set(try container.decode([String].self))
        }
    }

    /// Encodes the JSON form.
    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .atLeast(let value):
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(value, forKey: .atLeast)
        case .number(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .bool(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .text(let value):
            var container = encoder.singleValueContainer()
            try container.encode(value)
        case .set(let values):
            var container = encoder.singleValueContainer()
            try container.encode(values)
        }
    }
}
