import Candidacy
import Findings
import Foundation
import SpineModel
import AnnulusRecords

/// Inputs for the export tests: one lumbar MR study with signed (and optionally draft) findings.
enum Fixture {
    static let studyUID = "1.2.826.0.1.3680043.8.498.10001"
    static let exportTime = Date(timeIntervalSince1970: 1_772_971_200)  // 2026-03-08T12:00:00Z

    static let study = StudySummary(
        studyInstanceUID: studyUID, accessionNumber: "ACC-MR-0001", studyDate: "20260301", studyTime: "101500",
        studyDescription: "MR lumbar spine", patientID: "PAT-0001", modalities: ["MR"], seriesCount: 2,
        instanceCount: 30, draftAnnotations: 1, signedAnnotations: 3, retractedAnnotations: 0, lastIndexedAt: nil)

    static let series = [
        SeriesSummary(
            seriesInstanceUID: studyUID + ".1", studyInstanceUID: studyUID, modality: "MR", seriesNumber: 1,
            seriesDescription: "SAG T2", instanceCount: 15, frameCount: 15),
        SeriesSummary(
            seriesInstanceUID: studyUID + ".2", studyInstanceUID: studyUID, modality: "MR", seriesNumber: 2,
            seriesDescription: "AX T2", instanceCount: 15, frameCount: 15),
    ]

    static let fissure = LevelAnnotation(
        level: .L4L5, numberingBasis: .fromSacrum,
        finding: .annularFissure(
            AnnularFissure(type: .radial, zones: [.central, .subarticular], side: .left, thickness: .full)),
        note: "re-read on axial T2")
    static let hiz = LevelAnnotation(
        level: .L4L5, finding: .hiz(HighIntensityZone(present: true, position: .posterior, side: .midline)))
    static let pfirrmann = LevelAnnotation(level: .L5S1, finding: .pfirrmann(Pfirrmann(grade: .IV)))
    static let transitional = LevelAnnotation(
        level: .L5L6, numberingBasis: .fromC2, finding: .pfirrmann(Pfirrmann(grade: .II)))

    static func signed(_ id: String, _ annotation: LevelAnnotation, by signer: String = "dr.okafor")
        -> AnnotationVersion
    {
        AnnotationVersion(
            annotationID: id, version: 2, studyUID: studyUID, seriesUID: studyUID + ".1", sopInstanceUID: nil,
            frame: nil, level: annotation.level.name, findingKind: annotation.finding.kind.rawValue,
            payload: annotation.encodedJSON(), status: .signed, author: signer, reason: nil,
            createdAt: "2026-03-07T09:00:00.000Z", signedBy: signer, signedAt: "2026-03-07T09:00:00.000Z")
    }

    static func draft(_ id: String, _ annotation: LevelAnnotation) -> AnnotationVersion {
        AnnotationVersion(
            annotationID: id, version: 1, studyUID: studyUID, seriesUID: nil, sopInstanceUID: nil, frame: nil,
            level: annotation.level.name, findingKind: annotation.finding.kind.rawValue,
            payload: annotation.encodedJSON(), status: .draft, author: "dr.rivera", reason: nil,
            createdAt: "2026-03-08T08:30:00.125Z", signedBy: nil, signedAt: nil)
    }

    static let signedAnnotations = [
        signed("0b7c2a9e-1111-4c1e-9a53-000000000001", fissure),
        signed("0b7c2a9e-1111-4c1e-9a53-000000000002", hiz, by: "dr.rivera"),
        signed("0b7c2a9e-1111-4c1e-9a53-000000000003", pfirrmann),
    ]
    static let draftAnnotation = draft("0b7c2a9e-1111-4c1e-9a53-000000000004", transitional)

    static func evaluation(_ annotations: [AnnotationVersion], includesDrafts: Bool) -> Evaluation {
        var levels: [DiscLevel: [Finding]] = [:]
        for version in annotations {
            let annotation = try! LevelAnnotation.decode(version.payload)
            levels[annotation.level, default: []].append(annotation.finding)
        }
        return CandidacyEngine.evaluate(
            intake: nil, levels: levels, rules: RuleSet.default, includesDrafts: includesDrafts)
    }

