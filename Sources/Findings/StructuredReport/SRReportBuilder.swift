import Candidacy
import Foundation
import SpineModel
import AnnulusRecords
import TextSafety

/// What the report builder needs to know about an image a finding was marked on (from the study index).
public struct SRImageFacts: Sendable, Equatable {
    /// SOP Class UID.
    public var sopClassUID: String
    /// Number of frames (a frame is referenced only in a multi-frame image).
    public var frames: Int

    /// Creates image facts.
    public init(sopClassUID: String, frames: Int) {
        self.sopClassUID = sopClassUID
        self.frames = frames
    }
}

/// Builds the content of a study's findings report (TID 1500) and key-object selection from an export's input.
///
/// One group per exported finding of the study (signed, and drafts when asked), with its tracking identifier
/// ("L4-L5 annular fissure"), a tracking UID derived from the annotation's id (stable across exports), the finding
/// and disc codes of `SRCodes`, its values as coded (or, for numbers and text, TEXT) qualitative evaluations, its
/// status and note, and where it was marked. The candidacy, per level with its reasons, and the disclaimer are
/// report-level TEXT evaluations, apart from the image findings; findings retracted since are listed as withdrawn.
/// Pure: identities and names come from the caller.
public struct SRReportBuilder: Sendable {
    /// The export's input (study, annotations, evaluation, time).
    public var input: ExportInput
    /// The DICOM person name (PN) of each author account, e.g. "Reader^Rita"; the account name when missing.
    public var personNames: [String: String]
    /// Facts about the anchored images, by SOP Instance UID; a finding on an image not listed is exported
    /// without its image region (and says so in a note).
    public var images: [String: SRImageFacts]
    /// The organization named with the observers.
    public var organization: String

    /// Creates a builder.
    public init(
        input: ExportInput, personNames: [String: String], images: [String: SRImageFacts], organization: String
    ) {
        self.input = input
        self.personNames = personNames
        self.images = images
        self.organization = organization
    }

    /// The UID of the software as device observer (`2.25.` and a name-based UUID of "annulus-device").
    public static let deviceUID = NameBasedUUID.dicomUID(name: "annulus-device")

    /// The report's content with the given identity.
    public func report(identity: SRDocumentIdentity) -> SRFindingsReport {
        let exported = input.exportedAnnotations.map(ExportedAnnotation.init)
        let groups = exported.map(group).map { group in
            var safe = group
            safe.trackingIdentifier = Self.dicomText(group.trackingIdentifier)
            safe.evaluations = group.evaluations.map(Self.dicomText)
            return safe
        }
        let authors = orderedUnique(exported.map { $0.version.signedBy ?? $0.version.author })
        return SRFindingsReport(
            identity: identity, observers: authors.map(personName), organization: organization,
            deviceUID: Self.deviceUID, deviceName: "Annulus", softwareVersion: input.softwareVersion,
            procedure: SRCodes.procedure, groups: groups, evaluations: reportEvaluations().map(Self.dicomText),
            verifiers: isVerified ? verifiers(exported) : [],
            completionDescription: "Every disc-level finding in this report is signed by a clinician",
            schemes: SRCodes.schemes)
    }

    /// The key images: every image a finding in the report was marked on, once, in report order.
    public func keyObjects(identity: SRDocumentIdentity) -> SRKeyObjects {
        let images = orderedUnique(
            input.exportedAnnotations.map(ExportedAnnotation.init).compactMap(region)
                .map(\.image))
        return SRKeyObjects(
            identity: identity,
            description: "Images with disc-level findings marked in Annulus "
                + (isVerified ? "(signed)" : "(preliminary: not all signed)"),
            images: images, softwareVersion: input.softwareVersion)
    }

    /// Whether the report is verified: every finding in it signed by a clinician (no drafts asked for).
    public var isVerified: Bool { input.isFullySigned && !input.includesDrafts }

    /// How many findings the report carries (one group each).
    public var findingCount: Int { input.exportedAnnotations.count }

    /// How many retracted findings the report lists as withdrawn.
    public var withdrawnCount: Int { input.annotations.filter(\.isRetracted).count }

    /// Whether the key-object selection has any image (a report of unanchored findings has none).
    public var hasKeyImages: Bool {
        input.exportedAnnotations.map(ExportedAnnotation.init).contains { region($0) != nil }
    }

    private func group(_ exported: ExportedAnnotation) -> SRFindingGroup {
        let version = exported.version
        var evaluations: [SREvaluation] = []
        if let annotation = exported.annotation {
            evaluations += Self.fieldEvaluations(annotation.finding)
            evaluations.append(SREvaluation(SRCodes.numbering, .code(SRCodes.numbering(annotation.numberingBasis))))
        } else {
            evaluations.append(
                SREvaluation(SRCodes.note, .text("finding not readable: \(exported.problem ?? "unknown")")))
        }
        evaluations.append(SREvaluation(SRCodes.status, .code(SRCodes.status(signed: version.isSigned))))
        if let signer = version.signedBy, let at = version.signedAt {
            evaluations.append(SREvaluation(SRCodes.signedBy, .text("\(signer) at \(at)")))
        }
        if let note = exported.annotation?.note, !note.isEmpty {
            evaluations.append(SREvaluation(SRCodes.note, .text(note)))
        }
        let region = region(exported)
        if region == nil, let anchor = exported.annotation?.anchor {
            evaluations.append(
                SREvaluation(SRCodes.note, .text("marked on image \(anchor.sopInstanceUID), which is not indexed")))
        }
        let kindTitle = exported.annotation?.finding.kind.title.lowercased() ?? exported.kindName
        return SRFindingGroup(
            trackingIdentifier: "\(exported.levelName) \(kindTitle)",
            trackingUID: NameBasedUUID.dicomUID(uuidText: version.annotationID)
                ?? NameBasedUUID.dicomUID(name: "annotation-" + version.annotationID),
            finding: exported.annotation.map { SRCodes.finding($0.finding.kind) }
                ?? SRCode(exported.kindName, SRCodes.localScheme, exported.kindName),
            site: exported.annotation.map { SRCodes.site($0.level) }
                ?? (try? DiscLevel.parse(exported.levelName)).map(SRCodes.site),
            region: region, evaluations: evaluations)
    }

