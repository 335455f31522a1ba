import SpineModel

/// The facts of one level (`level.*`) from that level's findings; a fact with no finding behind it has no
/// entry. Several findings of one kind: grades and percentages take the highest, "present" is yes if any says
/// so, contour and stenosis take the most severe (contained: no if any record of
/// the most severe contour says not contained, yes if all say contained), discography the last one given.
/// The negative-control support reads the neighbouring levels (`levels`: every evaluated level's findings).
enum LevelFacts {
    static func compute(level: DiscLevel, findings: [Finding], levels: [DiscLevel: [Finding]] = [:])
        -> [String: FactValue]
    {
        var facts: [String: FactValue] = [
            "level.name": .text(level.rawValue), "level.region": .text(level.region.rawValue),
        ]
        var fissures: [AnnularFissure] = []
        var hiz: [Bool] = []
        var pfirrmann: [Int] = []
        var modic: Set<String> = []
        var contours: [DiscContour] = []
        var instability: [Bool] = []
        var slips: [Int] = []
        var stenosis: [Stenosis.Location: Stenosis.Grade] = [:]
        var heightLoss: [Double] = []
        var tears: [Bool] = []
        for finding in findings {
            switch finding {
            case .annularFissure(let value): fissures.append(value)
            case .hiz(let value): hiz.append(value.present)
            case .pfirrmann(let value): pfirrmann.append(value.grade.rawValue)
            case .modic(let value): modic.formUnion([value.upper, value.lower].compactMap { $0?.rawValue })
            case .contour(let value): contours.append(value)
            case .instability(let value): instability.append(value.present)
            case .spondylolisthesis(let value): slips.append(value.grade.rawValue)
            case .stenosis(let value):
                stenosis[value.location] = max(stenosis[value.location] ?? value.grade, value.grade)
            case .heightLoss(let value): heightLoss.append(value.percent)
            case .annulargram(let value): tears.append(value.tear)
            case .discography, .schmorl: break
            }
        }
        // A fissure seen on MR or a tear on the annulargram wins over a reading of "no fissure".
        if fissures.contains(where: \.present) || tears.contains(true) {
            facts["level.fissure.present"] = .bool(true)
        } else if !tears.isEmpty || !fissures.isEmpty {
            facts["level.fissure.present"] = .bool(false)
        }
        let types = Set(fissures.compactMap(\.type?.rawValue))
        if !types.isEmpty { facts["level.fissure.types"] = .set(types.sorted()) }
        if !hiz.isEmpty { facts["level.hiz.present"] = .bool(hiz.contains(true)) }
        if let grade = pfirrmann.max() { facts["level.pfirrmann.grade"] = .number(Double(grade)) }
        if !modic.isEmpty { facts["level.modic.types"] = .set(modic.sorted()) }
        if let worst = contours.map(\.type).max() {
            facts["level.contour.type"] = .text(worst.rawValue)
            let containment = contours.filter { $0.type == worst }.map(\.contained)
            if containment.contains(false) {
                facts["level.contour.contained"] = .bool(false)
            } else if containment.allSatisfy({ $0 == true }) {
                facts["level.contour.contained"] = .bool(true)
            }
        }
        if !instability.isEmpty { facts["level.instability.present"] = .bool(instability.contains(true)) }
        if let grade = slips.max() { facts["level.spondylolisthesis.grade"] = .number(Double(grade)) }
        facts["level.stenosis.worstCanal"] = stenosis[.canal].map { .text($0.rawValue) }
        facts["level.stenosis.worstForaminal"] = stenosis[.foraminal].map { .text($0.rawValue) }
        facts["level.stenosis.worstSubarticular"] = stenosis[.subarticular].map { .text($0.rawValue) }
        if let percent = heightLoss.max() { facts["level.heightLoss.percent"] = .number(percent) }
        if !tears.isEmpty { facts["level.annulargram.tear"] = .bool(tears.contains(true)) }
        let discography = lastDiscography(findings)
        if let discography {
            facts["level.discography.response"] = .text(discography.response.rawValue)
            facts["level.discography.dallasGrade"] = discography.grade.map { .number(Double($0.rawValue)) }
            facts["level.discography.pain"] = discography.pain.map { .number(Double($0)) }
            facts["level.discography.pressure"] = discography.pressure.map { .number($0) }
            facts["level.discography.volume"] = discography.volume.map { .number($0) }
        }
        facts["level.discography.controlNegative"] = adjacentControl(
            level: level, own: discography, levels: levels)
        return facts
    }

    /// Whether a disc next to `level` was injected and negative: derived from the neighbours' own discography;
    /// the old per-level `control-negative` field counts only when no neighbour was injected.
    static func adjacentControl(level: DiscLevel, own: Discography?, levels: [DiscLevel: [Finding]]) -> FactValue? {
        let neighbours = level.adjacentLevels.compactMap { levels[$0].flatMap(lastDiscography) }
        if neighbours.contains(where: \.isNegative) { return .bool(true) }
        if !neighbours.isEmpty { return .bool(false) }
        return own?.controlNegative.map { .bool($0) }
    }

    static func lastDiscography(_ findings: [Finding]) -> Discography? {
        findings.reversed().lazy.compactMap { finding -> Discography? in
            if case .discography(let value) = finding { return value }
            return nil
        }.first
    }
}
