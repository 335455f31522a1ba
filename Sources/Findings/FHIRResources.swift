import Candidacy
import Foundation
import AnnulusRecords

/// The Patient, Device, ImagingStudy, DiagnosticReport and Provenance of the Bundle.
enum FHIRResources {
    /// A Patient with only the patient ID (never the name).
    static func patient(_ context: BundleContext) -> JSONNode {
        let id = context.input.patientID
        return .compact([
            "resourceType": "Patient",
            "identifier": id.isEmpty
                ? nil : [["system": .string(context.input.patientIDSystem), "value": .string(id)]],
        ])
    }

    static func patientRequest(_ context: BundleContext) -> JSONNode {
        let id = context.input.patientID
        guard !id.isEmpty else { return ["method": "POST", "url": "Patient"] }
        return [
            "method": "POST", "url": "Patient",
            "ifNoneExist": .string(BundleContext.identifierQuery(context.input.patientIDSystem, id)),
        ]
    }

    /// Annulus, the software that produced the findings export.
    static func device(_ context: BundleContext) -> JSONNode {
        [
            "resourceType": "Device",
            "identifier": [BundleContext.ownIdentifier(context.deviceIdentifier)],
            "deviceName": [["name": "Annulus", "type": "user-friendly-name"]],
            "version": [["value": .string(context.input.softwareVersion)]],
        ]
    }

    static func deviceRequest(_ context: BundleContext) -> JSONNode {
        [
            "method": "POST", "url": "Device",
            "ifNoneExist": .string(
                BundleContext.identifierQuery(FindingsCodes.identifierSystem, context.deviceIdentifier)),
        ]
    }

    /// A study, identified by its Study Instance UID and accession number, with its series.
    static func imagingStudy(_ study: StudySummary, series studySeries: [SeriesSummary], _ context: BundleContext)
        -> JSONNode
    {
        var identifiers: [JSONNode] = [
            ["system": .string(FindingsCodes.dicomUID), "value": .string("urn:oid:" + study.studyInstanceUID)]
        ]
        if let accession = study.accessionNumber, !accession.isEmpty {
            identifiers.append([
                "type": ["coding": [BundleContext.coding(FindingsCodes.identifierType, "ACSN")]],
                "value": .string(accession),
            ])
        }
        let series: [JSONNode] = studySeries.map { series in
            .compact([
                "uid": .string(series.seriesInstanceUID),
                "number": series.seriesNumber.flatMap { $0 >= 0 ? JSONNode.int($0) : nil },
                "modality": BundleContext.coding(FindingsCodes.dicom, series.modality ?? "OT"),
                "description": nonEmpty(series.seriesDescription),
                "numberOfInstances": .int(series.instanceCount),
            ])
        }
        return .compact([
            "resourceType": "ImagingStudy",
            "identifier": .array(identifiers),
            "status": "available",
            "subject": BundleContext.reference(context.patientURL),
            "started": fhirDate(study.studyDate).map(JSONNode.string),
            "description": nonEmpty(study.studyDescription),
            "numberOfSeries": .int(studySeries.count),
            "numberOfInstances": .int(studySeries.reduce(0) { $0 + $1.instanceCount }),
            "series": series.isEmpty ? nil : .array(series),
        ])
    }

    /// The report: preliminary until every exported annotation is signed; the conclusion is the candidacy
    /// outcome line and the disclaimer.
    static func diagnosticReport(_ context: BundleContext) -> JSONNode {
        var results = context.annotations.map { BundleContext.reference(context.observationURL($0)) }
        if context.input.evaluation != nil { results.append(BundleContext.reference(context.candidacyURL)) }
        return .compact([
            "resourceType": "DiagnosticReport",
            "identifier": [BundleContext.ownIdentifier(context.reportIdentifier)],
            "status": .string(context.reportStatus),
            "category": [["coding": [BundleContext.coding(FindingsCodes.loinc, "LP29684-5", "Radiology")]]],
            "code": [
                "coding": [BundleContext.coding(FindingsCodes.loinc, "18748-4", "Diagnostic imaging study")],
                "text": "Spine disc-level findings (Annulus)",
            ],
            "subject": BundleContext.reference(context.patientURL),
            "effectiveDateTime": fhirDate(context.input.study.studyDate).map(JSONNode.string),
            "issued": .string(context.input.exportedAtText),
            "imagingStudy": [BundleContext.reference(context.studyURL)],
            "result": results.isEmpty ? nil : .array(results),
            "conclusion": .string(conclusion(context)),
        ])
    }

