import Foundation
import AnnulusRecords

/// The fullUrls, identifiers and shared pieces of one Bundle.
struct BundleContext {
    let input: ExportInput
    /// The study's own exported annotations.
    let annotations: [ExportedAnnotation]
    /// The supporting studies' exported annotations.
    let supportingAnnotations: [ExportedAnnotation]
    /// Retracted annotations (study and supporting studies), sent as entered-in-error.
    let retractedAnnotations: [ExportedAnnotation]
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
        supportingAnnotations = input.exportedSupportingAnnotations.map(ExportedAnnotation.init)
        retractedAnnotations = input.retractedAnnotations.map(ExportedAnnotation.init)
        studyUID = input.study.studyInstanceUID
        patientURL = NameBasedUUID.urn("Patient|\(input.patientIDSystem)|\(input.patientID)")
        deviceURL = NameBasedUUID.urn("Device|annulus-\(input.softwareVersion)")
        studyURL = Self.studyURL(studyUID)
        candidacyURL = NameBasedUUID.urn("Observation|\(studyUID)|candidacy")
        reportURL = NameBasedUUID.urn("DiagnosticReport|\(studyUID)")
        provenanceURL = NameBasedUUID.urn("Provenance|\(studyUID)|\(input.exportedAtText)")
    }

    /// An ImagingStudy's fullUrl, the same in every export that carries the study.
    static func studyURL(_ studyUID: String) -> String {
        NameBasedUUID.urn("ImagingStudy|\(studyUID)")
    }

    /// The finding Observation's fullUrl (named by the annotation's own study, so the same in every export).
    func observationURL(_ annotation: ExportedAnnotation) -> String {
        let version = annotation.version
        return NameBasedUUID.urn(
            "Observation|\(version.studyUID)|\(version.annotationID)|\(annotation.levelName)|\(annotation.kindName)")
    }

    /// Every exported annotation: the study's own, then the supporting studies'.
    var allAnnotations: [ExportedAnnotation] { annotations + supportingAnnotations }

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
