import Candidacy
import Foundation
import SpineModel
import Testing

/// What the intake and the findings can say since rule set 2026.2: control discs at their own level, suspected
/// red flags, prior operations with kind and level, neck and arm pain, questionnaire totals, and the
/// threshold for degeneration.
@Suite("Clinical fidelity: the vocabulary a clinic uses")
struct ClinicalFidelityTests {
    static func evaluate(_ levels: [DiscLevel: [Finding]], intake: Intake = Fixture.candidateIntake) -> Evaluation {
        CandidacyEngine.evaluate(intake: intake, levels: levels, rules: Fixture.rules, includesDrafts: false)
    }

    static func level(_ evaluation: Evaluation, _ level: DiscLevel) -> LevelEvaluation? {
        evaluation.levels.first { $0.level == level }
    }

    static func status(_ id: String, _ evaluation: Evaluation, _ level: DiscLevel) -> Reason.Status? {
        Self.level(evaluation, level)?.reasons.first { $0.ruleID == id }?.status
    }

    @Test("a negative control recorded at its own level supports the adjacent concordant disc")
    func controlAtItsOwnLevel() throws {
        let control = Finding.discography(Discography(response: .noResponse, pain: 0))
        let tested = Finding.discography(Discography(grade: .grade3, response: .concordant, pain: 8, pressure: 30))
        let evaluation = Self.evaluate([.L3L4: [control], .L4L5: [Fixture.fissure, Fixture.pfirrmannIII, tested]])
        #expect(Self.status("S-control", evaluation, .L4L5) == .met)
        #expect(Self.level(evaluation, .L4L5)?.outcome == .candidate)
        #expect(Self.level(evaluation, .L4L5)?.supportive.map(\.ruleID).contains("S-control") == true)
        // The control disc itself is not a candidate (it is not the pain source) and asks for nothing.
        #expect(Self.level(evaluation, .L3L4)?.outcome == .notCandidate)
        #expect(Self.level(evaluation, .L3L4)?.missingFacts == [])
        #expect(Self.level(evaluation, .L3L4)?.notes.contains(CandidacyWording.negativeControlNote) == true)
        // An excluded level is not asked to rule out its other exclusions either.
        let text = evaluation.explanation()
        let controlPart = try #require(text.range(of: "L3-L4: not-candidate")).upperBound
        let nextLevel = try #require(text.range(of: "L4-L5: candidate")).lowerBound
        #expect(!text[controlPart..<nextLevel].contains("record to rule out"))
        #expect(text[nextLevel...].contains("record to rule out"))
        #expect(evaluation.outcome == .candidate)
    }

    @Test("a painful neighbour is no negative control; a disc two levels away is no neighbour")
    func controlMustBeAdjacentAndNegative() {
        let tested = Finding.discography(Discography(response: .concordant))
        let painful = Finding.discography(Discography(response: .discordant, pain: 6))
        let positive = Self.evaluate([.L3L4: [painful], .L4L5: [Fixture.fissure, tested]])
        #expect(Self.status("S-control", positive, .L4L5) == .unmet)
        let distant = Self.evaluate([
            .L2L3: [.discography(Discography(response: .noResponse))], .L4L5: [Fixture.fissure, tested],
        ])
        #expect(Self.status("S-control", distant, .L4L5) == .unknown)
        // L5-S1 and a transitional L5-L6 both border L4-L5.
        let below = Self.evaluate([
            .L5S1: [.discography(Discography(response: .noResponse))], .L4L5: [Fixture.fissure, tested],
        ])
        #expect(Self.status("S-control", below, .L4L5) == .met)
    }

