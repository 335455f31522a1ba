import AnnulusRecords
import Candidacy
import Findings
import Foundation
import Store

/// Builds a study's export (FHIR Bundle or native findings document) from the store: the annotation versions
/// that count, the retractions to withdraw, the patient's other studies whose findings the evaluation uses, and
/// the evaluation itself. Used by `annulus export` and by the watcher's automatic export.
struct FindingsExporter {
    var store: AnnulusStore
    var includeDrafts: Bool
    var rules: RuleSet
    /// "fhir" or "findings".
    var format: String

    /// The export bytes: signed findings (and drafts when asked), the evaluation of the patient, provenance.
    func data(for target: StudySummary) throws -> Data {
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
        let evaluation = CandidacyEngine.evaluate(
            intake: inputs.intake, levels: inputs.levels, rules: rules, includesDrafts: includeDrafts)
        let input = ExportInput(
            study: target, patientID: target.patientID, series: try store.series(ofStudy: target.studyInstanceUID),
            annotations: annotations, includesDrafts: includeDrafts, supportingStudies: supporting,
            evaluation: evaluation, softwareVersion: AnnulusVersion.current, exportedAt: Date())
        return format == "fhir" ? FHIRBundleBuilder.build(input) : FindingsDocument.build(input)
    }

    /// The file name of a study's export: `<accession or UID>.fhir.json` / `.findings.json`.
    func fileName(for target: StudySummary) -> String {
        Self.fileStem(target) + (format == "fhir" ? ".fhir.json" : ".findings.json")
    }

    /// A study's name in file and folder names: its accession number when that is a plain name (letters, digits,
    /// `-`, `_`, `.`, at most 64, not starting with a dot), else its Study Instance UID. An accession such as
    /// `CT/2024/1` or `../x` must not steer a path.
    static func fileStem(_ study: StudySummary) -> String {
        if let accession = study.accessionNumber, !accession.isEmpty, accession.count <= 64,
            accession.allSatisfy({ ($0.isLetter || $0.isNumber) && $0.isASCII || "-_.".contains($0) }),
            !accession.hasPrefix(".")
        {
            return accession
        }
        return study.studyInstanceUID
    }

    /// The versions a study's export carries: those that count (TriageInputs.countedVersions) and the retraction
    /// of every retracted annotation an earlier export may have carried (one signed before, or any with
    /// --include-drafts), which the Bundle sends as entered-in-error.
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
