import AnnulusRecords
import Candidacy
import Findings
import Foundation
import Store

/// Builds a study's export (FHIR Bundle or native findings document) from the store: the annotation versions
/// that count, the retractions to withdraw, the patient's other studies whose findings the evaluation uses, and
/// the evaluation itself (with a note for every finding that counts but cannot be read, which the export itself
/// carries with its `findingProblem`).
struct FindingsExporter {
    var store: AnnulusStore
    var includeDrafts: Bool
    var rules: RuleSet
    var format: ExportFormat
    var softwareVersion: String
    var now: Date

    /// The export bytes: signed findings (and drafts when asked), the evaluation of the patient, provenance.
    func data(for target: StudySummary) throws -> Data {
        let input = try input(for: target)
        return format == .fhir ? FHIRBundleBuilder.build(input) : FindingsDocument.build(input)
    }

    /// What an export of `target` carries (every format builds from it).
    func input(for target: StudySummary) throws -> ExportInput {
        let annotations = try exportedVersions(of: target)
        let inputs = try TriageInputs(store: store, study: target, includeDrafts: includeDrafts)
        var supporting: [SupportingStudy] = []
        // Studies without a Patient ID cannot be told to belong to one patient: none supports another.
        let others =
            target.patientID.isEmpty
            ? []
            : try store.studies(ofPatient: target.patientID).filter { $0.studyInstanceUID != target.studyInstanceUID }
        for other in others {
            let counted = try exportedVersions(of: other)
            guard !counted.isEmpty else { continue }
            supporting.append(
                SupportingStudy(
                    study: other, series: try store.series(ofStudy: other.studyInstanceUID), annotations: counted))
        }
        let evaluation = inputs.evaluate(rules: rules, includesDrafts: includeDrafts)
        let input = ExportInput(
            study: target, patientID: target.patientID, series: try store.series(ofStudy: target.studyInstanceUID),
            annotations: annotations, includesDrafts: includeDrafts, supportingStudies: supporting,
            evaluation: evaluation, softwareVersion: softwareVersion, exportedAt: now)
        return input
    }

    /// The versions a study's export carries: those that count (TriageInputs.countedVersions) and the retraction
    /// of every retracted annotation an earlier export may have carried (one signed before, or any with drafts
    /// included), which the Bundle sends as entered-in-error.
    private func exportedVersions(of study: StudySummary) throws -> [AnnotationVersion] {
        let latest = try store.annotations(studyUID: study.studyInstanceUID, includeRetracted: true)
        let counted = try TriageInputs.countedVersions(
            latest.filter { !$0.isRetracted }, store: store, includeDrafts: includeDrafts)
        let withdrawn = try latest.filter(\.isRetracted).filter {
            try includeDrafts || store.history(id: $0.annotationID).contains(where: \.isSigned)
        }
        return counted + withdrawn
    }
}
