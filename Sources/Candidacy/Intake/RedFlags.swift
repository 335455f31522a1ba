/// How a red flag is answered: present, suspected (not yet confirmed or ruled out), or absent.
///
/// JSON: `"yes"`, `"suspected"`, `"no"`; intakes stored before "suspected" existed wrote `true`/`false`,
/// which read as `yes`/`no`.
public enum RedFlagAnswer: String, Sendable, Hashable, CaseIterable, Codable, ExpressibleByBooleanLiteral {
    /// Present (confirmed).
    case yes
    /// Suspected: counts for urgent review, as a present flag does.
    case suspected
    /// Absent (ruled out).
    case no

    /// Decodes the word, or a Boolean written by older versions.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let flag = try? container.decode(Bool.self) {
            self = flag ? .yes : .no
            return
        }
        let word = try container.decode(String.self)
        guard let answer = RedFlagAnswer(rawValue: word) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "red flag must be yes, suspected or no, not \"\(word)\"")
        }
        self = answer
    }

    /// `true` is `yes`, `false` is `no` (as older versions recorded them).
    public init(booleanLiteral value: Bool) { self = value ? .yes : .no }

    /// `yes` or `no` from a Boolean.
    public init(_ present: Bool) { self = present ? .yes : .no }

    /// Whether the answer calls for urgent review (present or suspected).
    public var callsForReview: Bool { self != .no }
}

/// Red flags that call for urgent review rather than a candidacy decision; each may be unknown.
public struct RedFlags: Codable, Sendable, Hashable {
    /// Active infection.
    public var activeInfection: RedFlagAnswer?
    /// Tumour.
    public var tumour: RedFlagAnswer?
    /// Acute fracture.
    public var acuteFracture: RedFlagAnswer?
    /// Signs of cauda equina syndrome.
    public var caudaEquinaSigns: RedFlagAnswer?

    /// Creates a record; every answer defaults to unknown.
    public init(
        activeInfection: RedFlagAnswer? = nil, tumour: RedFlagAnswer? = nil, acuteFracture: RedFlagAnswer? = nil,
        caudaEquinaSigns: RedFlagAnswer? = nil
    ) {
        self.activeInfection = activeInfection
        self.tumour = tumour
        self.acuteFracture = acuteFracture
        self.caudaEquinaSigns = caudaEquinaSigns
    }

    /// Whether nothing is recorded.
    public var isEmpty: Bool { self == RedFlags() }
}
