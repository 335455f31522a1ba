import Candidacy
import Foundation
import AnnulusRecords

/// Everything one export of a study's findings needs, gathered by the caller; the builders read nothing else.
///
/// The patient's name is never exported: the patient is identified by the patient ID only.
public struct ExportInput: Sendable {
    /// The study (its UID, accession number, date, description).
    public var study: StudySummary
    /// The patient ID ("" when unknown).
    public var patientID: String
    /// The system of the patient ID in FHIR (the issuer of the DICOM Patient ID).
    public var patientIDSystem: String
    /// The series of the study used for the findings.
    public var series: [SeriesSummary]
    /// The annotations to export, latest version of each, already filtered by the caller: signed ones, and
    /// drafts too when `includesDrafts`. A retracted annotation (its retraction version) is exported as
    /// withdrawn, so that a receiver holding an earlier export marks it entered-in-error.
    public var annotations: [AnnotationVersion]
    /// Whether drafts were asked for (`--include-drafts`); drafts are always marked as such.
    public var includesDrafts: Bool
    /// Other studies of the same patient whose findings the evaluation used (a discography on a fluoroscopy
    /// study, an earlier MR). Their findings travel with the candidacy so that it can cite them; they keep the
    /// identifiers of their own study's export, so a receiver given both keeps one copy.
    public var supportingStudies: [SupportingStudy]
    /// The candidacy evaluation (triage result), if one was made.
    public var evaluation: Evaluation?
    /// Annulus's version, e.g. "0.9.0".
    public var softwareVersion: String
    /// The time of the export (injected so that the output is deterministic).
    public var exportedAt: Date

    /// Creates an export input.
    public init(
        study: StudySummary, patientID: String, patientIDSystem: String = FindingsCodes.patientIDSystem,
        series: [SeriesSummary], annotations: [AnnotationVersion], includesDrafts: Bool,
        supportingStudies: [SupportingStudy] = [], evaluation: Evaluation?, softwareVersion: String, exportedAt: Date
    ) {
        self.study = study
        self.patientID = patientID
        self.patientIDSystem = patientIDSystem
        self.series = series
        self.annotations = annotations
        self.includesDrafts = includesDrafts
        self.supportingStudies = supportingStudies
        self.evaluation = evaluation
        self.softwareVersion = softwareVersion
        self.exportedAt = exportedAt
    }

    /// The annotations that are exported: drafts and signed versions, in the given order (retractions left out).
    var exportedAnnotations: [AnnotationVersion] {
        annotations.filter { $0.isSigned || $0.isDraft }
    }

    /// The supporting studies' exported annotations, study by study in the given order.
    var exportedSupportingAnnotations: [AnnotationVersion] {
        supportingStudies.flatMap { $0.annotations.filter { $0.isSigned || $0.isDraft } }
    }

    /// The retracted annotations of the study and of the supporting studies (their retraction versions).
    var retractedAnnotations: [AnnotationVersion] {
        (annotations + supportingStudies.flatMap(\.annotations)).filter(\.isRetracted)
    }

    /// True when at least one annotation of the study is exported and every exported annotation (the supporting
    /// studies' included, since the candidacy rests on them) is signed.
    public var isFullySigned: Bool {
        let exported = exportedAnnotations
        return !exported.isEmpty && (exported + exportedSupportingAnnotations).allSatisfy(\.isSigned)
    }

    /// The export time as an ISO 8601 UTC instant with milliseconds ("2026-03-08T12:00:00.000Z").
    var exportedAtText: String {
        Date.ISO8601FormatStyle(includingFractionalSeconds: true).format(exportedAt)
    }
}

/// Another study of the patient whose findings the candidacy evaluation used.
public struct SupportingStudy: Sendable {
    /// The study.
    public var study: StudySummary
    /// Its series.
    public var series: [SeriesSummary]
    /// Its annotations that counted, chosen as for the main study (retractions included, exported as withdrawn).
    public var annotations: [AnnotationVersion]

    /// Creates a supporting study.
    public init(study: StudySummary, series: [SeriesSummary], annotations: [AnnotationVersion]) {
        self.study = study
        self.series = series
        self.annotations = annotations
    }
}