    /// The candidacy outcome line and each level's outcome (or "No candidacy evaluation"), the drafts statement
    /// when drafts are included, and the disclaimer.
    static func conclusion(_ context: BundleContext) -> String {
        var parts: [String] = []
        if let evaluation = context.input.evaluation {
            parts.append(evaluation.outcomeLine)
            if !evaluation.levels.isEmpty {
                parts.append(
                    "By level: "
                        + evaluation.levels.map { "\($0.level.name) \($0.outcome.rawValue)" }.joined(separator: ", "))
            }
        } else {
            parts.append("No candidacy evaluation")
        }
        if context.allAnnotations.contains(where: \.version.isDraft) {
            parts.append(CandidacyWording.draftsStatement)
        }
        parts.append(CandidacyWording.disclaimer)
        return parts.joined(separator: ". ") + "."
    }

    /// Who made what: the signing clinicians (and authors of included drafts) by name, and Annulus.
    static func provenance(_ context: BundleContext) -> JSONNode {
        var targets = [BundleContext.reference(context.studyURL)]
        targets += context.input.supportingStudies.map {
            BundleContext.reference(BundleContext.studyURL($0.study.studyInstanceUID))
        }
        targets += context.allAnnotations.map { BundleContext.reference(context.observationURL($0)) }
        if context.input.evaluation != nil { targets.append(BundleContext.reference(context.candidacyURL)) }
        targets.append(BundleContext.reference(context.reportURL))

        let signers = Set(context.allAnnotations.compactMap(\.version.signedBy)).sorted()
        let draftAuthors = Set(context.allAnnotations.filter(\.version.isDraft).map(\.version.author)).sorted()
        var agents: [JSONNode] = signers.map { agent("signing clinician", ["display": .string($0)]) }
        agents += draftAuthors.map { agent("author of draft (unsigned) findings", ["display": .string($0)]) }
        agents.append(
            agent(
                "software that assembled the export",
                [
                    "reference": .string(context.deviceURL),
                    "display": .string("Annulus \(context.input.softwareVersion)"),
                ]))
        return [
            "resourceType": "Provenance",
            "target": .array(targets),
            "recorded": .string(context.input.exportedAtText),
            "agent": .array(agents),
        ]
    }

    private static func agent(_ role: String, _ who: JSONNode) -> JSONNode {
        ["type": ["text": .string(role)], "who": who]
    }

    /// DICOM YYYYMMDD as FHIR's YYYY-MM-DD, nil when not eight digits.
    static func fhirDate(_ dicom: String?) -> String? {
        guard let dicom, dicom.count == 8, dicom.allSatisfy(\.isASCIIDigit) else { return nil }
        let digits = Array(dicom)
        guard let month = Int(String(digits[4..<6])), let day = Int(String(digits[6..<8])), (1...12).contains(month),
            (1...31).contains(day), digits[0] != "0"
        else { return nil }
        return String(digits[0..<4]) + "-" + String(digits[4..<6]) + "-" + String(digits[6..<8])
    }

    private static func nonEmpty(_ text: String?) -> JSONNode? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return .string(text)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

extension Evaluation {
    /// The first line of the explanation: "Candidacy for intra-annular fibrin injection: <outcome> (rules <v>)".
    var outcomeLine: String {
        "Candidacy for intra-annular fibrin injection: \(outcome.rawValue) (rules \(ruleSetVersion))"
    }
}
