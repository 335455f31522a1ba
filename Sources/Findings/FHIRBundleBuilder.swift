import Candidacy
import Foundation
import SpineModel
import AnnulusRecords

/// Builds the FHIR R4 `transaction` Bundle of a study's findings.
///
/// Entries, in order, with their fullUrl (`urn:uuid:` v5 UUIDs of the names shown, in Annulus's namespace, so a
/// re-export gives the same fullUrls) and their request (so a re-export updates instead of duplicating):
///
/// | resource | v5 name | request |
/// |---|---|---|
/// | Patient (identifier only, no name) | `Patient|<system>|<patient ID>` | `POST Patient`, `ifNoneExist: identifier=<system>|<patient ID>` |
/// | Device (Annulus, version) | `Device|annulus-<version>` | `POST Device`, `ifNoneExist: identifier=<ours>|annulus-<version>` |
/// | ImagingStudy (the study, then each supporting study) | `ImagingStudy|<StudyUID>` | `POST ImagingStudy`, `ifNoneExist: identifier=urn:dicom:uid|urn:oid:<StudyUID>` |
/// | Observation per finding (the study's, then the supporting studies') | `Observation|<its StudyUID>|<annotation id>|<level>|<kind>` | `PUT Observation?identifier=<ours>|<annotation id>` |
/// | Observation per retracted finding, status `entered-in-error` | the same as when it was a finding | the same |
/// | candidacy Observation | `Observation|<StudyUID>|candidacy` | `PUT Observation?identifier=<ours>|candidacy-<StudyUID>` |
/// | DiagnosticReport | `DiagnosticReport|<StudyUID>` | `PUT DiagnosticReport?identifier=<ours>|report-<StudyUID>` |
/// | Provenance | `Provenance|<StudyUID>|<export time>` | `POST Provenance` (one record per export: an audit trail) |
///
/// `<ours>` is `FindingsCodes.identifierSystem`. The ImagingStudy is a conditional create: an existing study
/// (for instance one the PACS already sent) is referenced, not overwritten. A conditional update (`PUT` with
/// a search URL) creates the resource when no match exists and updates the one match otherwise. Without a
/// patient ID the Patient has no identifier and is a plain `POST` (duplicates cannot be avoided then).
public enum FHIRBundleBuilder {
    /// The Bundle as pretty-printed JSON with sorted keys: the same input always gives the same bytes.
    public static func build(_ input: ExportInput) -> Data {
        bundle(input).encoded()
    }

    static func bundle(_ input: ExportInput) -> JSONNode {
        let context = BundleContext(input)
        var entries: [JSONNode] = [
            entry(context.patientURL, FHIRResources.patient(context), request: FHIRResources.patientRequest(context)),
            entry(context.deviceURL, FHIRResources.device(context), request: FHIRResources.deviceRequest(context)),
            studyEntry(input.study, series: input.series, context),
        ]
        entries += input.supportingStudies.map { studyEntry($0.study, series: $0.series, context) }
        for annotation in context.allAnnotations {
            entries.append(
                entry(
                    context.observationURL(annotation), FHIRObservations.finding(annotation, context),
                    request: conditionalPut("Observation", annotation.version.annotationID)))
        }
        for annotation in context.retractedAnnotations {
            entries.append(
                entry(
                    context.observationURL(annotation), FHIRObservations.withdrawn(annotation, context),
                    request: conditionalPut("Observation", annotation.version.annotationID)))
        }
        if let evaluation = input.evaluation {
            entries.append(
                entry(
                    context.candidacyURL, FHIRObservations.candidacy(evaluation, context),
                    request: conditionalPut("Observation", context.candidacyIdentifier)))
        }
        entries.append(
            entry(
                context.reportURL, FHIRResources.diagnosticReport(context),
                request: conditionalPut("DiagnosticReport", context.reportIdentifier)))
        entries.append(
            entry(
                context.provenanceURL, FHIRResources.provenance(context),
                request: ["method": "POST", "url": "Provenance"]))
        return [
            "resourceType": "Bundle",
            "type": "transaction",
            "timestamp": .string(input.exportedAtText),
            "entry": .array(entries),
        ]
    }

    /// An ImagingStudy, created only when the receiver has no study with its UID.
    private static func studyEntry(_ study: StudySummary, series: [SeriesSummary], _ context: BundleContext)
        -> JSONNode
    {
        entry(
            BundleContext.studyURL(study.studyInstanceUID),
            FHIRResources.imagingStudy(study, series: series, context),
            request: [
                "method": "POST", "url": "ImagingStudy",
                "ifNoneExist": .string(
                    BundleContext.identifierQuery(FindingsCodes.dicomUID, "urn:oid:" + study.studyInstanceUID)),
            ])
    }

    private static func entry(_ fullUrl: String, _ resource: JSONNode, request: JSONNode) -> JSONNode {
        ["fullUrl": .string(fullUrl), "resource": resource, "request": request]
    }

    private static func conditionalPut(_ type: String, _ value: String) -> JSONNode {
        [
            "method": "PUT",
            "url": .string(type + "?" + BundleContext.identifierQuery(FindingsCodes.identifierSystem, value)),
        ]
    }
}
