import SpineModel

/// The codes of the DICOM SR export: the same concepts as the FHIR export (FindingsCodes), in DICOM's form.
///
/// Standard codes where DOMAIN.md has them (SNOMED CT discs and values, RadElement's Pfirrmann classification,
/// DICOM's own); everything else in the local scheme `99ANNULUS`, whose codes are those of the FHIR CodeSystem
/// `https://annulus.example/fhir/CodeSystem/spine-findings` (declared with that URL in the Coding Scheme
/// Identification Sequence).
public enum SRCodes {
    /// The local coding scheme designator ("99" marks a private scheme, PS3.16 §8.2).
    public static let localScheme = "99ANNULUS"
    /// RadElement's designator (RSNA common data elements).
    public static let radElementScheme = "RADELEMENT"

    /// The declarations of the schemes DICOM does not define.
    public static let schemes = [
        SRCodingScheme(
            designator: localScheme, name: "Annulus spine findings", url: FindingsCodes.localSystem,
            responsibleOrganization: "Annulus"),
        SRCodingScheme(
            designator: radElementScheme, name: "RadElement common data elements", url: FindingsCodes.radElement,
            responsibleOrganization: "RSNA"),
    ]

    /// Procedure reported: LOINC 18748-4 "Diagnostic imaging study".
    public static let procedure = SRCode("18748-4", "LN", "Diagnostic imaging study")
    /// RadElement RDES281, the concept name of the Pfirrmann grade.
    public static let pfirrmannClassification = SRCode("RDES281", radElementScheme, "Pfirrmann classification")
    /// The reader's free-text note on a finding.
    public static let note = SRCode("note", localScheme, "Reader note")
    /// Whether a finding is signed or a draft.
    public static let status = SRCode("annotation-status", localScheme, "Annotation status")
    /// Who signed a finding, and when.
    public static let signedBy = SRCode("signed-by", localScheme, "Signed by")
    /// How the level was counted (from C2, from the sacrum, unknown).
    public static let numbering = SRCode("level-numbering", localScheme, "Level numbering basis")
    /// The patient's candidacy (report level).
    public static let candidacy = SRCode("candidacy", localScheme, "Candidacy for intra-annular fibrin injection")
    /// The candidacy at one disc level, with its reasons (report level).
    public static let candidacyLevel = SRCode("candidacy.level", localScheme, "Candidacy at a disc level")
    /// The candidacy's disclaimer (report level).
    public static let disclaimer = SRCode("disclaimer", localScheme, "Disclaimer")
    /// A finding an earlier report carried that was retracted (report level).
    public static let withdrawn = SRCode("withdrawn", localScheme, "Withdrawn finding")

    /// The finding code of a kind: its JSON name in the local scheme.
    public static func finding(_ kind: FindingKind) -> SRCode { SRCode(kind.rawValue, localScheme, kind.title) }

    /// The disc: SNOMED CT (CID 7604), or the local `level.<name>` for a transitional level (no code exists).
    public static func site(_ level: DiscLevel) -> SRCode {
        let meaning = "\(level.name) intervertebral disc"
        if let code = level.snomedCode { return SRCode(code, "SCT", meaning) }
        return SRCode("level.\(level.name)", localScheme, meaning)
    }

    /// The concept name of a finding's field: `<kind>.<field>`, RadElement's for the Pfirrmann grade.
    public static func field(_ kind: FindingKind, _ name: String) -> SRCode {
        if kind == .pfirrmann && name == "grade" { return pfirrmannClassification }
        return SRCode("\(kind.rawValue).\(name)", localScheme, name)
    }

    /// The code of a field's value: SNOMED CT where DOMAIN.md has one, else `<kind>.<field>.<value>`.
    public static func value(_ kind: FindingKind, _ field: String, _ value: String) -> SRCode {
        if let standard = FindingsCodes.snomedValues["\(field).\(value)"] {
            return SRCode(standard.code, "SCT", standard.display)
        }
        return SRCode("\(kind.rawValue).\(field).\(value)", localScheme, value)
    }

    /// The code of an annotation status (`annotation-status.signed`, `annotation-status.draft`).
    public static func status(signed: Bool) -> SRCode {
        signed
            ? SRCode("annotation-status.signed", localScheme, "signed")
            : SRCode("annotation-status.draft", localScheme, "draft (not signed by a clinician)")
    }

    /// The code of a numbering basis (`level-numbering.from-C2`, …).
    public static func numbering(_ basis: LevelNumberingBasis) -> SRCode {
        SRCode("level-numbering.\(basis.rawValue)", localScheme, basis.rawValue)
    }
}
