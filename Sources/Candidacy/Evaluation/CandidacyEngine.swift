import SpineModel

/// Evaluates candidacy level by level with a rule set, explaining every step.
public enum CandidacyEngine {
    /// Evaluates every level given (the caller passes the levels that have any finding, with the findings that
    /// count: signed ones, or drafts too when `includesDrafts`).
    ///
    /// Per level: `urgent-review` when a red flag holds; else `not-candidate` when an exclusion holds or a
    /// required rule is known to be unmet; else `needs-more-information` when a required rule is unknown (its
    /// unknown facts are listed); else `candidate`. Unknown never counts as met.
    public static func evaluate(
        intake: Intake?, levels: [DiscLevel: [Finding]], rules: RuleSet, includesDrafts: Bool
    ) -> Evaluation {
        let patientFacts = PatientFacts.compute(intake: intake, levels: levels)
        let patientReasons = rules.rules.filter { $0.scope == .patient }.map { reason(for: $0, facts: patientFacts) }
        let urgent = patientReasons.contains { $0.kind == .redFlag && $0.status == .met }
        let deciding = patientReasons.filter { $0.kind == .required || $0.kind == .exclusion }

        var levelEvaluations: [LevelEvaluation] = []
        for level in levels.keys.sorted() {
            let facts = patientFacts.merging(PatientFacts.levelFacts(intake: intake, level: level)) { $1 }
                .merging(LevelFacts.compute(level: level, findings: levels[level] ?? [], levels: levels)) { $1 }
            let own = rules.rules.filter { $0.scope == .level }.map { reason(for: $0, facts: facts) }
            let reasons =
                deciding + own.filter { $0.kind == .required || $0.kind == .exclusion }
                + own.filter { $0.kind != .required && $0.kind != .exclusion }
            let levelUrgent = urgent || own.contains { $0.kind == .redFlag && $0.status == .met }
            let levelOutcome = outcome(reasons, urgent: levelUrgent)
            levelEvaluations.append(
                LevelEvaluation(
                    level: level, outcome: levelOutcome, reasons: reasons,
                    // Only a level that could still become a candidate asks for facts: one already excluded
                    // (or sent for urgent review) would have the clinic chase tests that decide nothing.
                    missingFacts: levelOutcome == .needsMoreInformation ? missingFacts(reasons) : [],
                    cautions: own.filter { $0.kind == .caution && $0.status == .met },
                    supportive: own.filter { $0.kind == .supportive && $0.status == .met },
                    notes: notes(for: level, intake: intake, findings: levels[level] ?? [])))
        }

        var notes: [String] = []
        if intake == nil { notes.append("no intake recorded: every intake fact is unknown") }
        if levels.isEmpty { notes.append("no disc level has a finding that counts: annotate (and sign) the study") }
        let outcome: Outcome
        if urgent || levelEvaluations.contains(where: { $0.outcome == .urgentReview }) {
            outcome = .urgentReview
        } else if levelEvaluations.contains(where: { $0.outcome == .candidate }) {
            outcome = .candidate
        } else if levelEvaluations.isEmpty || levelEvaluations.contains(where: { $0.outcome == .needsMoreInformation })
        {
            outcome = .needsMoreInformation
        } else {
            outcome = .notCandidate
        }
        return Evaluation(
            outcome: outcome, ruleSetVersion: rules.version, includesDrafts: includesDrafts, levels: levelEvaluations,
            patientReasons: patientReasons, notes: notes)
    }

    /// Evaluates one rule against the facts.
    static func reason(for rule: Rule, facts: [String: FactValue]) -> Reason {
        let truth = rule.condition.evaluate { facts[$0] }
        return Reason(
            ruleID: rule.id, kind: rule.kind, scope: rule.scope, text: rule.text, status: Reason.Status(truth),
            facts: rule.facts.map { FactReading(fact: $0, value: facts[$0]) }, source: rule.source)
    }

    /// The level outcome from its deciding reasons.
    static func outcome(_ reasons: [Reason], urgent: Bool) -> Outcome {
        if urgent { return .urgentReview }
        if reasons.contains(where: {
            ($0.kind == .exclusion && $0.status == .met) || ($0.kind == .required && $0.status == .unmet)
        }) {
            return .notCandidate
        }
        if reasons.contains(where: { $0.kind == .required && $0.status == .unknown }) { return .needsMoreInformation }
        return .candidate
    }

    /// The unknown facts of required rules that are unknown, each once, in order.
    static func missingFacts(_ reasons: [Reason]) -> [String] {
        var missing: [String] = []
        for reason in reasons where reason.kind == .required {
            for fact in reason.missingFacts where !missing.contains(fact) { missing.append(fact) }
        }
        return missing
    }

    static func notes(for level: DiscLevel, intake: Intake?, findings: [Finding]) -> [String] {
        var notes: [String] = []
        if LevelFacts.lastDiscography(findings)?.isNegative == true {
            notes.append(CandidacyWording.negativeControlNote)
        }
        switch level.region {
        case .cervical: notes.append(CandidacyWording.cervicalNote)
        case .thoracic: notes.append(CandidacyWording.thoracicNote)
        case .lumbar: break
        }
        if level.isTransitional {
            notes.append("transitional level: its name depends on how the vertebrae were counted")
        }
        if let region = intake?.region, region.rawValue != level.region.rawValue {
            notes.append("the intake is about the \(region.rawValue) spine but this level is \(level.region.rawValue)")
        }
        return notes
    }
}
