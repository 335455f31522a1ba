import Foundation
import Candidacy
import SpineModel
import Testing

/// A small deterministic generator (SplitMix64), so that every run checks the same combinations.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Generated combinations of intake answers and level findings, each part possibly unknown.
enum Generated {
    static let painMonths: [Double?] = [nil, 3, 6, 24]
    static let care: [[CareAttempt]?] = [
        nil, [], [CareAttempt(kind: .physicalTherapy, weeks: 12, lastingRelief: false)],
        [CareAttempt(kind: .nsaids, weeks: 4, lastingRelief: false)], [CareAttempt(kind: .chiropractic)],
        [CareAttempt(kind: .epiduralSteroid, weeks: 8, lastingRelief: true)],
    ]
    static let answers: [Bool?] = [nil, true, false]
    static let pain: [PainScore?] = [nil, PainScore(scale: .vas, value: 70), PainScore(scale: .nrs, value: 2)]

    static let findingPool: [[Finding]] = [
        [], [Fixture.fissure], [.annulargram(Annulargram(tear: false))],
        [.pfirrmann(Pfirrmann(grade: .I))], [.pfirrmann(Pfirrmann(grade: .III))], [.pfirrmann(Pfirrmann(grade: .V))],
        [Fixture.concordant], [.discography(Discography(grade: .grade2, response: .discordant))],
        [.discography(Discography(grade: .grade4, response: .concordant, controlNegative: true))],
        [.discography(Discography(response: .noResponse))],
        [.discography(Discography(response: .concordant, pain: 8, pressure: 30, volume: 1.5))],
        [.pfirrmann(Pfirrmann(grade: .II)), .annularFissure(.absent)],
        [.instability(Instability(present: false))], [.instability(Instability(present: true))],
        [.contour(DiscContour(type: .protrusion))], [.contour(DiscContour(type: .protrusion, contained: true))],
        [.contour(DiscContour(type: .extrusion))], [.stenosis(Stenosis(location: .canal, grade: .moderate))],
        [.stenosis(Stenosis(location: .foraminal, side: .right, grade: .severe))],
        [.spondylolisthesis(Spondylolisthesis(grade: .I))], [.spondylolisthesis(Spondylolisthesis(grade: .IV))],
        [.hiz(HighIntensityZone(present: true))], [.modic(Modic(upper: .type3))],
        [.heightLoss(HeightLoss(percent: 50))],
    ]

    /// Exclusion findings, each of which makes a default exclusion hold.
    static let exclusions: [Finding] = [
        .instability(Instability(present: true)), .spondylolisthesis(Spondylolisthesis(grade: .III)),
        .contour(DiscContour(type: .sequestration)), .contour(DiscContour(type: .protrusion, contained: false)),
        .stenosis(Stenosis(location: .canal, grade: .severe)),
        .stenosis(Stenosis(location: .foraminal, side: .left, grade: .severe)),
    ]

    static func intake(_ random: inout SeededGenerator) -> Intake? {
        if Int.random(in: 0..<20, using: &random) == 0 { return nil }
        return Intake(
            painDurationMonths: painMonths.randomElement(using: &random)!,
            backPain: pain.randomElement(using: &random)!,
            legPain: pain.randomElement(using: &random)!, legPainRadicular: answers.randomElement(using: &random)!,
            conservativeCare: care.randomElement(using: &random)!,
            fitForOutpatientProcedure: answers.randomElement(using: &random)!,
            redFlags: RedFlags(
                activeInfection: [nil, false, false, false, true].randomElement(using: &random)!,
                tumour: [nil, false].randomElement(using: &random)!),
            priorSurgery: PriorSurgery(had: answers.randomElement(using: &random)!),
            prefersNonSurgical: answers.randomElement(using: &random)!)
    }

    static func findings(_ random: inout SeededGenerator) -> [Finding] {
        (0..<Int.random(in: 1...4, using: &random)).flatMap { _ in findingPool.randomElement(using: &random)! }
    }

    /// `count` (intake, level findings) combinations, the same on every run.
    static func cases(_ count: Int, seed: UInt64) -> [(Intake?, [Finding])] {
        var random = SeededGenerator(state: seed)
        return (0..<count).map { _ in (intake(&random), findings(&random)) }
    }

