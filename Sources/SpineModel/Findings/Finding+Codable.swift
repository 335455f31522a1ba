extension Finding: Codable {
    private enum KindKey: String, CodingKey {
        case kind
    }

    /// Decodes `{"kind": "...", ...fields}`, then checks the fields as parsing does.
    ///
    /// - Throws: `SpineValidationError` for an unknown kind or values that fail the checks; `DecodingError`
    ///   for JSON of the wrong shape.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: KindKey.self)
        let name = try container.decode(String.self, forKey: .kind)
        guard let kind = FindingKind(rawValue: name) else { throw SpineValidationError.unknownKind(name) }
        switch kind {
        case .annularFissure: self = .annularFissure(try AnnularFissure(from: decoder))
        case .hiz: self = .hiz(try HighIntensityZone(from: decoder))
        case .pfirrmann: self = .pfirrmann(try Pfirrmann(from: decoder))
        case .modic: self = .modic(try Modic(from: decoder))
        case .contour: self = .contour(try DiscContour(from: decoder))
        case .schmorl: self = .schmorl(try SchmorlNode(from: decoder))
        case .spondylolisthesis: self = .spondylolisthesis(try Spondylolisthesis(from: decoder))
        case .instability: self = .instability(try Instability(from: decoder))
        case .stenosis: self = .stenosis(try Stenosis(from: decoder))
        case .heightLoss: self = .heightLoss(try HeightLoss(from: decoder))
        case .discography: self = .discography(try Discography(from: decoder))
        case .annulargram: self = .annulargram(try Annulargram(from: decoder))
        }
        try validate()
    }

    /// Encodes `{"kind": "...", ...fields}`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: KindKey.self)
        try container.encode(kind.rawValue, forKey: .kind)
        try detail.encode(to: encoder)
    }
}
