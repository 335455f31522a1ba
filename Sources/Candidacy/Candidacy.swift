/// Candidacy: clinical intake, the rule file and the per-level evaluation.
enum CandidacyNamespace {}
