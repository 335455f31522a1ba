extension Evaluation {
    /// A plain-text explanation a clinician can act on: the outcome, then the patient (red flags, patient
    /// requirements, cautions, flags), then each level (outcome, what is missing, what excludes, what supports,
    /// cautions, notes), then the disclaimer.
    public func explanation() -> String {
        var lines = ["Candidacy for intra-annular fibrin injection: \(outcome.rawValue) (rules \(ruleSetVersion))"]
        if let draftsStatement { lines.append("NOTE: \(draftsStatement)") }
        lines += notes.map { "NOTE: \($0)" }

        lines.append("")
        lines.append("Patient")
        let redFlagReasons = patientReasons.filter { $0.kind == .redFlag }
        if !redFlags.isEmpty {
            lines.append("  URGENT REVIEW: red flag")
            lines += redFlags.map { "    " + Self.line($0) }
        } else if !redFlagReasons.isEmpty {
            let unknown = redFlagReasons.filter { $0.status == .unknown }
            lines.append(
                unknown.isEmpty
                    ? "  Red flags: none holds"
                    : "  Red flags: none holds; not answered: " + unknown.map { Self.label($0) }.joined(separator: ", ")
            )
        }
        let requirements = patientReasons.filter { $0.kind == .required || $0.kind == .exclusion }
        if !requirements.isEmpty {
            lines.append("  Requirements for every level:")
            lines += requirements.map { "    " + Self.line($0) }
        }
        if !cautions.isEmpty {
            lines.append("  Cautions (shown, not excluding):")
            lines += cautions.map { "    " + Self.line($0) }
        }
        let supporting = patientReasons.filter { $0.kind == .supportive && $0.status == .met }
        if !supporting.isEmpty {
            lines.append("  Supportive:")
            lines += supporting.map { "    " + Self.line($0) }
        }
        if !flags.isEmpty {
            lines.append("  Flags (recorded, do not decide):")
            lines += flags.map { "    " + Self.line($0) }
        }

        for level in levels {
            lines.append("")
            lines.append("\(level.level.rawValue): \(level.outcome.rawValue)")
            lines += level.notes.map { "  NOTE: \($0)" }
            if !level.missingFacts.isEmpty {
                lines.append("  Missing: " + level.missingFacts.joined(separator: ", "))
            }
            if !level.excluding.isEmpty {
                lines.append("  Excludes:")
                lines += level.excluding.map { "    " + Self.line($0) }
            }
            let own = level.reasons.filter { $0.scope == .level }
            let required = own.filter { $0.kind == .required }
            if !required.isEmpty {
                lines.append("  Required at this level:")
                lines += required.map { "    " + Self.line($0) }
            }
            let ruledOut = own.filter { $0.kind == .exclusion && $0.status == .unmet }
            if !ruledOut.isEmpty {
                lines.append("  Exclusions ruled out: " + ruledOut.map(\.ruleID).joined(separator: ", "))
            }
            let unassessed = own.filter { $0.kind == .exclusion && $0.status == .unknown }
            // Only a level that is or could become a candidate needs its open exclusions ruled out; asking for them
            // at a level already excluded would send the clinic after facts that decide nothing.
            if !unassessed.isEmpty, level.outcome == .candidate || level.outcome == .needsMoreInformation {
                let items = unassessed.map { reason in
                    "\(reason.ruleID) (\(reason.facts.filter(\.isIncomplete).map(\.fact).joined(separator: ", ")))"
                }
                lines.append(
                    "  Exclusions not assessed (unknown; record to rule out): " + items.joined(separator: "; "))
            }
            if !level.supportive.isEmpty {
                lines.append("  Supports:")
                lines += level.supportive.map { "    " + Self.line($0) }
            }
            if !level.cautions.isEmpty {
                lines.append("  Cautions (shown, not excluding):")
                lines += level.cautions.map { "    " + Self.line($0) }
            }
        }
        lines.append("")
        lines.append(disclaimer)
        return lines.joined(separator: "\n") + "\n"
    }

    /// "M1 (required)".
    static func label(_ reason: Reason) -> String { "\(reason.ruleID) \(reason.text)" }

    /// "M1 met: pain for 6 months or longer [intake.painDurationMonths = 14] (source: …)".
    static func line(_ reason: Reason) -> String {
        let status: String
        switch (reason.kind, reason.status) {
        case (.required, .met): status = "met"
        case (.required, .unmet): status = "NOT MET"
        case (_, .met): status = "holds"
        case (_, .unmet): status = "does not hold"
        case (_, .unknown): status = "UNKNOWN"
        }
        let facts = reason.facts.map { "\($0.fact) = \($0.display)" }.joined(separator: "; ")
        return "\(reason.ruleID) \(status): \(reason.text) [\(facts)] (source: \(reason.source))"
    }
}
