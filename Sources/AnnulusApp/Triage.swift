import AnnulusRecords
import Candidacy
import Store

/// The candidacy of a study's patient, with what the evaluation rests on.
public struct TriageReport: Sendable {
    /// The study asked for.
    public var study: StudySummary
    /// The evaluation: per level, every reason, rule and source (`triage --json` prints exactly this).
    public var evaluation: Evaluation
    /// Findings of the patient's studies accepted at a level outside what their study shows.
    public var acceptedOutside: [AcceptedLevel]
    /// Draft findings of the patient not counted (without `includeDrafts`).
    public var pendingDrafts: Int
    /// Findings that count but cannot be read: not counted, each named in the evaluation's notes.
    public var unreadable: [UnreadableFinding]
}

extension UseCases {
    /// The candidacy per disc level of the study's patient, from the intake and the signed findings of every
    /// study of the patient (drafts too with `includeDrafts`, and the evaluation says so). Decision support only.
    public func triage(study: String, includeDrafts: Bool, by principal: Principal) async throws(AppError)
        -> TriageReport
    {
        try await perform {
            let store = self.environment.store
            let target = try store.resolveStudy(study)
            let inputs = try TriageInputs(store: store, study: target, includeDrafts: includeDrafts)
            let evaluation = inputs.evaluate(rules: self.environment.rules, includesDrafts: includeDrafts)
            return TriageReport(
                study: target, evaluation: evaluation,
                acceptedOutside: try LevelCheck.acceptedOutside(store: store, studies: inputs.patientStudies),
                pendingDrafts: inputs.pendingDrafts, unreadable: inputs.unreadable)
        }
    }
}
