import SpineModel

/// The patient facts (`intake.*`, `patient.*`) of one evaluation; a fact that is not known has no entry.
enum PatientFacts {
    static func compute(intake: Intake?, levels: [DiscLevel: [Finding]]) -> [String: FactValue] {
        var facts: [String: FactValue] = [:]
        facts["patient.evaluatedLevelCount"] = .number(Double(levels.count))
        facts["patient.symptomaticLevelCount"] = symptomaticLevelCount(levels)
        guard let intake else { return facts }
        facts["intake.region"] = intake.region.map { .text($0.rawValue) }
        facts["intake.age"] = intake.age.map { .number(Double($0)) }
        facts["intake.painDurationMonths"] = intake.painDurationMonths.map { .number($0) }
        let back = intake.backPain?.normalized
        let leg = intake.legPain?.normalized
        facts["intake.backPain100"] = back.map { .number($0) }
        facts["intake.legPain100"] = leg.map { .number($0) }
        if let back, let leg { facts["intake.legPainExceedsBackPain"] = .bool(leg > back) }
        facts["intake.legPainRadicular"] = intake.legPainRadicular.map { .bool($0) }
        let neck = intake.neckPain?.normalized
        let arm = intake.armPain?.normalized
        facts["intake.neckPain100"] = neck.map { .number($0) }
        facts["intake.armPain100"] = arm.map { .number($0) }
        if let neck, let arm { facts["intake.armPainExceedsNeckPain"] = .bool(arm > neck) }
        facts["intake.armPainRadicular"] = intake.armPainRadicular.map { .bool($0) }
        facts["intake.odi"] = intake.odiPercent.map { .number($0) }
        if let items = intake.odiItems {
            facts["intake.odiItemsAnswered"] = .number(Double(items.compactMap { $0 }.count))
        }
        facts["intake.rmdq"] = intake.rmdq.map { .number(Double($0)) }
        facts["intake.ndi"] = intake.ndiPercent.map { .number($0) }
        if let care = intake.conservativeCare {
            facts["intake.conservativeCareWeeksWithoutLastingRelief"] = weeksWithoutRelief(care)
            facts["intake.conservativeCareKinds"] = .set(Set(care.map(\.kind.rawValue)).sorted())
            let epidurals = care.filter { $0.kind == .epiduralSteroid }
            if epidurals.contains(where: { $0.lastingRelief == true }) {
                facts["intake.epiduralSteroidLastingRelief"] = .bool(true)
            } else if !epidurals.isEmpty, epidurals.allSatisfy({ $0.lastingRelief == false }) {
                facts["intake.epiduralSteroidLastingRelief"] = .bool(false)
            }
        }
        facts["intake.medialBranchBlock"] = intake.medialBranchBlock.map { .text($0.rawValue) }
        facts["intake.fitForOutpatientProcedure"] = intake.fitForOutpatientProcedure.map { .bool($0) }
        facts["intake.redFlags.activeInfection"] = intake.redFlags.activeInfection.map { .text($0.rawValue) }
        facts["intake.redFlags.tumour"] = intake.redFlags.tumour.map { .text($0.rawValue) }
        facts["intake.redFlags.acuteFracture"] = intake.redFlags.acuteFracture.map { .text($0.rawValue) }
        facts["intake.redFlags.caudaEquinaSigns"] = intake.redFlags.caudaEquinaSigns.map { .text($0.rawValue) }
        facts["intake.priorSurgery"] = intake.priorSurgery.had.map { .bool($0) }
        if intake.priorSurgery.had == false {
            facts["intake.priorSurgeryLevels"] = .set([])
            facts["intake.priorSurgeryKinds"] = .set([])
        } else {
            if !intake.priorSurgery.levels.isEmpty {
                facts["intake.priorSurgeryLevels"] = .set(intake.priorSurgery.levels.map(\.rawValue))
            }
            if !intake.priorSurgery.kinds.isEmpty {
                facts["intake.priorSurgeryKinds"] = .set(intake.priorSurgery.kinds.map(\.rawValue))
            }
        }
        facts["intake.prefersNonSurgical"] = intake.prefersNonSurgical.map { .bool($0) }
        return facts
    }

    /// The patient facts that concern one level (`level.priorSurgery.kinds`): what was operated there.
    static func levelFacts(intake: Intake?, level: DiscLevel) -> [String: FactValue] {
        guard let kinds = intake?.priorSurgery.kinds(at: level) else { return [:] }
        return ["level.priorSurgery.kinds": .set(kinds.map(\.rawValue))]
    }

    /// Weeks of care known to have brought no lasting relief; a lower bound when an attempt is incomplete (its
    /// weeks or its relief unknown), since it might add weeks.
    static func weeksWithoutRelief(_ care: [CareAttempt]) -> FactValue {
        var known = 0.0
        var incomplete = false
        for attempt in care {
            switch (attempt.lastingRelief, attempt.weeks) {
            case (true?, _): continue
            case (false?, let weeks?): known += weeks
            default: incomplete = true
            }
        }
        return incomplete ? .atLeast(known) : .number(known)
    }

    /// Levels with concordant discography; a lower bound when an evaluated level has no discography.
    static func symptomaticLevelCount(_ levels: [DiscLevel: [Finding]]) -> FactValue {
        var count = 0
        var unknown = false
        for findings in levels.values {
            let response = LevelFacts.lastDiscography(findings)?.response
            if response == .concordant { count += 1 } else if response == nil { unknown = true }
        }
        return unknown ? .atLeast(Double(count)) : .number(Double(count))
    }
}
