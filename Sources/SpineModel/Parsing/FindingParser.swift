extension Finding {
    /// Reads a finding from the command line: a kind and `name=value` assignments.
    ///
    /// `Finding.parse(kind: "annular-fissure", assignments: ["type=radial", "zones=central,subarticular",
    /// "side=left"])`. Names and values ignore case, and `_` or spaces stand for `-`; list fields take
    /// comma-separated values; numbers may carry their unit (`4mm`). The informal zone `paracentral` becomes
    /// `central` + `subarticular` and then needs `side`.
    /// - Throws: `SpineValidationError` naming the field, the value, the allowed values and a near-miss
    ///   suggestion: unknown kind or field, bad value, out-of-range number, missing required field, a field given
    ///   twice, an assignment without `=`, contradictory fields, or the unconfirmed Dallas grade 5.
    public static func parse(kind: String, assignments: [String]) throws(SpineValidationError) -> Finding {
        let kind = try FindingKind.parse(kind)
        let reader = try FieldReader(kind: kind, assignments: assignments)
        let finding = try read(kind, from: reader)
        try finding.validate()
        return finding
    }

    /// The finding of `kind` in the reader's assignments.
    private static func read(_ kind: FindingKind, from reader: FieldReader) throws(SpineValidationError) -> Finding {
        switch kind {
        case .annularFissure: return .annularFissure(try AnnularFissure(reading: reader))
        case .hiz: return .hiz(try HighIntensityZone(reading: reader))
        case .pfirrmann: return .pfirrmann(try Pfirrmann(reading: reader))
        case .modic: return .modic(try Modic(reading: reader))
        case .contour: return .contour(try DiscContour(reading: reader))
        case .schmorl: return .schmorl(try SchmorlNode(reading: reader))
        case .spondylolisthesis: return .spondylolisthesis(try Spondylolisthesis(reading: reader))
        case .instability: return .instability(try Instability(reading: reader))
        case .stenosis: return .stenosis(try Stenosis(reading: reader))
        case .heightLoss: return .heightLoss(try HeightLoss(reading: reader))
        case .discography: return .discography(try Discography(reading: reader))
        case .annulargram: return .annulargram(try Annulargram(reading: reader))
        }
    }
}
