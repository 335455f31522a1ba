import Candidacy
import SpineModel
import Testing

/// One scenario: a change to the candidate intake and level, the expected outcome and rule results.
struct Scenario: CustomTestStringConvertible, Sendable {
    let name: String
    let intake: @Sendable (inout Intake) -> Void
    let findings: @Sendable ([Finding]) -> [Finding]
    let outcome: Outcome
    let statuses: [String: Reason.Status]
    let missing: [String]

    init(
        _ name: String, intake: @escaping @Sendable (inout Intake) -> Void = { _ in },
        findings: @escaping @Sendable ([Finding]) -> [Finding] = { $0 }, _ outcome: Outcome,
        _ statuses: [String: Reason.Status] = [:], missing: [String] = []
    ) {
        self.name = name
        self.intake = intake
        self.findings = findings
        self.outcome = outcome
        self.statuses = statuses
        self.missing = missing
    }

    var testDescription: String { name }
}

private func adding(_ extra: Finding...) -> @Sendable ([Finding]) -> [Finding] { { $0 + extra } }

private func replacing(_ all: [Finding]) -> @Sendable ([Finding]) -> [Finding] { { _ in all } }

private let fissure = Fixture.fissure
private let concordant = Fixture.concordant

let scenarios: [Scenario] = [
    Scenario(
        "baseline meets every requirement", .candidate, ["M1": .met, "M2": .met, "M3": .met, "M4": .met, "M6": .met]),
    // M1
    Scenario("M1 pain 4 months", intake: { $0.painDurationMonths = 4 }, .notCandidate, ["M1": .unmet]),
    Scenario("M1 pain exactly 6 months", intake: { $0.painDurationMonths = 6 }, .candidate, ["M1": .met]),
    Scenario(
        "M1 pain duration unknown", intake: { $0.painDurationMonths = nil }, .needsMoreInformation, ["M1": .unknown],
        missing: ["intake.painDurationMonths"]),
    // M2
    Scenario(
        "M2 only 4 weeks of care",
        intake: { $0.conservativeCare = [CareAttempt(kind: .nsaids, weeks: 4, lastingRelief: false)] },
        .notCandidate, ["M2": .unmet]),
    Scenario(
        "M2 care brought lasting relief",
        intake: { $0.conservativeCare = [CareAttempt(kind: .physicalTherapy, weeks: 12, lastingRelief: true)] },
        .notCandidate, ["M2": .unmet]),
    Scenario("M2 no care tried", intake: { $0.conservativeCare = [] }, .notCandidate, ["M2": .unmet]),
    Scenario(
        "M2 care not recorded", intake: { $0.conservativeCare = nil }, .needsMoreInformation, ["M2": .unknown],
        missing: ["intake.conservativeCareWeeksWithoutLastingRelief"]),
    Scenario(
        "M2 weeks added over attempts",
        intake: {
            $0.conservativeCare = [
                CareAttempt(kind: .nsaids, weeks: 3, lastingRelief: false),
                CareAttempt(kind: .chiropractic, weeks: 3, lastingRelief: false),
            ]
        }, .candidate, ["M2": .met]),
    Scenario(
        "M2 incomplete attempt but enough known",
        intake: {
            $0.conservativeCare = [
                CareAttempt(kind: .physicalTherapy, weeks: 8, lastingRelief: false), CareAttempt(kind: .nsaids),
            ]
        }, .candidate, ["M2": .met]),
    Scenario(
        "M2 incomplete attempt and too few known weeks",
        intake: {
            $0.conservativeCare = [
                CareAttempt(kind: .physicalTherapy, weeks: 4, lastingRelief: false),
                CareAttempt(kind: .epiduralSteroid, weeks: nil, lastingRelief: false),
            ]
        }, .needsMoreInformation, ["M2": .unknown], missing: ["intake.conservativeCareWeeksWithoutLastingRelief"]),
    // M3
    Scenario("M3 fissure alone", findings: replacing([fissure, concordant]), .candidate, ["M3": .met]),
    // Pfirrmann II is a normal adult disc (degeneration begins at III, the rule file's parameter).
    Scenario(
        "M3 Pfirrmann II alone, fissure not assessed",
        findings: replacing([.pfirrmann(Pfirrmann(grade: .II)), concordant]), .needsMoreInformation,
        ["M3": .unknown, "X-no-abnormality": .unknown], missing: ["level.fissure.present", "level.hiz.present"]),
    Scenario(
        "M3 Pfirrmann III alone", findings: replacing([Fixture.pfirrmannIII, concordant]), .candidate, ["M3": .met]),
    Scenario(
        "M3 a high-intensity zone alone",
        findings: replacing([.hiz(HighIntensityZone(present: true, position: .posterior)), concordant]), .candidate,
        ["M3": .met, "X-no-abnormality": .unmet]),
    Scenario(
        "M3 Pfirrmann I, fissure not assessed", findings: replacing([.pfirrmann(Pfirrmann(grade: .I)), concordant]),
        .needsMoreInformation, ["M3": .unknown], missing: ["level.fissure.present", "level.hiz.present"]),
    Scenario(
        "M3 Pfirrmann I and annulargram without a tear: no imaging abnormality",
        findings: replacing([.pfirrmann(Pfirrmann(grade: .I)), .annulargram(Annulargram(tear: false)), concordant]),
        .notCandidate, ["X-no-abnormality": .met]),
    Scenario(
        "M3 Pfirrmann I and MR read as no fissure: no imaging abnormality",
        findings: replacing([.pfirrmann(Pfirrmann(grade: .I)), .annularFissure(.absent), concordant]),
        .notCandidate, ["X-no-abnormality": .met]),
    Scenario(
        "normal disc (Pfirrmann II, no fissure, no HIZ) without discography: not a candidate, nothing to ask",
        findings: replacing([
            .pfirrmann(Pfirrmann(grade: .II)), .annularFissure(.absent), .hiz(HighIntensityZone(present: false)),
        ]), .notCandidate, ["X-no-abnormality": .met, "M3": .unmet, "M4": .unknown]),
    Scenario(
        "no fissure and Pfirrmann II but an HIZ: abnormal, a candidate",
        findings: replacing([
            .pfirrmann(Pfirrmann(grade: .II)), .annularFissure(.absent),
            .hiz(HighIntensityZone(present: true, position: .posterior)), concordant,
        ]), .candidate, ["X-no-abnormality": .unmet, "M3": .met]),
    Scenario(
        "M3 a fissure seen wins over another reading of none",
        findings: replacing([.annularFissure(.absent), fissure, .pfirrmann(Pfirrmann(grade: .I)), concordant]),
        .candidate, ["M3": .met]),
    Scenario(
        "M3 annulargram tear counts as a fissure",
        findings: replacing([.annulargram(Annulargram(tear: true)), concordant]),
        .candidate, ["M3": .met]),
    Scenario(
        "M3 no MRI finding", findings: replacing([concordant]), .needsMoreInformation, ["M3": .unknown],
        missing: ["level.fissure.present", "level.hiz.present", "level.pfirrmann.grade"]),
    // M4
    Scenario(
        "M4 discordant discography",
        findings: replacing([fissure, .discography(Discography(grade: .grade3, response: .discordant))]), .notCandidate,
        ["M4": .unmet]),
    Scenario(
        "M4 no response",
        findings: replacing([fissure, .discography(Discography(grade: .grade1, response: .noResponse))]),
        .notCandidate, ["M4": .unmet]),
    Scenario(
        "M4 no discography", findings: replacing([fissure, Fixture.pfirrmannIII]), .needsMoreInformation,
        ["M4": .unknown], missing: ["level.discography.response"]),
    // M6
    Scenario("M6 not fit", intake: { $0.fitForOutpatientProcedure = false }, .notCandidate, ["M6": .unmet]),
    Scenario(
        "M6 fitness unknown", intake: { $0.fitForOutpatientProcedure = nil }, .needsMoreInformation, ["M6": .unknown],
        missing: ["intake.fitForOutpatientProcedure"]),
    // Exclusions
    Scenario(
        "M8 instability", findings: adding(.instability(Instability(present: true, translation: 4))), .notCandidate,
        ["M8": .met]),
    Scenario(
        "M8 stable level", findings: adding(.instability(Instability(present: false))), .candidate, ["M8": .unmet]),
    Scenario(
        "spondylolisthesis grade III", findings: adding(.spondylolisthesis(Spondylolisthesis(grade: .III))),
        .notCandidate, ["X-spondylolisthesis": .met]),
    Scenario(
        "spondylolisthesis grade II", findings: adding(.spondylolisthesis(Spondylolisthesis(grade: .II))), .candidate,
        ["X-spondylolisthesis": .unmet]),
    Scenario(
        "extrusion", findings: adding(.contour(DiscContour(type: .extrusion))), .notCandidate, ["X-herniation": .met]),
    Scenario(
        "sequestration", findings: adding(.contour(DiscContour(type: .sequestration, contained: false))), .notCandidate,
        ["X-herniation": .met]),
    Scenario(
        "non-contained protrusion", findings: adding(.contour(DiscContour(type: .protrusion, contained: false))),
        .notCandidate, ["X-herniation": .met]),
    Scenario(
        "contained protrusion", findings: adding(.contour(DiscContour(type: .protrusion, contained: true))), .candidate,
        ["X-herniation": .unmet]),
    Scenario(
        "protrusion, containment unknown: shown, not excluding",
        findings: adding(.contour(DiscContour(type: .protrusion))), .candidate, ["X-herniation": .unknown]),
    Scenario(
        "severe canal stenosis", findings: adding(.stenosis(Stenosis(location: .canal, grade: .severe))), .notCandidate,
        ["X-stenosis": .met]),
    Scenario(
        "severe foraminal stenosis",
        findings: adding(.stenosis(Stenosis(location: .foraminal, side: .left, grade: .severe))), .notCandidate,
        ["X-stenosis": .met]),
    Scenario(
        "moderate canal stenosis", findings: adding(.stenosis(Stenosis(location: .canal, grade: .moderate))),
        .candidate,
        ["X-stenosis": .unknown]),
    // Red flags
    Scenario(
        "M7 active infection", intake: { $0.redFlags.activeInfection = true }, .urgentReview, ["M7": .met]),
    Scenario("tumour", intake: { $0.redFlags.tumour = true }, .urgentReview, ["R-tumour": .met]),
    Scenario("acute fracture", intake: { $0.redFlags.acuteFracture = true }, .urgentReview, ["R-acute-fracture": .met]),
    Scenario(
        "cauda equina signs", intake: { $0.redFlags.caudaEquinaSigns = true }, .urgentReview, ["R-cauda-equina": .met]),
    Scenario(
        "suspected tumour: urgent review", intake: { $0.redFlags.tumour = .suspected }, .urgentReview,
        ["R-tumour": .met]),
    Scenario(
        "suspected cauda equina: urgent review", intake: { $0.redFlags.caudaEquinaSigns = .suspected },
        .urgentReview, ["R-cauda-equina": .met]),
    Scenario(
        "red flags unknown do not count", intake: { $0.redFlags = RedFlags() }, .candidate,
        ["M7": .unknown, "R-tumour": .unknown]),
    // Cautions
    Scenario(
        "Pfirrmann V", findings: adding(.pfirrmann(Pfirrmann(grade: .V))), .candidate,
        ["C-advanced-degeneration": .met]),
    Scenario(
        "height loss 40%", findings: adding(.heightLoss(HeightLoss(percent: 40))), .candidate,
        ["C-advanced-degeneration": .met]),
    Scenario(
        "height loss 30%", findings: adding(.heightLoss(HeightLoss(percent: 30))), .candidate,
        ["C-advanced-degeneration": .unmet]),
    Scenario("Modic 3", findings: adding(.modic(Modic(upper: .type3))), .candidate, ["C-modic-3": .met]),
    Scenario("Modic 1/3", findings: adding(.modic(Modic(lower: .mixed1And3))), .candidate, ["C-modic-3": .met]),
    Scenario(
        "Modic 1", findings: adding(.modic(Modic(upper: .type1, lower: .type1))), .candidate, ["C-modic-3": .unmet]),
    Scenario(
        "radicular leg pain worse than back pain",
        intake: {
            $0.legPainRadicular = true
            $0.legPain = PainScore(scale: .nrs, value: 8)
        }, .candidate, ["C-radicular-dominant": .met]),
    Scenario(
        "radicular leg pain milder than back pain", intake: { $0.legPainRadicular = true }, .candidate,
        ["C-radicular-dominant": .unmet]),
    Scenario(
        "back pain NRS 3 (30/100)", intake: { $0.backPain = PainScore(scale: .nrs, value: 3) }, .candidate,
        ["C-low-axial-pain": .met]),
    Scenario(
        "back pain VAS 40", intake: { $0.backPain = PainScore(scale: .vas, value: 40) }, .candidate,
        ["C-low-axial-pain": .unmet]),
    // Supportive
    Scenario(
        "HIZ", findings: adding(.hiz(HighIntensityZone(present: true, position: .posterior))), .candidate,
        ["S-hiz": .met]),
    Scenario(
        "negative control disc (stored before control discs had their own level)",
        findings: replacing([
            fissure, .discography(Discography(grade: .grade4, response: .concordant, controlNegative: true)),
        ]),
        .candidate, ["S-control": .met, "S-dallas": .met]),
    Scenario(
        "concordant without a Dallas grade",
        findings: replacing([fissure, .discography(Discography(response: .concordant))]),
        .candidate, ["M4": .met, "S-dallas": .unknown]),
    Scenario(
        "Dallas 2", findings: replacing([fissure, .discography(Discography(grade: .grade2, response: .concordant))]),
        .candidate, ["S-dallas": .unmet, "S-control": .unknown]),
    // Flags
    Scenario(
        "M9 prior surgery does not disqualify", intake: { $0.priorSurgery = PriorSurgery(had: true, levels: [.L5S1]) },
        .candidate, ["M9": .met, "X-prior-fusion": .unmet]),
    Scenario(
        "prior fusion at the level excludes it",
        intake: {
            $0.priorSurgery = PriorSurgery(had: true, procedures: [PriorProcedure(kind: .fusion, level: .L4L5)])
        },
        .notCandidate, ["M9": .met, "X-prior-fusion": .met]),
    Scenario(
        "prior disc replacement at the level excludes it",
        intake: {
            $0.priorSurgery = PriorSurgery(
                had: true, procedures: [PriorProcedure(kind: .discReplacement, level: .L4L5)])
        }, .notCandidate, ["X-prior-fusion": .met]),
    Scenario(
        "prior discectomy at the level stays a flag",
        intake: {
            $0.priorSurgery = PriorSurgery(had: true, procedures: [PriorProcedure(kind: .discectomy, level: .L4L5)])
        }, .candidate, ["M9": .met, "X-prior-fusion": .unmet]),
    Scenario(
        "prior fusion at another level: this level stays a candidate",
        intake: {
            $0.priorSurgery = PriorSurgery(had: true, procedures: [PriorProcedure(kind: .fusion, level: .L5S1)])
        },
        .candidate, ["M9": .met, "X-prior-fusion": .unmet]),
    Scenario(
        "prior fusion, level not recorded: shown, not excluding",
        intake: { $0.priorSurgery = PriorSurgery(had: true, procedures: [PriorProcedure(kind: .fusion, level: nil)]) },
        .candidate, ["M9": .met, "X-prior-fusion": .unknown]),
    Scenario(
        "ODI entered as a total",
        intake: {
            $0.odiItems = nil
            $0.odiTotal = 44
        }, .candidate),
    Scenario(
        "M5 prefers surgery: recorded only", intake: { $0.prefersNonSurgical = false }, .candidate, ["M5": .unmet]),
    Scenario("M5 unknown", intake: { $0.prefersNonSurgical = nil }, .candidate, ["M5": .unknown]),
    // Combinations
    Scenario(
        "red flag outranks an exclusion", intake: { $0.redFlags.tumour = true },
        findings: adding(.instability(Instability(present: true))), .urgentReview, ["R-tumour": .met, "M8": .met]),
    Scenario(
        "exclusion outranks an unknown requirement", intake: { $0.painDurationMonths = nil },
        findings: adding(.contour(DiscContour(type: .extrusion))), .notCandidate,
        ["M1": .unknown, "X-herniation": .met], missing: []),
    Scenario(
        "unmet requirement outranks an unknown one",
        intake: {
            $0.painDurationMonths = 3
            $0.fitForOutpatientProcedure = nil
        }, .notCandidate, ["M1": .unmet, "M6": .unknown], missing: []),
    Scenario(
        "several unknowns are all listed",
        intake: {
            $0.painDurationMonths = nil
            $0.fitForOutpatientProcedure = nil
        }, findings: replacing([fissure]), .needsMoreInformation, ["M1": .unknown, "M6": .unknown, "M4": .unknown],
        missing: ["intake.painDurationMonths", "intake.fitForOutpatientProcedure", "level.discography.response"]),
    Scenario(
        "cautions and supportive together stay candidate", intake: { $0.priorSurgery = PriorSurgery(had: true) },
        findings: adding(
            .modic(Modic(upper: .type3)), .hiz(HighIntensityZone(present: true)), .pfirrmann(Pfirrmann(grade: .V))),
        .candidate, ["C-modic-3": .met, "S-hiz": .met, "C-advanced-degeneration": .met, "M9": .met]),
    Scenario(
        "two exclusions",
        findings: adding(.instability(Instability(present: true)), .contour(DiscContour(type: .extrusion))),
        .notCandidate, ["M8": .met, "X-herniation": .met]),
]

