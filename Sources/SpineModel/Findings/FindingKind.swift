/// The kinds of disc-level finding, by their command-line and JSON name.
public enum FindingKind: String, Codable, Sendable, Hashable, CaseIterable {
    /// Annular fissure (Lumbar Disc Nomenclature 2.0).
    case annularFissure = "annular-fissure"
    /// High-intensity zone in the annulus on T2.
    case hiz
    /// Pfirrmann grade of disc degeneration.
    case pfirrmann
    /// Modic change of the upper and lower endplates.
    case modic
    /// Disc contour: normal, bulge, protrusion, extrusion, sequestration.
    case contour
    /// Schmorl node (endplate defect).
    case schmorl
    /// Spondylolisthesis, Meyerding grade.
    case spondylolisthesis
    /// Instability on flexion-extension.
    case instability
    /// Canal, subarticular or foraminal stenosis.
    case stenosis
    /// Disc height loss, percent of the adjacent normal disc.
    case heightLoss = "height-loss"
    /// Provocation discography, modified Dallas grade.
    case discography
    /// Annulargram: contrast in the annulus under fluoroscopy, and the fibrin delivered.
    case annulargram

    /// A short title for headings and help.
    public var title: String {
        switch self {
        case .annularFissure: "Annular fissure"
        case .hiz: "High-intensity zone (HIZ)"
        case .pfirrmann: "Pfirrmann grade"
        case .modic: "Modic endplate change"
        case .contour: "Disc contour"
        case .schmorl: "Schmorl node / endplate defect"
        case .spondylolisthesis: "Spondylolisthesis (Meyerding)"
        case .instability: "Instability"
        case .stenosis: "Stenosis"
        case .heightLoss: "Disc height loss"
        case .discography: "Provocation discography (modified Dallas)"
        case .annulargram: "Annulargram"
        }
    }

    /// Where the vocabulary of this kind comes from, for help text and exports.
    public var source: String {
        switch self {
        case .annularFissure, .contour: "Lumbar Disc Nomenclature 2.0 (Fardon et al., Spine J 2014)"
        case .hiz: "Aprill and Bogduk, Br J Radiol 1992"
        case .pfirrmann: "Pfirrmann et al., Spine 2001"
        case .modic: "Modic et al., Radiology 1988 (types 0–3 and mixed)"
        case .schmorl: "endplate defect, as graded by SPIDER and SpineNet"
        case .spondylolisthesis: "Meyerding grade (I is under 25% slip)"
        case .instability: "more than 3 mm translation or 5° angulation on flexion-extension"
        case .stenosis: "RSNA 2024 Lumbar Spine Degenerative Classification severities"
        case .heightLoss: "percent of the adjacent normal disc"
        case .discography: "modified Dallas discogram scale"
        case .annulargram: "fluoroscopic annulargram before intra-annular fibrin injection"
        }
    }

    /// The fields this kind accepts, in the order they are shown.
    public var fieldSpecs: [FieldSpec] {
        switch self {
        case .annularFissure: AnnularFissure.fieldSpecs
        case .hiz: HighIntensityZone.fieldSpecs
        case .pfirrmann: Pfirrmann.fieldSpecs
        case .modic: Modic.fieldSpecs
        case .contour: DiscContour.fieldSpecs
        case .schmorl: SchmorlNode.fieldSpecs
        case .spondylolisthesis: Spondylolisthesis.fieldSpecs
        case .instability: Instability.fieldSpecs
        case .stenosis: Stenosis.fieldSpecs
        case .heightLoss: HeightLoss.fieldSpecs
        case .discography: Discography.fieldSpecs
        case .annulargram: Annulargram.fieldSpecs
        }
    }

    /// Other names accepted for a kind on input (normalised).
    static let aliases: [String: FindingKind] = [
        "fissure": .annularFissure, "annular-tear": .annularFissure,
        "high-intensity-zone": .hiz, "schmorl-node": .schmorl, "endplate-defect": .schmorl,
        "listhesis": .spondylolisthesis, "meyerding": .spondylolisthesis, "dallas": .discography,
        "discogram": .discography, "height": .heightLoss,
    ]

    /// The kind named by `text` (case and `_`/space versus `-` do not matter; `annular-tear`, `fissure`,
    /// `high-intensity-zone`, `discogram` and a few other names are accepted too).
    /// - Throws: `SpineValidationError` (`unknown-kind`) with the list of kinds and a near-miss suggestion.
    public static func parse(_ text: String) throws(SpineValidationError) -> FindingKind {
        let key = text.normalizedTerm()
        if let kind = FindingKind(rawValue: key) ?? aliases[key] { return kind }
        throw .unknownKind(text)
    }

    /// An example assignment for messages: the first field with its first value.
    var exampleAssignment: String {
        guard let first = fieldSpecs.first else { return "name=value" }
        switch first.values {
        case .oneOf(let words), .setOf(let words): return "\(first.name)=\(words.first ?? "…")"
        case .yesNo: return "\(first.name)=yes"
        case .number(let range, _, _): return "\(first.name)=\(formatNumber(range.lowerBound))"
        case .text: return "\(first.name)=…"
        }
    }
}
