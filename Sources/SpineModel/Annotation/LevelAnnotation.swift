/// One finding at one disc level, as a clinician records it: the level and how it was counted, the finding,
/// where on the images it was seen, and a free-text note.
public struct LevelAnnotation: Codable, Sendable, Hashable {
    /// The disc level.
    public var level: DiscLevel
    /// How the vertebrae were counted.
    public var numberingBasis: LevelNumberingBasis
    /// The finding.
    public var finding: Finding
    /// Where on the images the finding was marked, if it was.
    public var anchor: ImageAnchor?
    /// Free text from the reader, if any.
    public var note: String?

    /// Creates an annotation.
    public init(
        level: DiscLevel,
        numberingBasis: LevelNumberingBasis = .unknown,
        finding: Finding,
        anchor: ImageAnchor? = nil,
        note: String? = nil
    ) {
        self.level = level
        self.numberingBasis = numberingBasis
        self.finding = finding
        self.anchor = anchor
        self.note = note
    }

    /// Whether the level's name is uncertain: a transitional level (L5-L6, S1-S2) always is, whatever the
    /// numbering basis, since the same disc is named differently depending on how the vertebrae were counted.
    /// Encoded in JSON as `levelUncertain` for readers of the JSON; ignored (recomputed) on decoding.
    public var isLevelUncertain: Bool { level.isTransitional }

    /// Checks the finding and the anchor.
    public func validate() throws(SpineValidationError) {
        try finding.validate()
        try anchor?.validate()
    }

    private enum CodingKeys: String, CodingKey {
        case level, numberingBasis, finding, anchor, note, levelUncertain
    }

    /// Decodes the JSON form and checks it; `levelUncertain` is recomputed, not read.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        level = try container.decode(DiscLevel.self, forKey: .level)
        numberingBasis = try container.decode(LevelNumberingBasis.self, forKey: .numberingBasis)
        finding = try container.decode(Finding.self, forKey: .finding)
        anchor = try container.decodeIfPresent(ImageAnchor.self, forKey: .anchor)
        note = try container.decodeIfPresent(String.self, forKey: .note)
        try anchor?.validate()
    }

    /// Encodes the JSON form, absent optionals omitted.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(level, forKey: .level)
        try container.encode(numberingBasis, forKey: .numberingBasis)
        try container.encode(finding, forKey: .finding)
        try container.encodeIfPresent(anchor, forKey: .anchor)
        try container.encodeIfPresent(note, forKey: .note)
        try container.encode(isLevelUncertain, forKey: .levelUncertain)
    }
}