@Suite("Scenario table: each rule alone and in combination")
struct ScenarioTests {
    @Test(arguments: scenarios)
    func scenario(_ scenario: Scenario) throws {
        var intake = Fixture.candidateIntake
        scenario.intake(&intake)
        let evaluation = Fixture.evaluate(intake, scenario.findings(Fixture.candidateFindings))
        let level = try #require(evaluation.levels.first)
        #expect(level.outcome == scenario.outcome)
        #expect(evaluation.outcome == scenario.outcome)
        for (id, status) in scenario.statuses {
            #expect(Fixture.reason(id, in: evaluation)?.status == status, "rule \(id)")
        }
        #expect(level.missingFacts == scenario.missing)
    }

    @Test func symptomaticLevelCountCaution() {
        let levels: [DiscLevel: [Finding]] = [
            .L3L4: Fixture.candidateFindings, .L4L5: Fixture.candidateFindings, .L5S1: Fixture.candidateFindings,
        ]
        let three = CandidacyEngine.evaluate(
            intake: Fixture.candidateIntake, levels: levels, rules: Fixture.rules, includesDrafts: false)
        #expect(three.cautions.map(\.ruleID) == ["C-multilevel"])
        #expect(three.outcome == .candidate)
        var two = levels
        two[.L3L4] = [Fixture.fissure]
        let lowerBound = CandidacyEngine.evaluate(
            intake: Fixture.candidateIntake, levels: two, rules: Fixture.rules, includesDrafts: false)
        // Two concordant levels and one without discography: at least 2, so "more than two" is unknown.
        #expect(Fixture.reason("C-multilevel", in: lowerBound)?.status == .unknown)
        #expect(Fixture.reason("C-multilevel", in: lowerBound)?.facts.first?.value == .atLeast(2))
    }

