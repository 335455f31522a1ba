// swift-format-ignore: AlwaysUseLowerCamelCase
/// An intervertebral disc level, named by the vertebrae above and below it.
///
/// The 23 mobile discs from C2-C3 to L5-S1, plus the transitional L5-L6 and S1-S2 that about 10% of people
/// have (sacralised L5 or lumbarised S1). Cases are declared, and compare, cranial to caudal; L5-L6 sorts
/// between L4-L5 and L5-S1 (its lower vertebra, L6, lies above S1) and S1-S2 after L5-S1. Encoded in JSON as
/// the canonical name (`"L4-L5"`); `parse(_:)` reads the common spellings.
public enum DiscLevel: String, CaseIterable, Sendable, Hashable, Comparable {
    /// C2-C3.
    case C2C3 = "C2-C3"
    /// C3-C4.
    case C3C4 = "C3-C4"
    /// C4-C5.
    case C4C5 = "C4-C5"
    /// C5-C6.
    case C5C6 = "C5-C6"
    /// C6-C7.
    case C6C7 = "C6-C7"
    /// C7-T1.
    case C7T1 = "C7-T1"
    /// T1-T2.
    case T1T2 = "T1-T2"
    /// T2-T3.
    case T2T3 = "T2-T3"
    /// T3-T4.
    case T3T4 = "T3-T4"
    /// T4-T5.
    case T4T5 = "T4-T5"
    /// T5-T6.
    case T5T6 = "T5-T6"
    /// T6-T7.
    case T6T7 = "T6-T7"
    /// T7-T8.
    case T7T8 = "T7-T8"
    /// T8-T9.
    case T8T9 = "T8-T9"
    /// T9-T10.
    case T9T10 = "T9-T10"
    /// T10-T11.
    case T10T11 = "T10-T11"
    /// T11-T12.
    case T11T12 = "T11-T12"
    /// T12-L1.
    case T12L1 = "T12-L1"
    /// L1-L2.
    case L1L2 = "L1-L2"
    /// L2-L3.
    case L2L3 = "L2-L3"
    /// L3-L4.
    case L3L4 = "L3-L4"
    /// L4-L5.
    case L4L5 = "L4-L5"
    /// L5-L6: transitional (six lumbar-type vertebrae); its numbering depends on how the levels were counted.
    case L5L6 = "L5-L6"
    /// L5-S1.
    case L5S1 = "L5-S1"
    /// S1-S2: transitional (lumbarised S1).
    case S1S2 = "S1-S2"

    /// Every level, cranial to caudal, transitional ones included (25).
    public static let all: [DiscLevel] = allCases

    /// The 23 mobile discs of typical anatomy, C2-C3 to L5-S1, cranial to caudal.
    public static let mobile: [DiscLevel] = allCases.filter { !$0.isTransitional }

    /// The canonical name, `L4-L5`.
    public var name: String { rawValue }

    /// The vertebra above the disc (`L4`).
    public var upperVertebra: String { String(rawValue.split(separator: "-")[0]) }

    /// The vertebra below the disc (`L5`).
    public var lowerVertebra: String { String(rawValue.split(separator: "-")[1]) }

    /// The region of the vertebra above the disc: C7-T1 is cervical, T12-L1 thoracic; L5-S1 and the
    /// transitional S1-S2 (a mobile lumbosacral disc) are lumbar.
    public var region: SpineRegion {
        switch upperVertebra.first {
        case "C": .cervical
        case "T": .thoracic
        default: .lumbar
        }
    }

    /// Whether the level exists only with transitional lumbosacral anatomy (L5-L6, S1-S2); such a level is
    /// always stored with its numbering basis and flagged as uncertain.
    public var isTransitional: Bool { self == .L5L6 || self == .S1S2 }

    /// Position from the top, 0 for C2-C3.
    var ordinal: Int { Self.ordinals[self]! }

    /// The discs next to this one: those sharing a vertebra with it (L4-L5: L3-L4, L5-L6 and L5-S1).
    public var adjacentLevels: [DiscLevel] {
        Self.allCases.filter { $0 != self && ($0.upperVertebra == lowerVertebra || $0.lowerVertebra == upperVertebra) }
    }

    private static let ordinals: [DiscLevel: Int] = Dictionary(
        uniqueKeysWithValues: allCases.enumerated().map { ($1, $0) }
    )

    /// Cranial before caudal.
    public static func < (lhs: DiscLevel, rhs: DiscLevel) -> Bool { lhs.ordinal < rhs.ordinal }
}

extension DiscLevel: CustomStringConvertible {
    /// The canonical name.
    public var description: String { rawValue }
}

extension DiscLevel: Codable {
    /// Decodes a level name; any spelling `parse(_:)` accepts is read, and the canonical one is written back.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = try DiscLevel.parse(text)
    }

    /// Encodes the canonical name.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
