import SpineModel

/// The fact vocabulary: every name a rule condition may read, with its scope, type and meaning.
///
/// Patient facts (`intake.*`, `patient.*`) come from the intake and from counts over the evaluated levels;
/// level facts (`level.*`) come from that level's findings. A fact that was not recorded is unknown.
public enum FactCatalog {
    /// Every fact, patient facts first.
    public static let all: [FactDefinition] = patientFacts + levelFacts

    /// The definition of `name`, if it is in the vocabulary.
    public static func definition(named name: String) -> FactDefinition? { byName[name] }

    /// Every fact name, in catalogue order.
    public static var names: [String] { all.map(\.name) }

    private static let byName: [String: FactDefinition] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.name, $0) })

    private static func patient(_ name: String, _ type: FactDefinition.ValueType, _ meaning: String)
        -> FactDefinition
    {
        FactDefinition(name: name, scope: .patient, type: type, meaning: meaning)
    }

    private static func level(_ name: String, _ type: FactDefinition.ValueType, _ meaning: String)
        -> FactDefinition
    {
        FactDefinition(name: name, scope: .level, type: type, meaning: meaning)
    }

    static let careKinds = CareAttempt.Kind.allCases.map(\.rawValue)
    static let redFlagWords = RedFlagAnswer.allCases.map(\.rawValue)
    static let surgeryKinds = PriorProcedure.Kind.allCases.map(\.rawValue)

    static let patientFacts: [FactDefinition] = [
        patient("intake.region", .text(Intake.Region.allCases.map(\.rawValue)), "the region the intake is about"),
        patient("intake.age", .number, "age in years"),
        patient("intake.painDurationMonths", .number, "how long the pain has lasted, months"),
        patient("intake.backPain100", .number, "back pain on 0–100 (VAS as given, NRS × 10)"),
        patient("intake.legPain100", .number, "leg pain on 0–100 (VAS as given, NRS × 10)"),
        patient("intake.legPainRadicular", .bool, "whether the leg pain is radicular"),
        patient(
            "intake.legPainExceedsBackPain", .bool,
            "leg pain above back pain on the 0–100 scale; unknown unless both are recorded"),
        patient("intake.neckPain100", .number, "neck pain on 0–100 (VAS as given, NRS × 10)"),
        patient("intake.armPain100", .number, "arm pain on 0–100 (VAS as given, NRS × 10)"),
        patient("intake.armPainRadicular", .bool, "whether the arm pain is radicular"),
        patient(
            "intake.armPainExceedsNeckPain", .bool,
            "arm pain above neck pain on the 0–100 scale; unknown unless both are recorded"),
        patient(
            "intake.odi", .number,
            "Oswestry Disability Index 0–100: the total as scored, or sum / (5 × items answered) × 100 from the "
                + "items; unknown when neither is recorded"),
        patient(
            "intake.odiItemsAnswered", .number,
            "how many of the ten ODI items are answered (0–10); unknown when the ODI was entered as a total"),
        patient("intake.rmdq", .number, "Roland-Morris Disability Questionnaire total, 0–24"),
        patient(
            "intake.ndi", .number,
            "Neck Disability Index, percent 0–100: the total as scored, or from the ten items as for the ODI"),
        patient(
            "intake.conservativeCareWeeksWithoutLastingRelief", .number,
            "weeks of conservative care (all attempts added up) that brought no lasting relief; 0 when care=none "
                + "was recorded; a lower bound (settles `>=` only when reached) when an attempt's weeks or relief "
                + "is unknown; unknown when no care is recorded"),
        patient("intake.conservativeCareKinds", .set(careKinds), "the kinds of conservative care tried"),
        patient(
            "intake.epiduralSteroidLastingRelief", .bool,
            "whether any epidural steroid injection brought lasting relief; unknown when none is recorded"),
        patient(
            "intake.medialBranchBlock", .text(Intake.BlockResult.allCases.map(\.rawValue)),
            "medial branch or facet block result"),
        patient(
            "intake.fitForOutpatientProcedure", .bool,
            "general health adequate for an outpatient procedure under local anaesthesia"),
        patient("intake.redFlags.activeInfection", .text(redFlagWords), "active infection: yes, suspected or no"),
        patient("intake.redFlags.tumour", .text(redFlagWords), "tumour: yes, suspected or no"),
        patient("intake.redFlags.acuteFracture", .text(redFlagWords), "acute fracture: yes, suspected or no"),
        patient(
            "intake.redFlags.caudaEquinaSigns", .text(redFlagWords),
            "signs of cauda equina syndrome: yes, suspected or no"),
        patient("intake.priorSurgery", .bool, "prior spine surgery"),
        patient(
            "intake.priorSurgeryLevels", .set(DiscLevel.allCases.map(\.rawValue)),
            "the levels operated on, when recorded (none when prior-surgery=no)"),
        patient(
            "intake.priorSurgeryKinds", .set(surgeryKinds),
            "the kinds of prior operation recorded (none when prior-surgery=no)"),
        patient("intake.prefersNonSurgical", .bool, "prefers a non-surgical option"),
        patient(
            "patient.symptomaticLevelCount", .number,
            "evaluated levels with concordant provocation discography; a lower bound when a level has no "
                + "discography"),
        patient("patient.evaluatedLevelCount", .number, "how many levels are evaluated (levels with any finding)"),
    ]

    static let levelFacts: [FactDefinition] = [
        level("level.name", .text(DiscLevel.allCases.map(\.rawValue)), "the level's canonical name"),
        level("level.region", .text(SpineRegion.allCases.map(\.rawValue)), "cervical, thoracic or lumbar"),
        level(
            "level.fissure.present", .bool,
            "an annular fissure is recorded (MRI) or an annulargram shows a tear; no when only an annulargram "
                + "without a tear is recorded; otherwise unknown"),
        level(
            "level.fissure.types", .set(AnnularFissure.FissureType.allCases.map(\.rawValue)),
            "the types of the recorded fissures"),
        level("level.hiz.present", .bool, "a high-intensity zone is seen (yes if any HIZ finding says present)"),
        level("level.pfirrmann.grade", .number, "Pfirrmann grade 1–5 (the highest when graded more than once)"),
        level(
            "level.modic.types", .set(Modic.ChangeType.allCases.map(\.rawValue)),
            "the Modic types of the graded endplates (0, 1, 2, 3, 1/2, 1/3, 2/3, mixed)"),
        level(
            "level.contour.type", .text(DiscContour.ContourType.allCases.map(\.rawValue)),
            "the disc contour (the most severe when recorded more than once)"),
        level("level.contour.contained", .bool, "whether displaced material is contained (of that contour)"),
        level("level.instability.present", .bool, "instability (yes if any instability finding says present)"),
        level("level.spondylolisthesis.grade", .number, "Meyerding grade 0–5 (the highest)"),
        level(
            "level.stenosis.worstCanal", .text(Stenosis.Grade.allCases.map(\.rawValue)),
            "the most severe canal stenosis grade"),
        level(
            "level.stenosis.worstForaminal", .text(Stenosis.Grade.allCases.map(\.rawValue)),
            "the most severe foraminal stenosis grade, either side"),
        level(
            "level.stenosis.worstSubarticular", .text(Stenosis.Grade.allCases.map(\.rawValue)),
            "the most severe subarticular stenosis grade, either side"),
        level("level.heightLoss.percent", .number, "disc height loss, % of the adjacent normal disc (the highest)"),
        level(
            "level.discography.response", .text(Discography.Response.allCases.map(\.rawValue)),
            "the provocation response (the last recorded discography)"),
        level(
            "level.discography.dallasGrade", .number,
            "modified Dallas grade 0–4 (the last recorded discography; unknown when it has no grade)"),
        level("level.discography.pain", .number, "pain on injection 0–10 (the last recorded discography)"),
        level(
            "level.discography.pressure", .number,
            "psi above opening pressure at the response (the last recorded discography)"),
        level("level.discography.volume", .number, "contrast volume injected, mL (the last recorded discography)"),
        level(
            "level.discography.controlNegative", .bool,
            "an adjacent disc (one sharing a vertebra) was injected as a control and was negative (response none); "
                + "no when adjacent discs were injected and none was negative; from the control-negative field of a "
                + "version stored before 2026-12 when no adjacent disc was injected; otherwise unknown"),
        level("level.annulargram.tear", .bool, "whether an annulargram shows a tear (yes if any does)"),
        level(
            "level.priorSurgery.kinds", .set(surgeryKinds),
            "the kinds of prior operation at this level (none when it was not operated on); unknown when prior "
                + "surgery is recorded without levels or with an operation of unknown kind here"),
    ]
}