    /// Signed findings only, with an evaluation.
    static var signedInput: ExportInput { input(signedAnnotations, includesDrafts: false) }
    /// Signed findings and one draft at the transitional L5-L6, with an evaluation.
    static var draftInput: ExportInput { input(signedAnnotations + [draftAnnotation], includesDrafts: true) }
    /// Signed findings, no evaluation.
    static var noEvaluationInput: ExportInput {
        var value = signedInput
        value.evaluation = nil
        return value
    }

    static func input(_ annotations: [AnnotationVersion], includesDrafts: Bool) -> ExportInput {
        ExportInput(
            study: study, patientID: "PAT-0001", series: series, annotations: annotations,
            includesDrafts: includesDrafts, evaluation: evaluation(annotations, includesDrafts: includesDrafts),
            softwareVersion: "0.9.0", exportedAt: exportTime)
    }

    /// The patient's fluoroscopy study with a discography at L4-L5 (signed, or a draft).
    static let fluoroscopyUID = "1.2.826.0.1.3680043.8.498.10002"
    static func discography(signed isSigned: Bool) -> SupportingStudy {
        let study = StudySummary(
            studyInstanceUID: fluoroscopyUID, accessionNumber: "ACC-RF-0001", studyDate: "20260305",
            studyTime: "090000", studyDescription: "Discography L4-L5", patientID: "PAT-0001", modalities: ["RF"],
            seriesCount: 1, instanceCount: 1, draftAnnotations: isSigned ? 0 : 1, signedAnnotations: isSigned ? 1 : 0,
            retractedAnnotations: 0, lastIndexedAt: nil)
        let series = SeriesSummary(
            seriesInstanceUID: fluoroscopyUID + ".1", studyInstanceUID: fluoroscopyUID, modality: "RF",
            seriesNumber: 1, seriesDescription: "Discography cine", instanceCount: 1, frameCount: 40)
        let annotation = LevelAnnotation(
            level: .L4L5,
            finding: .discography(
                Discography(
                    grade: .grade3, response: .concordant, pain: 7, pressure: 22, volume: 1.5,
                    imagingDescription: "contrast to the outer third posteriorly, no epidural leak")))
        var version =
            isSigned
            ? signed("0b7c2a9e-2222-4c1e-9a53-000000000001", annotation)
            : draft("0b7c2a9e-2222-4c1e-9a53-000000000001", annotation)
        version.studyUID = fluoroscopyUID
        version.seriesUID = series.seriesInstanceUID
        return SupportingStudy(study: study, series: [series], annotations: [version])
    }

    /// Signed MR findings and the signed discography of the patient's fluoroscopy study, with an evaluation.
    static var supportedInput: ExportInput {
        let supporting = discography(signed: true)
        var value = input(signedAnnotations, includesDrafts: false)
        value.supportingStudies = [supporting]
        value.evaluation = evaluation(signedAnnotations + supporting.annotations, includesDrafts: false)
        return value
    }

    /// The signed HIZ's retraction (version 3, by dr.rivera, with a reason).
    static var hizRetraction: AnnotationVersion {
        var version = signedAnnotations[1]
        version.version = 3
        version.status = .retracted
        version.author = "dr.rivera"
        version.reason = "artefact, not an HIZ"
        version.createdAt = "2026-03-08T10:00:00.000Z"
        version.signedBy = nil
        version.signedAt = nil
        return version
    }

    /// The fissure and Pfirrmann signed, the HIZ retracted after an earlier export.
    static var retractedInput: ExportInput {
        let kept = [signedAnnotations[0], signedAnnotations[2]]
        var value = input(kept, includesDrafts: false)
        value.annotations = kept + [hizRetraction]
        return value
    }

    static var allInputs: [(name: String, input: ExportInput)] {
        [
            ("signed", signedInput), ("draft", draftInput), ("no-evaluation", noEvaluationInput),
            ("supporting-study", supportedInput), ("retracted", retractedInput),
        ]
    }
}

/// Reading the built JSON in tests.
enum BundleJSON {
    static func object(_ data: Data) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
    }

    static func resources(_ bundle: Data, type: String) -> [[String: Any]] {
        entries(bundle).compactMap { $0["resource"] as? [String: Any] }.filter {
            $0["resourceType"] as? String == type
        }
    }

    static func entries(_ bundle: Data) -> [[String: Any]] {
        object(bundle)["entry"] as? [[String: Any]] ?? []
    }

    static func identifierValue(_ resource: [String: Any]) -> String? {
        ((resource["identifier"] as? [[String: Any]])?.first)?["value"] as? String
    }
}
