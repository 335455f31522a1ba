/// One disc-level finding: exactly one of the kinds in `FindingKind`, with that kind's fields.
///
/// JSON shape (stable): the kind's fields at the top level next to `"kind"`, absent fields omitted, e.g.
/// `{"kind":"annular-fissure","side":"left","type":"radial","zones":["central","subarticular"]}`.
public enum Finding: Sendable, Hashable {
    /// An annular fissure.
    case annularFissure(AnnularFissure)
    /// A high-intensity zone.
    case hiz(HighIntensityZone)
    /// A Pfirrmann grade.
    case pfirrmann(Pfirrmann)
    /// Modic endplate change.
    case modic(Modic)
    /// The disc contour.
    case contour(DiscContour)
    /// A Schmorl node.
    case schmorl(SchmorlNode)
    /// Spondylolisthesis.
    case spondylolisthesis(Spondylolisthesis)
    /// Instability.
    case instability(Instability)
    /// Stenosis.
    case stenosis(Stenosis)
    /// Disc height loss.
    case heightLoss(HeightLoss)
    /// Provocation discography.
    case discography(Discography)
    /// An annulargram.
    case annulargram(Annulargram)

    /// The finding's kind.
    public var kind: FindingKind {
        detail.kindOfDetail
    }

    /// A short human description for previews and tables ("radial full fissure, central+subarticular left, discal").
    public var summary: String { detail.summary }

    /// The recorded fields as (command-line name, display value) pairs, in the kind's field order; numbers carry
    /// their unit. Fields not recorded are left out.
    public var fields: [(name: String, value: String)] {
        let rows = detail.fields
        let order = kind.fieldSpecs.map(\.name)
        return rows.sorted { order.firstIndex(of: $0.name)! < order.firstIndex(of: $1.name)! }
    }

    /// Checks ranges and consistency between fields (the same checks as parsing, for values built in code or
    /// read from storage).
    public func validate() throws(SpineValidationError) {
        try detail.validate()
    }

    /// The payload, as the protocol every finding struct implements.
    var detail: any FindingDetail {
        switch self {
        case .annularFissure(let value): value
        case .hiz(let value): value
        case .pfirrmann(let value): value
        case .modic(let value): value
        case .contour(let value): value
        case .schmorl(let value): value
        case .spondylolisthesis(let value): value
        case .instability(let value): value
        case .stenosis(let value): value
        case .heightLoss(let value): value
        case .discography(let value): value
        case .annulargram(let value): value
        }
    }
}

extension FindingDetail {
    /// The kind, reachable through an existential.
    var kindOfDetail: FindingKind { Self.kind }
}
