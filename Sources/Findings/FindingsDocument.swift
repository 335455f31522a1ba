import Candidacy
import Foundation
import SpineModel
import AnnulusRecords

/// The native findings document (`docs/findings.schema.json`, schema version `FindingsDocument.schemaVersion`):
/// the patient and study identifiers, the series used, every exported annotation (drafts marked as such), the
/// supporting studies whose findings the triage also used, the retracted annotations, the triage result with its rule-set version and every
/// reason, and the provenance of the export.
public enum FindingsDocument {
    /// The version of `docs/findings.schema.json` the document follows.
    public static let schemaVersion = "1.1"

    /// The document as pretty-printed JSON with sorted keys: the same input always gives the same bytes.
    public static func build(_ input: ExportInput) -> Data {
        let annotations = input.exportedAnnotations.map(ExportedAnnotation.init)
        let document = Document(
            schemaVersion: schemaVersion,
            patient: .init(patientID: input.patientID, patientIDSystem: input.patientIDSystem),
            study: .init(input.study),
            series: input.series.map(Series.init),
            includesDrafts: input.includesDrafts,
            status: input.isFullySigned ? "final" : "preliminary",
            annotations: annotations.map(Annotation.init),
            supportingStudies: input.supportingStudies.map(Supporting.init),
            retractedAnnotations: input.retractedAnnotations.map { Annotation(ExportedAnnotation($0)) },
            triage: input.evaluation,
            provenance: .init(
                software: "Annulus", softwareVersion: input.softwareVersion, exportedAt: input.exportedAtText,
                signers: Set(
                    (input.exportedAnnotations + input.exportedSupportingAnnotations).compactMap(\.signedBy)
                ).sorted()
            )
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        do {
            return try encoder.encode(document)
        } catch {
            preconditionFailure("findings document failed to encode: \(error)")  // finite values only
        }
    }

    private struct Document: Encodable {
        var schemaVersion: String
        var documentType = "annulus-findings"
        var patient: Patient
        var study: Study
        var series: [Series]
        var includesDrafts: Bool
        var status: String
        var annotations: [Annotation]
        var supportingStudies: [Supporting]
        var retractedAnnotations: [Annotation]
        var triage: Evaluation?
        var provenance: Provenance
    }

    /// Another study of the patient whose findings the triage used.
    private struct Supporting: Encodable {
        var study: Study
        var series: [Series]
        var annotations: [Annotation]

        init(_ supporting: SupportingStudy) {
            study = Study(supporting.study)
            series = supporting.series.map(Series.init)
            annotations = supporting.annotations.filter { $0.isSigned || $0.isDraft }.map {
                Annotation(ExportedAnnotation($0))
            }
        }
    }

    private struct Patient: Encodable {
        var patientID: String
        var patientIDSystem: String
    }

    private struct Study: Encodable {
        var studyInstanceUID: String
        var accessionNumber: String?
        var studyDate: String?
        var studyTime: String?
        var studyDescription: String?
        var modalities: [String]

        init(_ study: StudySummary) {
            studyInstanceUID = study.studyInstanceUID
            accessionNumber = study.accessionNumber
            studyDate = study.studyDate
            studyTime = study.studyTime
            studyDescription = study.studyDescription
            modalities = study.modalities
        }
    }

    private struct Series: Encodable {
        var seriesInstanceUID: String
        var modality: String?
        var seriesNumber: Int?
        var seriesDescription: String?
        var instanceCount: Int
        var frameCount: Int

        init(_ series: SeriesSummary) {
            seriesInstanceUID = series.seriesInstanceUID
            modality = series.modality
            seriesNumber = series.seriesNumber
            seriesDescription = series.seriesDescription
            instanceCount = series.instanceCount
            frameCount = series.frameCount
        }
    }

    private struct Annotation: Encodable {
        var annotationID: String
        var version: Int
        var status: String
        var isDraft: Bool
        var level: String
        var findingKind: String
        var summary: String?
        var finding: LevelAnnotation?
        var findingProblem: String?
        var seriesInstanceUID: String?
        var sopInstanceUID: String?
        var frame: Int?
        var author: String
        var createdAt: String
        var reason: String?
        var signedBy: String?
        var signedAt: String?

        init(_ exported: ExportedAnnotation) {
            let version = exported.version
            annotationID = version.annotationID
            self.version = version.version
            status = version.status.rawValue
            isDraft = version.isDraft
            level = exported.levelName
            findingKind = exported.kindName
            summary = exported.annotation?.finding.summary
            finding = exported.annotation
            findingProblem = exported.problem
            seriesInstanceUID = version.seriesUID
            sopInstanceUID = version.sopInstanceUID
            frame = version.frame
            author = version.author
            createdAt = version.createdAt
            reason = version.reason
            signedBy = version.signedBy
            signedAt = version.signedAt
        }
    }

    private struct Provenance: Encodable {
        var software: String
        var softwareVersion: String
        var exportedAt: String
        var signers: [String]
    }
}
