import Foundation
import Candidacy
import SpineModel
import AnnulusRecords

/// The finding Observations and the candidacy Observation.
enum FHIRObservations {
    /// One Observation for one annotation (one finding at one level): status `final` when signed,
    /// `preliminary` for a draft; code from the local CodeSystem (plus RadElement RDES281 for Pfirrmann);
    /// bodySite the SNOMED CT disc (text only for L5-L6 and S1-S2); one component per recorded field value.
    static func finding(_ exported: ExportedAnnotation, _ context: BundleContext) -> JSONNode {
        let version = exported.version
        let kind = exported.annotation?.finding.kind
        var codings = [BundleContext.coding(FindingsCodes.localSystem, exported.kindName, kind?.title)]
        if kind == .pfirrmann {
            codings.append(BundleContext.coding(FindingsCodes.radElement, "RDES281", "Pfirrmann classification"))
        }
        var notes: [JSONNode] = []
        if version.isDraft { notes.append(["text": "Draft: not signed by a clinician"]) }
        if let note = exported.annotation?.note, !note.isEmpty { notes.append(["text": .string(note)]) }
        if let anchor = exported.annotation?.anchor { notes.append(["text": .string(anchorText(anchor))]) }
        let values = exported.annotation.map { Self.components(of: $0.finding) } ?? []
        return .compact([
            "resourceType": "Observation",
            "identifier": [BundleContext.ownIdentifier(version.annotationID)],
            "status": version.isSigned ? "final" : "preliminary",
            "category": [["coding": [BundleContext.coding(FindingsCodes.observationCategory, "imaging", "Imaging")]]],
            "code": ["coding": .array(codings), "text": .string(kind?.title ?? exported.kindName)],
            "subject": BundleContext.reference(context.patientURL),
            "issued": .string(version.signedAt ?? version.createdAt),
            "performer": version.signedBy.map { [["display": .string($0)]] },
            "valueString": .string(
                exported.annotation?.finding.summary ?? "finding not readable: \(exported.problem ?? "unknown")"),
            "bodySite": bodySite(exported),
            "derivedFrom": [BundleContext.reference(BundleContext.studyURL(version.studyUID))],
            "device": BundleContext.reference(context.deviceURL),
            "component": values.isEmpty ? nil : .array(values),
            "note": notes.isEmpty ? nil : .array(notes),
        ])
    }

    /// A retracted finding: the same identifier and fullUrl as when it was exported, status `entered-in-error`, a
    /// note saying who retracted it, when and why. A receiver holding it marks it withdrawn; one that never had it
    /// records the withdrawal.
    static func withdrawn(_ exported: ExportedAnnotation, _ context: BundleContext) -> JSONNode {
        let version = exported.version
        let kind = exported.annotation?.finding.kind
        let why = version.reason.map { ": \($0)" } ?? ""
        return .compact([
            "resourceType": "Observation",
            "identifier": [BundleContext.ownIdentifier(version.annotationID)],
            "status": "entered-in-error",
            "category": [["coding": [BundleContext.coding(FindingsCodes.observationCategory, "imaging", "Imaging")]]],
            "code": [
                "coding": [BundleContext.coding(FindingsCodes.localSystem, exported.kindName, kind?.title)],
                "text": .string(kind?.title ?? exported.kindName),
            ],
            "subject": BundleContext.reference(context.patientURL),
            "issued": .string(version.createdAt),
            "bodySite": bodySite(exported),
            "derivedFrom": [BundleContext.reference(BundleContext.studyURL(version.studyUID))],
            "note": [["text": .string("Retracted by \(version.author) at \(version.createdAt)\(why)")]],
        ])
    }

    /// Where the finding was marked, for finding the key image in a viewer: "Marked on image <SOP Instance UID>
    /// (series <UID>), frame 1, at pixel (col, row) …".
    static func anchorText(_ anchor: ImageAnchor) -> String {
        func number(_ value: Double) -> String {
            value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
        }
        let points = anchor.points.map { "(\(number($0.x)), \(number($0.y)))" }.joined(separator: " ")
        return "Marked on image \(anchor.sopInstanceUID) (series \(anchor.seriesInstanceUID)), frame \(anchor.frame), "
            + "at pixel (column, row) \(points)"
    }

    /// The SNOMED CT code of the disc (DICOM CID 7604) and the level's name; text only for a transitional level.
    static func bodySite(_ exported: ExportedAnnotation) -> JSONNode {
        guard let annotation = exported.annotation else { return ["text": .string(exported.levelName)] }
        let level = annotation.level
        var text = level.name
        if annotation.isLevelUncertain {
            text += " (transitional level, numbering \(annotation.numberingBasis.rawValue): uncertain)"
        }
        return .compact([
            "coding": level.snomedCode.map { [BundleContext.coding(FindingsCodes.snomed, $0)] },
            "text": .string(text),
        ])
    }

