import SpineModel

/// One field of the intake as a form offers it: the `key=value` key `Intake.apply(assignments:)` reads, what values
/// it takes (from the same enumerations and ranges the parser checks), where it sits in the intake document, and
/// the facts of the rule file it informs (so a "missing fact" can lead to the field that records it).
///
/// The reading room generates its intake form from these (GET /api/vocabulary), so the form cannot offer a value
/// the parser refuses.
public struct IntakeFieldSpec: Sendable, Equatable {
    /// What a field's value is.
    public enum Values: Sendable, Equatable {
        /// One word of `allowed`.
        case oneOf([String])
        /// yes or no.
        case yesNo
        /// A number within `range`, in `unit`; `wholeNumber` when fractions are refused.
        case number(ClosedRange<Double>, unit: String, wholeNumber: Bool)
        /// A pain score `SCALE:N` on one of `scales` (each 0 to its maximum), or `none`.
        case painScore(scales: [PainScore.Scale])
        /// A ten-item questionnaire: the total in percent (within `total`) or `items` scores 0…`itemMaximum`
        /// comma-separated (`-` for one not answered); the items are kept in the document under `itemsDocument`.
        case questionnaire(total: ClosedRange<Double>, items: Int, itemMaximum: Int, itemsDocument: String)
        /// Conservative-care attempts `KIND:WEEKS:RELIEF` (repeatable, at most `maxAttempts`; weeks or relief may
        /// be `?`), or `none` when none was tried.
        case care(kinds: [String], weeks: ClosedRange<Double>, maxAttempts: Int)
        /// Prior spine surgery: yes or no, and operations `KIND:LEVELS` (repeatable; levels comma-separated or
        /// left out when not known).
        case priorSurgery(kinds: [String], levels: [String])
    }

    /// The assignment key (`pain-months`); refusals name it as their field.
    public var key: String
    /// A short label for the form.
    public var label: String
    /// The form section: Patient, Pain, Disability, Treatment, Red flags.
    public var group: String
    /// One line of help: what to enter.
    public var help: String
    /// The values accepted.
    public var values: Values
    /// Where the field is in the intake document (dotted JSON keys, e.g. `redFlags.tumour`).
    public var document: String
    /// The rule facts it informs (`intake.painDurationMonths`).
    public var facts: [String]
}