extension FactCatalog {
    /// The finding kinds whose records a level fact reads (`level.fissure.present`: annular fissures and
    /// annulargrams); empty for facts no finding records (`level.name`, `level.region`, and
    /// `level.priorSurgery.kinds`, which comes from the intake). A form uses it to lead from a missing fact to the
    /// finding that records it.
    public static func findingKinds(informing fact: String) -> [FindingKind] {
        let parts = fact.split(separator: ".")
        guard parts.count >= 2, parts[0] == "level" else { return [] }
        switch parts[1] {
        case "fissure": return [.annularFissure, .annulargram]
        case "hiz": return [.hiz]
        case "pfirrmann": return [.pfirrmann]
        case "modic": return [.modic]
        case "contour": return [.contour]
        case "instability": return [.instability]
        case "spondylolisthesis": return [.spondylolisthesis]
        case "stenosis": return [.stenosis]
        case "heightLoss": return [.heightLoss]
        case "discography": return [.discography]
        case "annulargram": return [.annulargram]
        default: return []
        }
    }

    /// The level facts that records of `kind` inform, in catalogue order.
    public static func levelFacts(informedBy kind: FindingKind) -> [String] {
        levelFacts.map(\.name).filter { findingKinds(informing: $0).contains(kind) }
    }
}
