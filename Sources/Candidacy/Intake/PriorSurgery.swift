import SpineModel

/// One prior spine operation: what was done and, when known, at which level.
///
/// JSON: `{"kind": "fusion", "level": "L4-L5"}`.
public struct PriorProcedure: Codable, Sendable, Hashable {
    /// The kind of operation.
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        /// Discectomy or microdiscectomy: the disc remains.
        case discectomy
        /// Laminectomy or another decompression: the disc remains.
        case laminectomy
        /// Fusion: the level no longer moves; there is no disc to inject.
        case fusion
        /// Total disc replacement: the disc is gone.
        case discReplacement = "disc-replacement"
        /// Anything else (or not said).
        case other

        /// Other spellings accepted on the command line.
        static let aliases: [String: Kind] = [
            "microdiscectomy": .discectomy, "decompression": .laminectomy, "laminotomy": .laminectomy,
            "arthrodesis": .fusion, "tdr": .discReplacement, "arthroplasty": .discReplacement,
            "disc-arthroplasty": .discReplacement, "replacement": .discReplacement,
        ]

        /// Whether the operation leaves no disc to inject at its level (fusion, disc replacement).
        public var removesDisc: Bool { self == .fusion || self == .discReplacement }
    }

    /// What was done; `nil` in intakes stored before the kind was recorded (a level list only).
    public var kind: Kind?
    /// The level operated on, if known.
    public var level: DiscLevel?

    /// Creates a record.
    public init(kind: Kind?, level: DiscLevel?) {
        self.kind = kind
        self.level = level
    }
}

/// Prior spine surgery: whether there was any, and each operation with its kind and level when recorded.
///
/// JSON: `{"had": true, "procedures": [{"kind": "fusion", "level": "L4-L5"}]}`. Intakes stored before kinds
/// were recorded hold `"levels": ["L5-S1"]`; each reads as a procedure of unknown kind at that level.
public struct PriorSurgery: Codable, Sendable, Hashable {
    /// Whether the patient had spine surgery, if known.
    public var had: Bool?
    /// The operations recorded (only with `had == true`).
    public var procedures: [PriorProcedure]

    /// Creates a record.
    public init(had: Bool? = nil, procedures: [PriorProcedure] = []) {
        self.had = had
        self.procedures = procedures
    }

    /// Creates a record from operated levels of unknown kind (the form older versions stored).
    public init(had: Bool?, levels: [DiscLevel]) {
        self.init(had: had, procedures: levels.map { PriorProcedure(kind: nil, level: $0) })
    }

    private enum CodingKeys: String, CodingKey {
        case had, procedures, levels
    }

    /// Decodes the JSON form; `procedures` and the older `levels` may be absent.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        had = try container.decodeIfPresent(Bool.self, forKey: .had)
        let legacy = try container.decodeIfPresent([DiscLevel].self, forKey: .levels) ?? []
        procedures =
            (try container.decodeIfPresent([PriorProcedure].self, forKey: .procedures) ?? [])
            + legacy.map { PriorProcedure(kind: nil, level: $0) }
    }

    /// Encodes the JSON form, omitting unknowns and an empty procedure list.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(had, forKey: .had)
        if !procedures.isEmpty { try container.encode(procedures, forKey: .procedures) }
    }

    /// Adds operations not yet recorded (setting the same intake twice records each once) and marks that
    /// there was surgery.
    public mutating func record(_ new: [PriorProcedure]) {
        guard !new.isEmpty else { return }
        had = true
        for procedure in new where !procedures.contains(procedure) { procedures.append(procedure) }
    }

    /// The levels operated on, each once, in order.
    public var levels: [DiscLevel] { Array(Set(procedures.compactMap(\.level))).sorted() }

    /// The kinds recorded, each once, in declaration order.
    public var kinds: [PriorProcedure.Kind] {
        let recorded = Set(procedures.compactMap(\.kind))
        return PriorProcedure.Kind.allCases.filter(recorded.contains)
    }

    /// What is known to have been done at `level`: the kinds (an empty list when no operation touched it),
    /// or `nil` when that cannot be known (surgery with no levels recorded, or an operation there of unknown
    /// kind).
    public func kinds(at level: DiscLevel) -> [PriorProcedure.Kind]? {
        switch had {
        case false?: return []
        case nil: return nil
        case true?:
            if procedures.isEmpty || procedures.contains(where: { $0.level == nil }) { return nil }
            let here = procedures.filter { $0.level == level }
            if here.contains(where: { $0.kind == nil }) { return nil }
            let recorded = Set(here.compactMap(\.kind))
            return PriorProcedure.Kind.allCases.filter(recorded.contains)
        }
    }

    /// Whether nothing is recorded.
    public var isEmpty: Bool { had == nil && procedures.isEmpty }
}