    /// One component per recorded value: zones one by one, side, type, HIZ presence, grade, … The component
    /// code is the local `<kind>.<field>`; a value is a SNOMED CT code where DOMAIN.md has one (left, right,
    /// central, posterior, present, absent), else the local `<kind>.<field>.<value>`; yes/no fields are
    /// booleans and numbers quantities.
    static func components(of finding: Finding) -> [JSONNode] {
        let kind = finding.kind
        var result: [JSONNode] = []
        for (name, value) in finding.fields {
            guard let spec = kind.fieldSpecs.first(where: { $0.name == name }) else { continue }
            let code: JSONNode = [
                "coding": [BundleContext.coding(FindingsCodes.localSystem, "\(kind.rawValue).\(name)", name)],
                "text": .string(name),
            ]
            func component(_ key: String, _ node: JSONNode) -> JSONNode { ["code": code, key: node] }
            switch spec.values {
            case .yesNo where name == "present":
                result.append(component("valueCodeableConcept", concept(kind, name, value)))
            case .yesNo:
                result.append(component("valueBoolean", .bool(value == "yes")))
            case .oneOf:
                result.append(component("valueCodeableConcept", concept(kind, name, value)))
            case .setOf:
                for item in value.split(separator: ",") {
                    result.append(component("valueCodeableConcept", concept(kind, name, String(item))))
                }
            case .number(_, let unit, _):
                let number = value.split(separator: " ").first.flatMap { Double($0) }
                if let number {
                    result.append(
                        component(
                            "valueQuantity", .compact(["value": .double(number), "unit": unit.map(JSONNode.string)])))
                } else {
                    result.append(component("valueString", .string(value)))
                }
            case .text:
                result.append(component("valueString", .string(value)))
            }
        }
        return result
    }

    private static func concept(_ kind: FindingKind, _ field: String, _ value: String) -> JSONNode {
        if let standard = FindingsCodes.snomedValues["\(field).\(value)"] {
            return [
                "coding": [BundleContext.coding(FindingsCodes.snomed, standard.code, standard.display)],
                "text": .string(value),
            ]
        }
        return [
            "coding": [BundleContext.coding(FindingsCodes.localSystem, "\(kind.rawValue).\(field).\(value)", value)],
            "text": .string(value),
        ]
    }

    /// The candidacy Observation: the patient outcome, one component per level, every reason as a note, derived
    /// from the finding Observations.
    static func candidacy(_ evaluation: Evaluation, _ context: BundleContext) -> JSONNode {
        let levels: [JSONNode] = evaluation.levels.map { level in
            [
                "code": [
                    "coding": [
                        BundleContext.coding(FindingsCodes.localSystem, "candidacy.level", "Candidacy at a disc level")
                    ],
                    "text": .string(level.level.name),
                ],
                "valueCodeableConcept": outcome(level.outcome),
            ]
        }
        var notes = [evaluation.outcomeLine]
        if let statement = evaluation.draftsStatement { notes.append(statement) }
        notes += evaluation.notes
        notes += evaluation.patientReasons.map { "patient: " + line($0) }
        for level in evaluation.levels {
            notes += level.notes.map { "\(level.level.name): \($0)" }
            notes += level.reasons.map { "\(level.level.name): " + line($0) }
            notes += (level.cautions + level.supportive).map { "\(level.level.name): " + line($0) }
        }
        notes.append(evaluation.disclaimer)
        var derived = context.allAnnotations.map { BundleContext.reference(context.observationURL($0)) }
        if derived.isEmpty { derived = [BundleContext.reference(context.studyURL)] }
        return .compact([
            "resourceType": "Observation",
            "identifier": [BundleContext.ownIdentifier(context.candidacyIdentifier)],
            "status": .string(context.reportStatus),
            "code": [
                "coding": [
                    BundleContext.coding(
                        FindingsCodes.localSystem, "candidacy", "Candidacy for intra-annular fibrin injection")
                ],
                "text": .string("Candidacy for intra-annular fibrin injection (rules \(evaluation.ruleSetVersion))"),
            ],
            "subject": BundleContext.reference(context.patientURL),
            "issued": .string(context.input.exportedAtText),
            "valueCodeableConcept": outcome(evaluation.outcome),
            "derivedFrom": .array(derived),
            "device": BundleContext.reference(context.deviceURL),
            "component": levels.isEmpty ? nil : .array(levels),
            "note": .array(notes.map { ["text": .string($0)] }),
        ])
    }

    private static func outcome(_ outcome: Outcome) -> JSONNode {
        [
            "coding": [BundleContext.coding(FindingsCodes.localSystem, outcome.rawValue, outcome.rawValue)],
            "text": .string(outcome.rawValue),
        ]
    }

    /// "M3 (required) met: <text> [fact=value, …] (source)".
    static func line(_ reason: Reason) -> String {
        let facts = reason.facts.map { "\($0.fact)=\($0.display)" }.joined(separator: ", ")
        return "\(reason.ruleID) (\(reason.kind.rawValue)) \(reason.status.rawValue): \(reason.text)"
            + (facts.isEmpty ? "" : " [\(facts)]") + " (source: \(reason.source))"
    }
}
