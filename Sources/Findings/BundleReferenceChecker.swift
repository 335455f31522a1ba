import Foundation

/// Checks that every `reference` in a Bundle resolves to an entry of the Bundle and that the entry's resource
/// type is one FHIR R4 allows for that element (HL7's JSON schema checks neither).
///
/// The elements checked, with the target types R4 allows (`*`: any resource):
///
/// | element | allowed targets |
/// |---|---|
/// | ImagingStudy.subject | Patient, Device, Group |
/// | Observation.subject, DiagnosticReport.subject | Patient, Group, Device, Location |
/// | Observation.derivedFrom | DocumentReference, ImagingStudy, Media, QuestionnaireResponse, Observation, MolecularSequence |
/// | Observation.hasMember | Observation, QuestionnaireResponse, MolecularSequence |
/// | Observation.device | Device, DeviceMetric |
/// | Observation.performer | Practitioner, PractitionerRole, Organization, CareTeam, Patient, RelatedPerson |
/// | DiagnosticReport.result | Observation |
/// | DiagnosticReport.imagingStudy | ImagingStudy |
/// | DiagnosticReport.performer, DiagnosticReport.resultsInterpreter | Practitioner, PractitionerRole, Organization, CareTeam |
/// | Provenance.target | * |
/// | Provenance.agent.who | Practitioner, PractitionerRole, RelatedPerson, Patient, Device, Organization |
/// | Provenance.agent.onBehalfOf | Practitioner, PractitionerRole, RelatedPerson, Patient, Organization |
///
/// A reference at any other element is reported as unchecked, so the table grows with the Bundle. A reference
/// with only a `display` (no `reference`) is not a link and is not checked.
public enum BundleReferenceChecker {
    /// Element path (resource type and element names, without array indices) → allowed target types; `nil`
    /// means any resource type.
    public static let allowedTargets: [String: Set<String>?] = [
        "ImagingStudy.subject": ["Patient", "Device", "Group"],
        "Observation.subject": ["Patient", "Group", "Device", "Location"],
        "DiagnosticReport.subject": ["Patient", "Group", "Device", "Location"],
        "Observation.derivedFrom": [
            "DocumentReference", "ImagingStudy", "Media", "QuestionnaireResponse", "Observation", "MolecularSequence",
        ],
        "Observation.hasMember": ["Observation", "QuestionnaireResponse", "MolecularSequence"],
        "Observation.device": ["Device", "DeviceMetric"],
        "Observation.performer": [
            "Practitioner", "PractitionerRole", "Organization", "CareTeam", "Patient", "RelatedPerson",
        ],
        "DiagnosticReport.result": ["Observation"],
        "DiagnosticReport.imagingStudy": ["ImagingStudy"],
        "DiagnosticReport.performer": ["Practitioner", "PractitionerRole", "Organization", "CareTeam"],
        "DiagnosticReport.resultsInterpreter": ["Practitioner", "PractitionerRole", "Organization", "CareTeam"],
        "Provenance.target": nil,
        "Provenance.agent.who": [
            "Practitioner", "PractitionerRole", "RelatedPerson", "Patient", "Device", "Organization",
        ],
        "Provenance.agent.onBehalfOf": [
            "Practitioner", "PractitionerRole", "RelatedPerson", "Patient", "Organization",
        ],
    ]

    /// Every problem found, one sentence each; empty when every reference resolves to an allowed type.
    public static func problems(in bundleJSON: Data) -> [String] {
        let root: JSONNode
        do {
            root = try JSONDecoder().decode(JSONNode.self, from: bundleJSON)
        } catch {
            return ["the Bundle is not JSON: \(error)"]
        }
        guard root["resourceType"]?.stringValue == "Bundle" else { return ["not a Bundle"] }
        var problems: [String] = []
        var types: [String: String] = [:]
        let entries = root["entry"]?.arrayValue ?? []
        for (index, entry) in entries.enumerated() {
            guard let fullUrl = entry["fullUrl"]?.stringValue else {
                problems.append("entry \(index) has no fullUrl")
                continue
            }
            guard let type = entry["resource"]?["resourceType"]?.stringValue else {
                problems.append("entry \(fullUrl) has no resource type")
                continue
            }
            if types[fullUrl] != nil { problems.append("fullUrl \(fullUrl) is used by more than one entry") }
            types[fullUrl] = type
        }
        for entry in entries {
            guard let resource = entry["resource"], let type = resource["resourceType"]?.stringValue else { continue }
            var found: [(path: String, reference: String)] = []
            collect(resource, path: type, into: &found)
            let source = entry["fullUrl"]?.stringValue ?? "?"
            for (path, reference) in found {
                if let problem = check(path: path, reference: reference, types: types) {
                    problems.append("\(source) \(problem)")
                }
            }
        }
        return problems
    }

    private static func check(path: String, reference: String, types: [String: String]) -> String? {
        guard let target = resolve(reference, types) else {
            return "\(path) → \(reference): no entry of the Bundle has this fullUrl"
        }
        guard let rule = allowedTargets[path] else {
            return "\(path) → \(reference): no rule for this element (the checker's table needs it)"
        }
        if let allowed = rule, !allowed.contains(target) {
            return "\(path) → \(reference): a \(target), but R4 allows only \(allowed.sorted().joined(separator: ", "))"
        }
        return nil
    }

    /// The resource type of the entry `reference` names: its fullUrl, or `Type/id` matching a fullUrl's end.
    private static func resolve(_ reference: String, _ types: [String: String]) -> String? {
        if let type = types[reference] { return type }
        guard !reference.hasPrefix("urn:"), reference.contains("/") else { return nil }
        return types.first { $0.key.hasSuffix("/" + reference) }?.value
    }

    private static func collect(_ node: JSONNode, path: String, into found: inout [(path: String, reference: String)]) {
        switch node {
        case .object(let members):
            if let reference = members["reference"]?.stringValue { found.append((path, reference)) }
            for (key, value) in members where key != "reference" {
                collect(value, path: path + "." + key, into: &found)
            }
        case .array(let elements):
            for element in elements { collect(element, path: path, into: &found) }
        default:
            break
        }
    }
}