extension Intake {
    /// Every intake field a form offers, in the documented order (docs/rules.md, "Intake").
    /// `prior-surgery-levels` is not listed: `prior-surgery` records operations with their levels.
    public static let fieldSpecs: [IntakeFieldSpec] = {
        let yesNoUnknown = "yes or no"
        let redFlag = RedFlagAnswer.allCases.map(\.rawValue)
        let pain = IntakeFieldSpec.Values.painScore(scales: PainScore.Scale.allCases)
        func disability(_ itemsDocument: String) -> IntakeFieldSpec.Values {
            .questionnaire(
                total: disabilityPercentRange, items: odiItemCount, itemMaximum: 5, itemsDocument: itemsDocument)
        }
        func spec(
            _ key: String, _ label: String, _ group: String, _ help: String, _ values: IntakeFieldSpec.Values,
            _ document: String, _ facts: [String]
        ) -> IntakeFieldSpec {
            IntakeFieldSpec(
                key: key, label: label, group: group, help: help, values: values, document: document,
                facts: facts.map { "intake." + $0 })
        }
        return [
            spec(
                "region", "Region", "Patient", "the region of the spine the complaint concerns",
                .oneOf(Region.allCases.map(\.rawValue)), "region", ["region"]),
            spec(
                "age", "Age", "Patient", "age in whole years",
                .number(Double(ageRange.lowerBound)...Double(ageRange.upperBound), unit: "years", wholeNumber: true),
                "age", ["age"]),
            spec(
                "pain-months", "Pain duration", "Pain", "how long the pain has lasted",
                .number(painMonthsRange, unit: "months", wholeNumber: false), "painDurationMonths",
                ["painDurationMonths"]),
            spec(
                "back-pain", "Back pain", "Pain", "VAS 0–100 or NRS 0–10 (read at thoracic and lumbar levels)", pain,
                "backPain", ["backPain100", "legPainExceedsBackPain"]),
            spec(
                "leg-pain", "Leg pain", "Pain", "VAS 0–100 or NRS 0–10", pain, "legPain",
                ["legPain100", "legPainExceedsBackPain"]),
            spec(
                "leg-radicular", "Leg pain radicular", "Pain", yesNoUnknown, .yesNo, "legPainRadicular",
                ["legPainRadicular"]),
            spec(
                "neck-pain", "Neck pain", "Pain", "VAS 0–100 or NRS 0–10 (read at cervical levels)", pain, "neckPain",
                ["neckPain100", "armPainExceedsNeckPain"]),
            spec(
                "arm-pain", "Arm pain", "Pain", "VAS 0–100 or NRS 0–10", pain, "armPain",
                ["armPain100", "armPainExceedsNeckPain"]),
            spec(
                "arm-radicular", "Arm pain radicular", "Pain", yesNoUnknown, .yesNo, "armPainRadicular",
                ["armPainRadicular"]),
            spec(
                "odi", "Oswestry Disability Index", "Disability",
                "the total as scored (%) or the ten item scores 0–5, comma-separated (- for one not answered)",
                disability("odiItems"), "odiTotal", ["odi", "odiItemsAnswered"]),
            spec(
                "rmdq", "Roland-Morris (RMDQ)", "Disability", "the questionnaire's total",
                .number(
                    Double(rmdqRange.lowerBound)...Double(rmdqRange.upperBound), unit: "points", wholeNumber: true),
                "rmdq", ["rmdq"]),
            spec(
                "ndi", "Neck Disability Index", "Disability", "as the ODI: the total (%) or the ten item scores",
                disability("ndiItems"), "ndi", ["ndi"]),
            spec(
                "care", "Conservative care", "Treatment",
                "each attempt: its kind, weeks, and whether it brought lasting relief; or none tried",
                .care(
                    kinds: CareAttempt.Kind.allCases.map(\.rawValue), weeks: careWeeksRange,
                    maxAttempts: maxCareAttempts),
                "conservativeCare",
                ["conservativeCareWeeksWithoutLastingRelief", "conservativeCareKinds", "epiduralSteroidLastingRelief"]),
            spec(
                "medial-branch-block", "Medial branch block", "Treatment", "the block's result",
                .oneOf(BlockResult.allCases.map(\.rawValue)), "medialBranchBlock", ["medialBranchBlock"]),
            spec(
                "fit", "Fit for an outpatient procedure", "Treatment", "under local anaesthesia", .yesNo,
                "fitForOutpatientProcedure", ["fitForOutpatientProcedure"]),
            spec(
                "infection", "Active infection", "Red flags", "yes, suspected or no", .oneOf(redFlag),
                "redFlags.activeInfection", ["redFlags.activeInfection"]),
            spec(
                "tumour", "Tumour", "Red flags", "yes, suspected or no", .oneOf(redFlag), "redFlags.tumour",
                ["redFlags.tumour"]),
            spec(
                "fracture", "Acute fracture", "Red flags", "yes, suspected or no", .oneOf(redFlag),
                "redFlags.acuteFracture", ["redFlags.acuteFracture"]),
            spec(
                "cauda-equina", "Cauda equina signs", "Red flags", "yes, suspected or no", .oneOf(redFlag),
                "redFlags.caudaEquinaSigns", ["redFlags.caudaEquinaSigns"]),
            spec(
                "prior-surgery", "Prior spine surgery", "Treatment",
                "yes or no; each operation with its kind and levels (leave the levels empty when not known)",
                .priorSurgery(
                    kinds: PriorProcedure.Kind.allCases.map(\.rawValue), levels: DiscLevel.allCases.map(\.rawValue)),
                "priorSurgery", ["priorSurgery", "priorSurgeryLevels", "priorSurgeryKinds"]),
            spec(
                "prefers-non-surgical", "Prefers a non-surgical option", "Treatment", yesNoUnknown, .yesNo,
                "prefersNonSurgical", ["prefersNonSurgical"]),
        ]
    }()
}