    @Test func patientIsCandidateWhenOneLevelIs() {
        let levels: [DiscLevel: [Finding]] = [
            .L4L5: Fixture.candidateFindings,
            .L5S1: Fixture.candidateFindings + [.contour(DiscContour(type: .extrusion))],
            .L3L4: [Fixture.pfirrmannIII],
        ]
        let evaluation = CandidacyEngine.evaluate(
            intake: Fixture.candidateIntake, levels: levels, rules: Fixture.rules, includesDrafts: false)
        #expect(evaluation.levels.map(\.level) == [.L3L4, .L4L5, .L5S1])
        #expect(evaluation.levels.map(\.outcome) == [.needsMoreInformation, .candidate, .notCandidate])
        #expect(evaluation.outcome == .candidate)
    }

    @Test func patientNeedsInformationBeforeNotCandidate() {
        let levels: [DiscLevel: [Finding]] = [
            .L4L5: [Fixture.pfirrmannIII],
            .L5S1: Fixture.candidateFindings + [.instability(Instability(present: true))],
        ]
        let evaluation = CandidacyEngine.evaluate(
            intake: Fixture.candidateIntake, levels: levels, rules: Fixture.rules, includesDrafts: false)
        #expect(evaluation.outcome == .needsMoreInformation)
    }

