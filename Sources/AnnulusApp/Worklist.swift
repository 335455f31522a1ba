import AnnulusRecords
import Candidacy
import Store

/// One patient on the worklist: how urgent, why, and the patient's studies.
public struct WorklistEntry: Sendable, Encodable, Equatable {
    /// 1 urgent review, 2 needs more information, 3 candidate awaiting sign-off, 4 the rest.
    public var priority: Int
    /// What needs attention, in words.
    public var attention: String
    /// The patient's studies' accession numbers.
    public var accessions: [String]
    /// The patient outcome from the signed findings.
    public var outcome: String
    /// The red flags, the missing facts, the drafts to sign or each level's outcome.
    public var detail: String
    /// The patient's studies whose watcher completion failed ("ACCESSION: reason"): their previews or export are
    /// missing, whatever the triage says.
    public var imagingProblems: [String]
    /// Findings that count but cannot be read ("ID LEVEL KIND (STUDY)"): not counted; `annulus triage` names
    /// each with the reason.
    public var unreadableFindings: [String]
    /// The patient's ID as the studies give it (empty when they have none). For the reading room's list; never
    /// logged.
    public var patientID: String
    /// The facts the candidacy rules still need (the intake's or the findings' fact names), sorted.
    public var missing: [String]
    /// The patient's studies, most recently arrived first: what a reading room opens from the entry.
    public var studies: [WorklistStudy]
    /// When the newest of them last received an instance (ISO 8601 UTC), if known.
    public var newestArrival: String?
}

/// A study of a worklist entry.
public struct WorklistStudy: Sendable, Encodable, Equatable {
    /// Study Instance UID.
    public var studyInstanceUID: String
    /// Accession Number, if any.
    public var accessionNumber: String?
    /// Study Date (YYYYMMDD), if any.
    public var studyDate: String?
    /// Study Description, if any.
    public var studyDescription: String?
    /// The modalities of its series.
    public var modalities: [String]
    /// When it last received an instance (ISO 8601 UTC), if known.
    public var arrivedAt: String?

    init(_ study: StudySummary) {
        studyInstanceUID = study.studyInstanceUID
        accessionNumber = study.accessionNumber
        studyDate = study.studyDate
        studyDescription = study.studyDescription
        modalities = study.modalities
        arrivedAt = study.lastIndexedAt
    }
}

extension UseCases {
    /// Every patient in order of what needs attention: urgent review (a red flag holds), needs more information
    /// (with what is missing), candidates awaiting sign-off (a candidate once their draft findings are signed),
    /// then the rest; one entry per patient (a study without a Patient ID is its own).
    public func worklist(by principal: Principal) async throws(AppError) -> [WorklistEntry] {
        try await perform { try self.worklistNow() }
    }

    func worklistNow() throws -> [WorklistEntry] {
        let store = environment.store
        let rules = environment.rules
        var seenPatients: Set<String> = []
        var entries: [WorklistEntry] = []
        let studies = try store.studies()
        let failedCompletions = Dictionary(
            try store.watchStudies().filter { $0.state == .failed }.map { ($0.studyUID, $0.failure ?? "failed") },
            uniquingKeysWith: { first, _ in first })
        for study in studies where study.patientID.isEmpty || seenPatients.insert(study.patientID).inserted {
            let signed = try TriageInputs(store: store, study: study, includeDrafts: false, allStudies: studies)
            let evaluation = signed.evaluate(rules: rules, includesDrafts: false)
            let withDrafts = try TriageInputs(store: store, study: study, includeDrafts: true, allStudies: studies)
            let draftOutcome = withDrafts.evaluate(rules: rules, includesDrafts: true).outcome
            let missing = Array(Set(evaluation.levels.flatMap(\.missingFacts))).sorted()
            let awaitingSignOff =
                draftOutcome == .candidate && signed.pendingDrafts > 0 && evaluation.outcome != .candidate
            let arrivals = signed.patientStudies.map(WorklistStudy.init).sorted {
                ($0.arrivedAt ?? "", $0.studyInstanceUID) > ($1.arrivedAt ?? "", $1.studyInstanceUID)
            }
            let (priority, attention, detail): (Int, String, String)
            switch evaluation.outcome {
            case .urgentReview:
                (priority, attention, detail) = (
                    1, "urgent review", "red flag: " + evaluation.redFlags.map(\.ruleID).joined(separator: ", ")
                )
            case .needsMoreInformation where !awaitingSignOff:
                (priority, attention, detail) = (
                    2, "needs more information",
                    "missing: " + (missing.isEmpty ? "signed findings" : missing.joined(separator: ", "))
                )
            default:
                if awaitingSignOff {
                    (priority, attention, detail) = (
                        3, "candidate awaiting sign-off", "\(signed.pendingDrafts) draft finding(s) to sign"
                    )
                } else {
                    (priority, attention, detail) = (
                        4, evaluation.outcome.rawValue,
                        evaluation.levels.map { "\($0.level.name) \($0.outcome.rawValue)" }.joined(separator: ", ")
                    )
                }
            }
            entries.append(
                WorklistEntry(
                    priority: priority, attention: attention, accessions: signed.accessions,
                    outcome: evaluation.outcome.rawValue, detail: detail,
                    imagingProblems: signed.patientStudies.compactMap { member in
                        failedCompletions[member.studyInstanceUID].map {
                            "\(member.accessionNumber ?? member.studyInstanceUID): \($0)"
                        }
                    },
                    unreadableFindings: signed.unreadable.map {
                        "\($0.annotationID.prefix(8)) \($0.level) \($0.findingKind) (\($0.study))"
                    },
                    patientID: study.patientID, missing: missing, studies: arrivals,
                    newestArrival: arrivals.compactMap(\.arrivedAt).max()))
        }
        entries.sort { ($0.priority, $0.accessions.first ?? "") < ($1.priority, $1.accessions.first ?? "") }
        return entries
    }
}