    @Test("old versions with control-negative still read and count when no neighbour was injected")
    func legacyControlNegative() throws {
        let stored = #"{"controlNegative":true,"grade":4,"kind":"discography","pain":8,"response":"concordant"}"#
        let finding = try JSONDecoder().decode(Finding.self, from: Data(stored.utf8))
        guard case .discography(let value) = finding else {
            Issue.record("not a discography")
            return
        }
        #expect(value.controlNegative == true)
        #expect(value.grade == .grade4)
        let evaluation = Self.evaluate([.L4L5: [Fixture.fissure, finding]])
        #expect(Self.status("S-control", evaluation, .L4L5) == .met)
        // A neighbour injected since overrides the old flag: it was painful.
        let overridden = Self.evaluate([
            .L4L5: [Fixture.fissure, finding], .L3L4: [.discography(Discography(response: .concordant))],
        ])
        #expect(Self.status("S-control", overridden, .L4L5) == .unmet)
        // New input refuses the old flag and says where a control goes.
        #expect(throws: SpineValidationError.self) {
            try Finding.parse(kind: "discography", assignments: ["response=concordant", "control-negative=yes"])
        }
    }

    @Test("discography records pressure, volume and the CT description; the Dallas grade is optional")
    func discographyFields() throws {
        let finding = try Finding.parse(
            kind: "discography",
            assignments: [
                "response=non-concordant", "pain=4", "pressure=45psi", "volume=1.5ml",
                "description=contrast to the outer annulus posteriorly, no epidural leak",
            ])
        #expect(finding.summary == "non-concordant, pain 4/10, 45 psi above opening, 1.5 mL")
        #expect(finding.fields.map(\.name) == ["response", "pain", "pressure", "volume", "description"])
        let json = try JSONEncoder().encode(finding)
        #expect(try JSONDecoder().decode(Finding.self, from: json) == finding)
        for bad in ["pressure=250", "volume=25", "pain=11", "description=line\u{1B}[2Jbreak"] {
            #expect(throws: SpineValidationError.self, "\(bad)") {
                try Finding.parse(kind: "discography", assignments: ["response=none", bad])
            }
        }
    }

    @Test("a suspected red flag is urgent review; an old intake's Booleans still read")
    func suspectedRedFlag() throws {
        var intake = Fixture.candidateIntake
        try intake.apply(assignments: ["tumour=suspected"])
        #expect(intake.redFlags.tumour == .suspected)
        let evaluation = Self.evaluate([.L4L5: Fixture.candidateFindings], intake: intake)
        #expect(evaluation.outcome == .urgentReview)
        #expect(evaluation.redFlags.map(\.ruleID) == ["R-tumour"])
        let old =
            #"{"redFlags":{"activeInfection":false,"tumour":true},"priorSurgery":{"had":true,"levels":["L5-S1"]}}"#
        let decoded = try JSONDecoder().decode(Intake.self, from: Data(old.utf8))
        #expect(decoded.redFlags.tumour == .yes)
        #expect(decoded.redFlags.activeInfection == .no)
        #expect(decoded.priorSurgery.levels == [.L5S1])
        #expect(decoded.priorSurgery.kinds(at: .L5S1) == nil)
        #expect(throws: IntakeError.self) { try intake.apply(assignments: ["fracture=perhaps"]) }
    }

    @Test("prior fusion at a level excludes that level; a discectomy stays a flag")
    func priorSurgeryByKindAndLevel() throws {
        var intake = Fixture.candidateIntake
        try intake.apply(assignments: ["prior-surgery=fusion:L5-S1", "prior-surgery=discectomy:L4-L5"])
        #expect(intake.priorSurgery.had == true)
        #expect(intake.priorSurgery.kinds(at: .L5S1) == [.fusion])
        try intake.apply(assignments: ["prior-surgery=fusion:L5-S1"])
        #expect(intake.priorSurgery.procedures.count == 2, "the same operation entered again is recorded once")
        let evaluation = Self.evaluate(
            [.L4L5: Fixture.candidateFindings, .L5S1: Fixture.candidateFindings], intake: intake)
        #expect(Self.level(evaluation, .L5S1)?.outcome == .notCandidate)
        #expect(Self.level(evaluation, .L5S1)?.excluding.map(\.ruleID) == ["X-prior-fusion"])
        #expect(Self.level(evaluation, .L4L5)?.outcome == .candidate)
        #expect(evaluation.flags.first { $0.ruleID == "M9" }?.status == .met)
        #expect(evaluation.outcome == .candidate)
        // The encoded intake keeps kind and level.
        let text = String(decoding: try JSONEncoder().encode(intake), as: UTF8.self)
        #expect(text.contains(#""kind":"fusion""#))
        #expect(throws: IntakeError.self) { try intake.apply(assignments: ["prior-surgery=fusoin:L4-L5"]) }
    }

    @Test("a cervical case: neck and arm pain are their own facts and decide the cervical cautions")
    func cervicalCase() throws {
        var intake = Fixture.candidateIntake
        try intake.apply(assignments: [
            "region=cervical", "back-pain=unknown", "leg-pain=unknown", "leg-radicular=unknown", "neck-pain=nrs:3",
            "arm-pain=nrs:7", "arm-radicular=yes", "odi=unknown", "ndi=1,2,1,2,3,1,2,1,2,1",
        ])
        let evaluation = Self.evaluate([.C5C6: Fixture.candidateFindings], intake: intake)
        let level = try #require(evaluation.levels.first)
        #expect(level.outcome == .candidate)
        #expect(level.cautions.map(\.ruleID).sorted() == ["C-low-axial-pain", "C-radicular-dominant"])
        #expect(level.notes.contains(CandidacyWording.cervicalNote))
        #expect(intake.ndiPercent == 32)
        // The same pains at a lumbar level read back and leg pain, which are unknown here.
        let lumbar = Self.evaluate([.L4L5: Fixture.candidateFindings], intake: intake)
        #expect(Self.status("C-low-axial-pain", lumbar, .L4L5) == .unknown)
    }

    @Test("ODI and NDI as totals or items, never both; RMDQ a total 0–24")
    func questionnaireTotals() throws {
        var intake = Intake()
        try intake.apply(assignments: ["odi=44"])
        #expect(intake.odiTotal == 44)
        #expect(intake.odiPercent == 44)
        try intake.apply(assignments: ["odi=2,3,2,1,3,2,2,1,0,-"])
        #expect(intake.odiTotal == nil)
        #expect(intake.odi?.itemsAnswered == 9)
        try intake.apply(assignments: ["ndi=30", "rmdq=12"])
        #expect(intake.ndiPercent == 30)
        for bad in ["odi=101", "odi=-1", "ndi=100.5", "rmdq=25", "ndi=1,2,3"] {
            var copy = intake
            #expect(throws: IntakeError.self, "\(bad)") { try copy.apply(assignments: [bad]) }
        }
        let both = #"{"odiItems":[1,1,1,1,1,1,1,1,1,1],"odiTotal":20}"#
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Intake.self, from: Data(both.utf8)) }
    }

    @Test("the degeneration threshold is the rule file's parameter: at 2 (the old rule) Pfirrmann II meets M3")
    func thresholdParameter() throws {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/Candidacy/Resources/default-rules.json")
        let text = try String(contentsOf: source, encoding: .utf8)
        let old = text.replacingOccurrences(
            of: #""degenerationPfirrmannGrade": 3"#, with: #""degenerationPfirrmannGrade": 2"#)
        #expect(old != text)
        let oldRules = try RuleSet.decode(data: Data(old.utf8), source: "threshold 2")
        #expect(oldRules.rule(id: "M3")?.text.contains("Pfirrmann grade 2 or higher") == true)
        #expect(Fixture.rules.rule(id: "M3")?.text.contains("Pfirrmann grade 3 or higher") == true)
        let normal: [Finding] = [.pfirrmann(Pfirrmann(grade: .II)), .annularFissure(.absent)]
        let before = CandidacyEngine.evaluate(
            intake: Fixture.candidateIntake, levels: [.L5S1: normal], rules: oldRules, includesDrafts: false)
        let now = Self.evaluate([.L5S1: normal])
        // The intended change: a normal disc no longer holds the patient at "needs more information".
        #expect(before.outcome == .needsMoreInformation)
        #expect(before.levels[0].missingFacts == ["level.discography.response"])
        #expect(now.outcome == .notCandidate)
        #expect(now.levels[0].excluding.map(\.ruleID) == ["X-no-abnormality"])
        // Everything else triages the same under both: an abnormal candidate disc stays a candidate.
        for rules in [oldRules, Fixture.rules] {
            let candidate = CandidacyEngine.evaluate(
                intake: Fixture.candidateIntake, levels: [.L4L5: Fixture.candidateFindings], rules: rules,
                includesDrafts: false)
            #expect(candidate.outcome == .candidate)
        }
    }

    @Test("a parameter a rule names must exist, and every parameter must be used")
    func parameterErrors() throws {
        func problems(_ json: String) -> [String] {
            do {
                _ = try RuleSet.decode(data: Data(json.utf8), source: "test")
                return []
            } catch { return error.problems.map(\.message) }
        }
        let rule =
            #"{"id":"A","kind":"required","scope":"level","text":"t","facts":["level.pfirrmann.grade"],"source":"s","condition":{"fact":"level.pfirrmann.grade","op":">=","value":{"parameter":"grade"}}}"#
        #expect(problems(#"{"format":1,"version":"x","parameters":{"grade":3},"rules":[\#(rule)]}"#).isEmpty)
        #expect(
            problems(#"{"format":1,"version":"x","parameters":{"grades":3},"rules":[\#(rule)]}"#).contains {
                $0.contains("does not define") && $0.contains("did you mean grades")
            })
        #expect(
            problems(#"{"format":1,"version":"x","parameters":{"grade":3,"spare":1},"rules":[\#(rule)]}"#).contains {
                $0.contains("spare is not used")
            })
        #expect(
            problems(#"{"format":1,"version":"x","parameters":{"grade":"three"},"rules":[\#(rule)]}"#).contains {
                $0.contains("is number, but the value is a string")
            })
    }
}
