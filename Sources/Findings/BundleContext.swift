import Foundation
import Store

/// The fullUrls, identifiers and shared pieces of one Bundle.
struct BundleContext {
    let input: ExportInput
    let annotations: [ExportedAnnotation]
    let studyUID: String
    let patientURL: String
    let deviceURL: String
    let studyURL: String
    let candidacyURL: String
    let reportURL: String
    let provenanceURL: String

    init(_ input: ExportInput) {
        self.input = input
        annotations = input.exportedAnnotations.map(ExportedAnnotation.init)
        studyUID = input.study.studyInstanceUID
        patientURL = NameBasedUUID.urn("Patient|\(input.patientIDSystem)|\(input.patientID)")
        deviceURL = NameBasedUUID.urn("Device|annulus-\(input.softwareVersion)")
        studyURL = NameBasedUUID.urn("ImagingStudy|\(studyUID)")
        candidacyURL = NameBasedUUID.urn("Observation|\(studyUID)|candidacy")
        reportURL = NameBasedUUID.urn("DiagnosticReport|\(studyUID)")
        provenanceURL = NameBasedUUID.urn("Provenance|\(studyUID)|\(input.exportedAtText)")
    }

    /// The finding Observation's fullUrl.
    func observationURL(_ annotation: ExportedAnnotation) -> String {
        NameBasedUUID.urn(
            "Observation|\(studyUID)|\(annotation.version.annotationID)|\(annotation.levelName)|\(annotation.kindName)")
    }

    var candidacyIdentifier: String { "candidacy-\(studyUID)" }
    var reportIdentifier: String { "report-\(studyUID)" }
    var deviceIdentifier: String { "annulus-\(input.softwareVersion)" }

    /// `preliminary` until every exported annotation is signed, then `final`.
    var reportStatus: String { input.isFullySigned ? "final" : "preliminary" }

    /// A literal reference to a Bundle entry.
    static func reference(_ url: String) -> JSONNode { ["reference": .string(url)] }

    /// An identifier of Annulus's system.
    static func ownIdentifier(_ value: String) -> JSONNode {
        ["system": .string(FindingsCodes.identifierSystem), "value": .string(value)]
    }

    /// A Coding.
    static func coding(_ system: String, _ code: String, _ display: String? = nil) -> JSONNode {
        .compact(["system": .string(system), "code": .string(code), "display": display.map(JSONNode.string)])
    }

    /// `identifier=<system>|<value>` with characters outside a URL's safe set percent-encoded.
    static func identifierQuery(_ system: String, _ value: String) -> String {
        "identifier=" + encode(system) + "|" + encode(value)
    }

    private static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~:/@")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
