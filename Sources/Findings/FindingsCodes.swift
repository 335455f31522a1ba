/// The code systems, identifier systems and local codes of the exports.
///
/// Standard codes are only those of DOMAIN.md §6 and §2. Everything else is a code of the local CodeSystem
/// `https://annulus.example/fhir/CodeSystem/spine-findings` (stable: never reuse a code with another meaning):
///
/// - finding kinds, by their JSON name: `annular-fissure`, `hiz`, `pfirrmann`, `modic`, `contour`, … (`Observation.code`);
/// - finding fields, as `<kind>.<field>`: `annular-fissure.zones`, `hiz.side`, `pfirrmann.grade` (`component.code`);
/// - field values without a standard code, as `<kind>.<field>.<value>`: `annular-fissure.type.radial`;
/// - `candidacy` (the candidacy Observation), `candidacy.level` (its per-level component) and the outcomes
///   `candidate`, `not-candidate`, `needs-more-information`, `urgent-review`.
///
/// Identifiers of Annulus's own resources use the system `https://annulus.example/fhir/identifier`: the
/// annotation id for a finding Observation, `candidacy-<StudyInstanceUID>`, `report-<StudyInstanceUID>` and
/// `annulus-<version>` for the Device.
public enum FindingsCodes {
    /// The local CodeSystem of Annulus's spine-finding codes.
    public static let localSystem = "https://annulus.example/fhir/CodeSystem/spine-findings"
    /// The identifier system of resources Annulus creates (Observations, DiagnosticReport, Device).
    public static let identifierSystem = "https://annulus.example/fhir/identifier"
    /// The default system of the DICOM Patient ID when the caller knows no issuer.
    public static let patientIDSystem = "https://annulus.example/fhir/identifier/dicom-patient-id"
    /// SNOMED CT.
    public static let snomed = "http://snomed.info/sct"
    /// LOINC.
    public static let loinc = "http://loinc.org"
    /// RadElement (RSNA common data elements).
    public static let radElement = "http://radelement.org"
    /// DICOM controlled terminology.
    public static let dicom = "http://dicom.nema.org/resources/ontology/DCM"
    /// HL7 observation categories.
    public static let observationCategory = "http://terminology.hl7.org/CodeSystem/observation-category"
    /// HL7 v2 table 0203 (identifier types).
    public static let identifierType = "http://terminology.hl7.org/CodeSystem/v2-0203"
    /// The DICOM UID identifier system (value `urn:oid:<uid>`).
    public static let dicomUID = "urn:dicom:uid"
    /// The namespace of the name-based (v5) UUIDs of the Bundle's fullUrls.
    public static let uuidNamespace = "https://annulus.example/fhir"

    /// SNOMED CT codes of finding values (DOMAIN.md §6), keyed by `<field>.<value>`.
    static let snomedValues: [String: (code: String, display: String)] = [
        "side.left": ("7771000", "Left"),
        "side.right": ("24028007", "Right"),
        "zones.central": ("26216008", "Central"),
        "position.posterior": ("255551008", "Posterior"),
        "present.yes": ("52101004", "Present"),
        "present.no": ("2667000", "Absent"),
    ]
}