    @Test func cervicalLevelSaysEvidenceIsLumbarOnly() throws {
        var intake = Fixture.candidateIntake
        intake.region = .cervical
        let evaluation = Fixture.evaluate(intake, level: .C5C6)
        let level = try #require(evaluation.levels.first)
        #expect(level.outcome == .candidate)
        #expect(level.notes.contains(CandidacyWording.cervicalNote))
        #expect(level.notes.contains { $0.contains("lumbar-only") })
        #expect(evaluation.explanation().contains("the trial evidence is lumbar-only"))
        #expect(Fixture.evaluate().levels[0].notes.isEmpty)
    }

    @Test func noIntakeNeedsMoreInformation() {
        let evaluation = Fixture.evaluate(nil)
        #expect(evaluation.outcome == .needsMoreInformation)
        #expect(evaluation.notes.contains { $0.contains("no intake") })
        #expect(evaluation.levels[0].missingFacts.contains("intake.painDurationMonths"))
    }

    @Test func noLevelsNeedsMoreInformation() {
        let evaluation = CandidacyEngine.evaluate(
            intake: Fixture.candidateIntake, levels: [:], rules: Fixture.rules, includesDrafts: false)
        #expect(evaluation.outcome == .needsMoreInformation)
        #expect(evaluation.levels.isEmpty)
    }

