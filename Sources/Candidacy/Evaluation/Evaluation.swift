import SpineModel

/// The outcome at one level, with every reason.
public struct LevelEvaluation: Codable, Sendable, Hashable {
    /// The level.
    public var level: DiscLevel
    /// Candidate, not, needs more information, urgent review.
    public var outcome: Outcome
    /// The required and exclusion rules that decide the level (patient and level scope), then the level's
    /// cautions, supportive evidence and flags, in rule-file order.
    public var reasons: [Reason]
    /// The unknown facts of required rules whose result is unknown, patient facts included.
    public var missingFacts: [String]
    /// Level cautions that hold.
    public var cautions: [Reason]
    /// Supportive evidence that holds.
    public var supportive: [Reason]
    /// Notes such as "cervical level: the trial evidence is lumbar-only".
    public var notes: [String]

    /// Creates a level evaluation.
    public init(
        level: DiscLevel, outcome: Outcome, reasons: [Reason], missingFacts: [String], cautions: [Reason],
        supportive: [Reason], notes: [String]
    ) {
        self.level = level
        self.outcome = outcome
        self.reasons = reasons
        self.missingFacts = missingFacts
        self.cautions = cautions
        self.supportive = supportive
        self.notes = notes
    }

    /// Exclusions that hold and required rules known to be unmet.
    public var excluding: [Reason] {
        reasons.filter {
            ($0.kind == .exclusion && $0.status == .met) || ($0.kind == .required && $0.status == .unmet)
        }
    }
}

/// The explained evaluation of one patient: the patient outcome, each level's, the patient-level reasons and
/// the fixed disclaimer.
public struct Evaluation: Codable, Sendable, Hashable {
    /// The patient outcome: urgent review if a red flag holds, else candidate if any level is, else needs more
    /// information if any level does (or no level was evaluated), else not a candidate.
    public var outcome: Outcome
    /// The rule set's version.
    public var ruleSetVersion: String
    /// Whether unsigned (draft) findings were counted.
    public var includesDrafts: Bool
    /// Said when drafts were counted.
    public var draftsStatement: String?
    /// Each evaluated level, cranial to caudal.
    public var levels: [LevelEvaluation]
    /// Every patient-scope rule's result (red flags, patient requirements, cautions, flags), in rule-file order.
    public var patientReasons: [Reason]
    /// Notes about the evaluation as a whole (no intake, no levels, region mismatch).
    public var notes: [String]
    /// "Decision support only: …".
    public var disclaimer: String

    /// Creates an evaluation.
    public init(
        outcome: Outcome, ruleSetVersion: String, includesDrafts: Bool, levels: [LevelEvaluation],
        patientReasons: [Reason], notes: [String]
    ) {
        self.outcome = outcome
        self.ruleSetVersion = ruleSetVersion
        self.includesDrafts = includesDrafts
        self.draftsStatement = includesDrafts ? CandidacyWording.draftsStatement : nil
        self.levels = levels
        self.patientReasons = patientReasons
        self.notes = notes
        self.disclaimer = CandidacyWording.disclaimer
    }

    /// Red flags that hold.
    public var redFlags: [Reason] { patientReasons.filter { $0.kind == .redFlag && $0.status == .met } }
    /// Patient cautions that hold.
    public var cautions: [Reason] { patientReasons.filter { $0.kind == .caution && $0.status == .met } }
    /// Flag rules (held or not), e.g. M5 and M9.
    public var flags: [Reason] { patientReasons.filter { $0.kind == .flag } }
}
