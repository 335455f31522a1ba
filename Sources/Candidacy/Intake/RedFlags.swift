import SpineModel

/// Red flags that call for urgent review rather than a candidacy decision; each may be unknown.
public struct RedFlags: Codable, Sendable, Hashable {
    /// Active infection.
    public var activeInfection: Bool?
    /// Tumour.
    public var tumour: Bool?
    /// Acute fracture.
    public var acuteFracture: Bool?
    /// Signs of cauda equina syndrome.
    public var caudaEquinaSigns: Bool?

    /// Creates a record; every answer defaults to unknown.
    public init(
        activeInfection: Bool? = nil, tumour: Bool? = nil, acuteFracture: Bool? = nil, caudaEquinaSigns: Bool? = nil
    ) {
        self.activeInfection = activeInfection
        self.tumour = tumour
        self.acuteFracture = acuteFracture
        self.caudaEquinaSigns = caudaEquinaSigns
    }

    /// Whether nothing is recorded.
    public var isEmpty: Bool { self == RedFlags() }
}

/// Prior spine surgery and, when known, the levels operated on.
public struct PriorSurgery: Codable, Sendable, Hashable {
    /// Whether the patient had spine surgery, if known.
    public var had: Bool?
    /// The levels operated on, when recorded (only with `had == true`).
    public var levels: [DiscLevel]

    /// Creates a record.
    public init(had: Bool? = nil, levels: [DiscLevel] = []) {
        self.had = had
        self.levels = levels
    }

    private enum CodingKeys: String, CodingKey {
        case had, levels
    }

    /// Decodes the JSON form; `levels` may be absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        had = try container.decodeIfPresent(Bool.self, forKey: .had)
        levels = try container.decodeIfPresent([DiscLevel].self, forKey: .levels) ?? []
    }

    /// Encodes the JSON form, omitting unknowns and an empty level list.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(had, forKey: .had)
        if !levels.isEmpty { try container.encode(levels, forKey: .levels) }
    }

    /// Whether nothing is recorded.
    public var isEmpty: Bool { had == nil && levels.isEmpty }
}
