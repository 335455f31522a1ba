import Candidacy
import SpineModel

/// Shared inputs: an intake and a level that together make a candidate, and ways to vary them.
enum Fixture {
    static let rules = RuleSet.default

    /// Meets every patient requirement; no red flag, caution or flag holds except M5.
    static var candidateIntake: Intake {
        Intake(
            region: .lumbar, age: 45, painDurationMonths: 14, backPain: PainScore(scale: .vas, value: 70),
            legPain: PainScore(scale: .nrs, value: 3), legPainRadicular: false,
            odiItems: [2, 3, 2, 1, 3, 2, 2, 1, 0, 2],
            conservativeCare: [CareAttempt(kind: .physicalTherapy, weeks: 12, lastingRelief: false)],
            medialBranchBlock: .negative, fitForOutpatientProcedure: true,
            redFlags: RedFlags(activeInfection: false, tumour: false, acuteFracture: false, caudaEquinaSigns: false),
            priorSurgery: PriorSurgery(had: false), prefersNonSurgical: true)
    }

    static let fissure = Finding.annularFissure(AnnularFissure(type: .radial, zones: [.central], side: .midline))
    static let pfirrmannIII = Finding.pfirrmann(Pfirrmann(grade: .III))
    static let concordant = Finding.discography(Discography(grade: .grade3, response: .concordant, pain: 7))

    /// Meets M3 and M4; supportive S-dallas holds.
    static var candidateFindings: [Finding] { [fissure, pfirrmannIII, concordant] }

    static func evaluate(
        _ intake: Intake? = candidateIntake, _ findings: [Finding] = candidateFindings, level: DiscLevel = .L4L5,
        includesDrafts: Bool = false
    ) -> Evaluation {
        CandidacyEngine.evaluate(
            intake: intake, levels: [level: findings], rules: rules, includesDrafts: includesDrafts)
    }

    static func reason(_ id: String, in evaluation: Evaluation, level: Int = 0) -> Reason? {
        evaluation.patientReasons.first { $0.ruleID == id }
            ?? evaluation.levels[safe: level]?.reasons.first { $0.ruleID == id }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