    /// Every way of forgetting one answer or dropping one finding.
    static func removingOneFact(_ intake: Intake?, _ findings: [Finding]) -> [(Intake?, [Finding])] {
        var variants: [(Intake?, [Finding])] = findings.indices.map { index in
            var fewer = findings
            fewer.remove(at: index)
            return (intake, fewer)
        }
        guard let intake else { return variants }
        let forgets: [(inout Intake) -> Void] = [
            { $0.painDurationMonths = nil }, { $0.backPain = nil }, { $0.legPain = nil }, { $0.legPainRadicular = nil },
            { $0.conservativeCare = nil }, { $0.fitForOutpatientProcedure = nil },
            { $0.redFlags.activeInfection = nil },
            { $0.redFlags.tumour = nil }, { $0.priorSurgery.had = nil }, { $0.prefersNonSurgical = nil },
            { if !($0.conservativeCare ?? []).isEmpty { $0.conservativeCare![0].weeks = nil } },
            { if !($0.conservativeCare ?? []).isEmpty { $0.conservativeCare![0].lastingRelief = nil } },
        ]
        for forget in forgets {
            var copy = intake
            forget(&copy)
            variants.append((copy, findings))
        }
        variants.append((nil, findings))
        return variants
    }
}

@Suite("Properties over generated combinations")
struct PropertyTests {
    @Test func candidateHasNoUnknownRequiredFactAndNoHoldingExclusion() {
        var candidates = 0
        for (intake, findings) in Generated.cases(3000, seed: 1) + [
            (Fixture.candidateIntake, Fixture.candidateFindings)
        ] {
            let evaluation = Fixture.evaluate(intake, findings)
            for level in evaluation.levels where level.outcome == .candidate {
                candidates += 1
                #expect(level.missingFacts.isEmpty)
                #expect(!level.reasons.contains { $0.kind == .exclusion && $0.status == .met })
                #expect(level.reasons.filter { $0.kind == .required }.allSatisfy { $0.status == .met })
                #expect(!evaluation.patientReasons.contains { $0.kind == .redFlag && $0.status == .met })
            }
            if evaluation.outcome == .candidate { #expect(evaluation.levels.contains { $0.outcome == .candidate }) }
        }
        #expect(candidates > 0, "the generator must reach candidates for the property to mean something")
    }

    @Test func addingAnExclusionNeverMakesACandidate() {
        var checked = 0
        for (intake, findings) in Generated.cases(1500, seed: 2) {
            let before = Fixture.evaluate(intake, findings)
            for exclusion in Generated.exclusions {
                let after = Fixture.evaluate(intake, findings + [exclusion])
                #expect(after.levels[0].outcome != .candidate)
                if before.levels[0].outcome != .candidate {
                    checked += 1
                    #expect(after.outcome != .candidate)
                }
                if before.levels[0].outcome == .notCandidate { #expect(after.levels[0].outcome == .notCandidate) }
            }
        }
        #expect(checked > 0)
    }

    @Test func removingAFactNeverTurnsNeedsMoreInformationIntoCandidate() {
        var checked = 0
        for (intake, findings) in Generated.cases(1500, seed: 3) {
            let before = Fixture.evaluate(intake, findings)
            guard before.levels[0].outcome == .needsMoreInformation else { continue }
            for (fewerIntake, fewerFindings) in Generated.removingOneFact(intake, findings) {
                checked += 1
                let after = Fixture.evaluate(fewerIntake, fewerFindings)
                #expect(after.levels.first?.outcome != .candidate)
                #expect(after.outcome != .candidate)
            }
        }
        #expect(checked > 100)
    }

    @Test func redFlagAlwaysGivesUrgentReview() {
        for (intake, findings) in Generated.cases(500, seed: 4) {
            var flagged = intake ?? Intake()
            flagged.redFlags.acuteFracture = true
            let evaluation = Fixture.evaluate(flagged, findings)
            #expect(evaluation.outcome == .urgentReview)
            #expect(evaluation.levels.allSatisfy { $0.outcome == .urgentReview })
        }
    }

    @Test func evaluationRoundTripsThroughJSON() throws {
        for (intake, findings) in Generated.cases(50, seed: 5) {
            let evaluation = Fixture.evaluate(intake, findings, includesDrafts: true)
            let data = try JSONEncoder().encode(evaluation)
            #expect(try JSONDecoder().decode(Evaluation.self, from: data) == evaluation)
        }
    }
}
