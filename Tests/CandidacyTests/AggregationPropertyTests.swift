@testable import Candidacy
import SpineModel
import Testing

/// The level outcome read against every way the unknown facts could turn out: a level that needs more
/// information can still become a candidate; a level that is not a candidate cannot, whatever is learnt.
@Suite("Aggregation: needs-more-information means a candidate is still possible")
struct AggregationPropertyTests {
    static let rules = RuleSet.default

    /// Every fact the default rules read, except the level's identity (fixed below).
    static let facts: [String] = {
        var seen: [String] = []
        for rule in rules.rules {
            for fact in rule.condition.facts where !seen.contains(fact) && !fact.hasPrefix("level.name") {
                seen.append(fact)
            }
        }
        return seen.filter { $0 != "level.region" }
    }()

    /// The values worth trying for a fact: both answers, every word, every rule threshold and its neighbours,
    /// and for sets the empty set and each word the rules name.
    static func domain(_ fact: String) -> [FactValue] {
        guard let definition = FactCatalog.definition(named: fact) else { return [] }
        var literals: [Literal] = []
        func collect(_ condition: Condition) {
            switch condition {
            case .compare(let name, _, let value?) where name == fact: literals.append(value)
            case .compare: break
            case .all(let parts), .any(let parts): parts.forEach(collect)
            case .not(let inner): collect(inner)
            }
        }
        rules.rules.forEach { collect($0.condition) }
        switch definition.type {
        case .bool: return [.bool(true), .bool(false)]
        case .text(let words): return words.map { .text($0) }
        case .number:
            var numbers: Set<Double> = []
            for literal in literals {
                if case .number(let value) = literal { numbers.formUnion([value - 1, value, value + 1]) }
            }
            return numbers.sorted().map { .number($0) }
        case .set:
            var words: Set<String> = []
            for literal in literals {
                if case .list(let items) = literal {
                    for case .text(let word) in items { words.insert(word) }
                }
            }
            return [.set([])] + words.sorted().map { .set([$0]) }
        }
    }

    /// The level outcome from facts alone, as the engine decides it.
    static func outcome(_ facts: [String: FactValue]) -> Outcome {
        var all = facts
        all["level.name"] = .text("L4-L5")
        all["level.region"] = .text("lumbar")
        let reasons = rules.rules.map { CandidacyEngine.reason(for: $0, facts: all) }
        let urgent = reasons.contains { $0.kind == .redFlag && $0.status == .met }
        let deciding = reasons.filter { $0.kind == .required || $0.kind == .exclusion }
        return CandidacyEngine.outcome(deciding, urgent: urgent)
    }

    /// Whether some completion of the unknown facts makes the level a candidate.
    static func candidatePossible(_ known: [String: FactValue], unknown: ArraySlice<String>) -> Bool {
        guard let fact = unknown.first else { return outcome(known) == .candidate }
        for value in domain(fact) {
            var next = known
            next[fact] = value
            if candidatePossible(next, unknown: unknown.dropFirst()) { return true }
        }
        return false
    }

    @Test("a level needing information can become a candidate; a level not a candidate never can")
    func completions() {
        var random = SeededGenerator(state: 13)
        var counts: [Outcome: Int] = [:]
        // Start from a candidate's facts and change a few at random, so every outcome is reached.
        let baseline = PatientFacts.compute(
            intake: Fixture.candidateIntake, levels: [.L4L5: Fixture.candidateFindings]
        ).merging(LevelFacts.compute(level: .L4L5, findings: Fixture.candidateFindings)) { $1 }
        for _ in 0..<600 {
            var known = baseline.filter { Self.facts.contains($0.key) }
            for fact in Self.facts.shuffled(using: &random).prefix(Int.random(in: 0...3, using: &random)) {
                known[fact] = Self.domain(fact).randomElement(using: &random)
            }
            // Hide up to four facts: the engine must judge the level by what is left.
            let hidden = Array(Self.facts.shuffled(using: &random).prefix(Int.random(in: 0...4, using: &random)))
            for fact in hidden { known[fact] = nil }
            let outcome = Self.outcome(known)
            counts[outcome, default: 0] += 1
            let possible = Self.candidatePossible(known, unknown: hidden[...])
            switch outcome {
            case .needsMoreInformation:
                #expect(possible, "needs more information but no completion is a candidate: hidden \(hidden)")
            case .notCandidate:
                #expect(!possible, "not a candidate yet a completion is: hidden \(hidden), known \(known)")
            case .candidate, .urgentReview:
                break
            }
        }
        // The generator reaches every outcome (a property over one outcome only would prove little).
        #expect(counts[.needsMoreInformation, default: 0] > 10)
        #expect(counts[.notCandidate, default: 0] > 10)
        #expect(counts[.urgentReview, default: 0] > 10)
    }

    @Test("the patient outcome: urgent review > candidate at any level > needs more information > not a candidate")
    func patientOutcomeFromLevels() {
        var random = SeededGenerator(state: 29)
        let levels: [DiscLevel] = [.L2L3, .L3L4, .L4L5, .L5S1]
        for (intake, _) in Generated.cases(600, seed: 31) {
            var findings: [DiscLevel: [Finding]] = [:]
            for level in levels where Bool.random(using: &random) {
                findings[level] = Generated.findings(&random)
            }
            let evaluation = CandidacyEngine.evaluate(
                intake: intake, levels: findings, rules: Self.rules, includesDrafts: false)
            let outcomes = evaluation.levels.map(\.outcome)
            let expected: Outcome =
                if !evaluation.redFlags.isEmpty || outcomes.contains(.urgentReview) {
                    .urgentReview
                } else if outcomes.contains(.candidate) {
                    .candidate
                } else if outcomes.isEmpty || outcomes.contains(.needsMoreInformation) {
                    .needsMoreInformation
                } else {
                    .notCandidate
                }
            #expect(evaluation.outcome == expected)
            for level in evaluation.levels where level.outcome != .needsMoreInformation {
                #expect(level.missingFacts.isEmpty, "\(level.level) is \(level.outcome) but asks for facts")
            }
        }
    }

    @Test("normal discs around one excluded abnormal disc: not a candidate, and nothing is asked")
    func normalDiscsAroundAnExcludedDisc() {
        let normal: [Finding] = [
            .pfirrmann(Pfirrmann(grade: .II)), .annularFissure(.absent), .hiz(HighIntensityZone(present: false)),
        ]
        let levels: [DiscLevel: [Finding]] = [
            .L3L4: normal,
            .L4L5: [Fixture.fissure, Fixture.pfirrmannIII, .contour(DiscContour(type: .extrusion))],
            .L5S1: [.pfirrmann(Pfirrmann(grade: .I)), .annularFissure(.absent)],
        ]
        let evaluation = CandidacyEngine.evaluate(
            intake: Fixture.candidateIntake, levels: levels, rules: Self.rules, includesDrafts: false)
        #expect(evaluation.outcome == .notCandidate)
        #expect(evaluation.levels.map(\.outcome) == [.notCandidate, .notCandidate, .notCandidate])
        #expect(evaluation.levels.allSatisfy { $0.missingFacts.isEmpty })
        #expect(evaluation.levels[0].excluding.map(\.ruleID) == ["X-no-abnormality", "M3"])
        #expect(evaluation.levels[2].excluding.map(\.ruleID) == ["X-no-abnormality"])
        #expect(evaluation.levels[0].excluding[0].text.hasPrefix("no imaging abnormality"))
        #expect(evaluation.explanation().contains("no imaging abnormality"))
    }
}