    /// One evaluation per recorded value: coded for choices (a set one by one), TEXT for numbers and text.
    static func fieldEvaluations(_ finding: Finding) -> [SREvaluation] {
        let kind = finding.kind
        var result: [SREvaluation] = []
        for (name, value) in finding.fields {
            guard let spec = kind.fieldSpecs.first(where: { $0.name == name }) else { continue }
            let concept = SRCodes.field(kind, name)
            switch spec.values {
            case .yesNo, .oneOf:
                result.append(SREvaluation(concept, .code(SRCodes.value(kind, name, value))))
            case .setOf:
                for item in value.split(separator: ",") {
                    result.append(SREvaluation(concept, .code(SRCodes.value(kind, name, String(item)))))
                }
            case .number, .text:
                result.append(SREvaluation(concept, .text(value)))
            }
        }
        return result
    }

    private func region(_ exported: ExportedAnnotation) -> SRImageRegion? {
        guard let anchor = exported.annotation?.anchor, let facts = images[anchor.sopInstanceUID] else { return nil }
        let image = SRImageReference(
            seriesInstanceUID: anchor.seriesInstanceUID, sopClassUID: facts.sopClassUID,
            sopInstanceUID: anchor.sopInstanceUID, frame: facts.frames > 1 ? anchor.frame : nil)
        return SRImageRegion(image: image, points: anchor.points.map { (x: $0.x, y: $0.y) })
    }

    private func reportEvaluations() -> [SREvaluation] {
        var result: [SREvaluation] = []
        if let evaluation = input.evaluation {
            var patient = [evaluation.outcomeLine]
            if let statement = evaluation.draftsStatement { patient.append(statement) }
            patient += evaluation.notes
            patient += evaluation.patientReasons.map { "patient: " + FHIRObservations.line($0) }
            result.append(SREvaluation(SRCodes.candidacy, .text(patient.joined(separator: "\n"))))
            for level in evaluation.levels {
                var lines = ["\(level.level.name): \(level.outcome.rawValue)"]
                lines += level.notes
                lines += (level.reasons + level.cautions + level.supportive).map(FHIRObservations.line)
                if !level.missingFacts.isEmpty {
                    lines.append("missing: " + level.missingFacts.joined(separator: ", "))
                }
                result.append(SREvaluation(SRCodes.candidacyLevel, .text(lines.joined(separator: "\n"))))
            }
            result.append(SREvaluation(SRCodes.disclaimer, .text(evaluation.disclaimer)))
        }
        for retracted in input.annotations.filter(\.isRetracted) {
            let why = retracted.reason.map { ": \($0)" } ?? ""
            result.append(
                SREvaluation(
                    SRCodes.withdrawn,
                    .text(
                        "\(retracted.level) \(retracted.findingKind) (tracking UID "
                            + "\(NameBasedUUID.dicomUID(uuidText: retracted.annotationID) ?? retracted.annotationID))"
                            + " retracted by \(retracted.author) at \(retracted.createdAt)\(why)")))
        }
        return result
    }

    private func verifiers(_ exported: [ExportedAnnotation]) -> [SRVerifier] {
        var latest: [String: String] = [:]
        for version in exported.map(\.version) {
            guard let signer = version.signedBy, let at = version.signedAt else { continue }
            latest[signer] = max(latest[signer] ?? "", at)
        }
        return orderedUnique(exported.compactMap(\.version.signedBy)).map { signer in
            SRVerifier(
                name: personName(signer), organization: organization,
                dateTime: Self.dicomDateTime(latest[signer] ?? ""))
        }
    }

    private func personName(_ account: String) -> String { TerminalText.escaped(personNames[account] ?? account) }

    /// Text as DICOM's text VRs allow it: line feeds kept, every other control character (a BEL or TAB in a note,
    /// an ESC sequence) and the bidi overrides written as visible escapes (`\t`, `\e`, `\u{7}`), as for a terminal.
    static func dicomText(_ text: String) -> String { TerminalText.escapedLines(text) }

    /// An evaluation whose text, if any, is `dicomText`.
    static func dicomText(_ evaluation: SREvaluation) -> SREvaluation {
        guard case .text(let text) = evaluation.value else { return evaluation }
        return SREvaluation(evaluation.name, .text(dicomText(text)))
    }

    /// "2026-03-08T12:03:07.125Z" → "20260308120307" (UTC, as the timestamps are).
    static func dicomDateTime(_ iso: String) -> String {
        String(iso.filter(\.isNumber).prefix(14))
    }
}

/// The elements in order, each once.
func orderedUnique<T: Hashable>(_ items: [T]) -> [T] {
    var seen = Set<T>()
    return items.filter { seen.insert($0).inserted }
}
