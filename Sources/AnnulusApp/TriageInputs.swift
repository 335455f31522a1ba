import AnnulusRecords
import Candidacy
import SpineModel
import Store

/// A stored finding that counts but whose payload cannot be read as a finding (written by another program, or by
/// a vocabulary this version does not know). Triage and export agree on it: it is never silently skipped. Triage
/// does not count it and names it in the evaluation's notes; export carries it with its `findingProblem`.
public struct UnreadableFinding: Sendable, Encodable, Equatable {
    /// The annotation.
    public var annotationID: String
    /// The version that counted.
    public var version: Int
    /// Its level as stored.
    public var level: String
    /// Its kind as stored.
    public var findingKind: String
    /// Its study: the accession number, else the Study Instance UID.
    public var study: String
    /// Why it cannot be read.
    public var problem: String

    /// The note the evaluation carries for it.
    public var note: String {
        "finding \(annotationID.prefix(8)) (\(level) \(findingKind), study \(study), version \(version)) cannot be "
            + "read and is not counted: \(problem)"
    }
}

/// What the engine needs for a patient: the intake and the findings that count, from every study of the patient
/// (an MR and the discography of the same patient are read together), and the findings that count but cannot be
/// read.
struct TriageInputs {
    var intake: Intake?
    var levels: [DiscLevel: [Finding]]
    var pendingDrafts: Int
    var accessions: [String]
    var patientStudies: [StudySummary]
    var unreadable: [UnreadableFinding]

    /// Reads the inputs; `allStudies` (from `store.studies()`) may be passed in when evaluating many patients.
    init(store: AnnulusStore, study: StudySummary, includeDrafts: Bool, allStudies: [StudySummary]? = nil) throws {
        // Without a Patient ID the study stands alone: studies missing it cannot be told to be one patient's.
        patientStudies =
            study.patientID.isEmpty
            ? [study]
            : try allStudies?.filter { $0.patientID == study.patientID } ?? store.studies(ofPatient: study.patientID)
        accessions = patientStudies.compactMap(\.accessionNumber)
        intake = try store.latestIntake(studyUID: study.studyInstanceUID).map {
            try IntakeCoding.decode($0.payload, origin: "the stored intake")
        }
        levels = [:]
        pendingDrafts = 0
        unreadable = []
        for member in patientStudies {
            let current = try store.annotations(studyUID: member.studyInstanceUID, includeRetracted: false)
            pendingDrafts += current.filter { !$0.isSigned }.count
            for counted in try Self.countedVersions(current, store: store, includeDrafts: includeDrafts) {
                do {
                    let annotation = try LevelAnnotation.decode(counted.payload)
                    levels[annotation.level, default: []].append(annotation.finding)
                } catch {
                    unreadable.append(
                        UnreadableFinding(
                            annotationID: counted.annotationID, version: counted.version, level: counted.level,
                            findingKind: counted.findingKind, study: member.accessionNumber ?? member.studyInstanceUID,
                            problem: error.message))
                }
            }
        }
    }

    /// The evaluation of these inputs, with a note for every finding that counts but cannot be read.
    func evaluate(rules: RuleSet, includesDrafts: Bool) -> Evaluation {
        var evaluation = CandidacyEngine.evaluate(
            intake: intake, levels: levels, rules: rules, includesDrafts: includesDrafts)
        evaluation.notes += unreadable.map(\.note)
        return evaluation
    }

    /// The versions that count for triage and export: the latest when drafts are included, otherwise the last
    /// signed version of each annotation (an amendment waiting for signature leaves it in force).
    static func countedVersions(
        _ current: [AnnotationVersion], store: AnnulusStore, includeDrafts: Bool
    ) throws -> [AnnotationVersion] {
        try current.compactMap { latest in
            includeDrafts || latest.isSigned
                ? latest : try store.history(id: latest.annotationID).last(where: \.isSigned)
        }
    }
}