    @Test func redFlagWithNoLevelsIsUrgent() {
        var intake = Fixture.candidateIntake
        intake.redFlags.caudaEquinaSigns = true
        let evaluation = CandidacyEngine.evaluate(
            intake: intake, levels: [:], rules: Fixture.rules, includesDrafts: false)
        #expect(evaluation.outcome == .urgentReview)
        #expect(evaluation.redFlags.map(\.ruleID) == ["R-cauda-equina"])
    }

    @Test func draftsAreStated() {
        let signed = Fixture.evaluate()
        #expect(!signed.includesDrafts)
        #expect(signed.draftsStatement == nil)
        let drafts = Fixture.evaluate(includesDrafts: true)
        #expect(drafts.includesDrafts)
        #expect(drafts.draftsStatement == CandidacyWording.draftsStatement)
        #expect(drafts.explanation().contains("draft"))
    }

    @Test func everyReasonNamesRuleFactsAndSource() {
        let evaluation = Fixture.evaluate(nil, [Fixture.fissure])
        for reason in evaluation.patientReasons + evaluation.levels.flatMap(\.reasons) {
            #expect(!reason.ruleID.isEmpty)
            #expect(!reason.source.isEmpty)
            #expect(!reason.facts.isEmpty)
            for reading in reason.facts where reading.value == nil { #expect(reading.display == "unknown") }
        }
        #expect(evaluation.disclaimer.contains("NCT01011816"))
        #expect(evaluation.disclaimer.hasPrefix("Decision support only"))
    }
}
