/// The clinical intake for one patient. Every field is optional: `nil` means unknown, and unknown never counts
/// as met.
///
/// JSON shape (stable; unknown fields omitted; `odi` is written for readers and recomputed, never trusted, on
/// reading):
/// ```json
/// {"region": "lumbar", "age": 45, "painDurationMonths": 14,
///  "backPain": {"scale": "vas", "value": 70}, "legPain": {"scale": "nrs", "value": 3}, "legPainRadicular": false,
///  "odiItems": [2, 3, 2, 1, 3, 2, 2, 1, 0, null], "odi": {"percent": 40, "itemsAnswered": 9, "itemCount": 10},
///  "rmdq": 12, "ndi": 30,
///  "conservativeCare": [{"kind": "physical-therapy", "weeks": 12, "lastingRelief": false}],
///  "medialBranchBlock": "negative", "fitForOutpatientProcedure": true,
///  "redFlags": {"activeInfection": false, "tumour": false, "acuteFracture": false, "caudaEquinaSigns": false},
///  "priorSurgery": {"had": true, "levels": ["L5-S1"]}, "prefersNonSurgical": true}
/// ```
public struct Intake: Sendable, Equatable {
    /// The region of the spine the complaint concerns.
    public enum Region: String, Codable, Sendable, Hashable, CaseIterable {
        /// Low back.
        case lumbar
        /// Neck.
        case cervical
    }

    /// Result of a medial branch or facet block.
    public enum BlockResult: String, Codable, Sendable, Hashable, CaseIterable {
        /// The block relieved the pain (points to the facet joints).
        case positive
        /// The block did not relieve the pain.
        case negative
        /// No block was done.
        case notDone = "not-done"
    }

    /// The number of items of the Oswestry Disability Index.
    public static let odiItemCount = 10

    /// Accepted ages, years.
    public static let ageRange = 0...120
    /// Accepted pain durations, months (up to a lifetime of 100 years).
    public static let painMonthsRange: ClosedRange<Double> = 0...1200
    /// Accepted Roland-Morris scores.
    public static let rmdqRange = 0...24
    /// Accepted Neck Disability Index values, percent.
    public static let ndiRange: ClosedRange<Double> = 0...100
    /// Accepted durations of one conservative-care attempt, weeks (up to 50 years).
    public static let careWeeksRange: ClosedRange<Double> = 0...2600
    /// The most conservative-care attempts recorded in one intake.
    public static let maxCareAttempts = 50

    /// Lumbar or cervical.
    public var region: Region?
    /// Age, years.
    public var age: Int?
    /// How long the pain has lasted, months.
    public var painDurationMonths: Double?
    /// Back (or neck) pain.
    public var backPain: PainScore?
    /// Leg (or arm) pain.
    public var legPain: PainScore?
    /// Whether the leg pain is radicular.
    public var legPainRadicular: Bool?
    /// The ten Oswestry items, 0–5 each, `nil` for an unanswered item; `nil` when the ODI was not taken.
    public var odiItems: [Int?]?
    /// Roland-Morris Disability Questionnaire, 0–24.
    public var rmdq: Int?
    /// Neck Disability Index, percent 0–100.
    public var ndi: Double?
    /// Every conservative-care attempt; `nil` when not recorded, empty when none was tried.
    public var conservativeCare: [CareAttempt]?
    /// Medial branch or facet block result.
    public var medialBranchBlock: BlockResult?
    /// Fit for an outpatient procedure under local anaesthesia.
    public var fitForOutpatientProcedure: Bool?
    /// Red flags.
    public var redFlags: RedFlags
    /// Prior spine surgery.
    public var priorSurgery: PriorSurgery
    /// Prefers a non-surgical option.
    public var prefersNonSurgical: Bool?

    /// Creates an intake; every field defaults to unknown.
    public init(
        region: Region? = nil, age: Int? = nil, painDurationMonths: Double? = nil, backPain: PainScore? = nil,
        legPain: PainScore? = nil, legPainRadicular: Bool? = nil, odiItems: [Int?]? = nil, rmdq: Int? = nil,
        ndi: Double? = nil, conservativeCare: [CareAttempt]? = nil, medialBranchBlock: BlockResult? = nil,
        fitForOutpatientProcedure: Bool? = nil, redFlags: RedFlags = RedFlags(),
        priorSurgery: PriorSurgery = PriorSurgery(), prefersNonSurgical: Bool? = nil
    ) {
        self.region = region
        self.age = age
        self.painDurationMonths = painDurationMonths
        self.backPain = backPain
        self.legPain = legPain
        self.legPainRadicular = legPainRadicular
        self.odiItems = odiItems
        self.rmdq = rmdq
        self.ndi = ndi
        self.conservativeCare = conservativeCare
        self.medialBranchBlock = medialBranchBlock
        self.fitForOutpatientProcedure = fitForOutpatientProcedure
        self.redFlags = redFlags
        self.priorSurgery = priorSurgery
        self.prefersNonSurgical = prefersNonSurgical
    }

    /// The Oswestry Disability Index computed from the answered items; `nil` when none is answered.
    public var odi: DisabilityScore? { odiItems.flatMap(DisabilityScore.oswestry(items:)) }

    /// Checks every range and the consistency between fields.
    public func validate() throws(IntakeError) {
        if let age, !Self.ageRange.contains(age) {
            throw IntakeError(
                field: "age", value: String(age),
                message: Self.rangeMessage(what: "age", range: Self.ageRange, unit: "years", got: nil))
        }
        if let painDurationMonths, !(painDurationMonths.isFinite && Self.painMonthsRange.contains(painDurationMonths)) {
            throw IntakeError(
                field: "pain-months", value: FactValue.format(painDurationMonths),
                message: Self.rangeMessage(what: "pain-months", range: Self.painMonthsRange, unit: "months", got: nil))
        }
        try backPain?.validate(field: "back-pain")
        try legPain?.validate(field: "leg-pain")
        if let odiItems {
            guard odiItems.count == Self.odiItemCount else {
                throw IntakeError(
                    field: "odi", value: "\(odiItems.count) items",
                    message: "the Oswestry Disability Index has exactly 10 items (write - for an unanswered one)")
            }
            for (index, item) in odiItems.enumerated() {
                if let item, !(0...5).contains(item) {
                    throw IntakeError(
                        field: "odi", value: String(item), message: "ODI item \(index + 1) is scored 0 to 5")
                }
            }
        }
        if let rmdq, !Self.rmdqRange.contains(rmdq) {
            throw IntakeError(
                field: "rmdq", value: String(rmdq),
                message: Self.rangeMessage(what: "rmdq", range: Self.rmdqRange, unit: "points", got: nil))
        }
        if let ndi, !(ndi.isFinite && Self.ndiRange.contains(ndi)) {
            throw IntakeError(
                field: "ndi", value: FactValue.format(ndi),
                message: Self.rangeMessage(what: "ndi", range: Self.ndiRange, unit: "%", got: nil))
        }
        if let care = conservativeCare, care.count > Self.maxCareAttempts {
            throw IntakeError(
                field: "care", value: "\(care.count) attempts",
                message: "at most \(Self.maxCareAttempts) conservative-care attempts are recorded")
        }
        for attempt in conservativeCare ?? [] {
            if let weeks = attempt.weeks, !(weeks.isFinite && Self.careWeeksRange.contains(weeks)) {
                throw IntakeError(
                    field: "care", value: FactValue.format(weeks),
                    message: Self.rangeMessage(
                        what: "weeks of care", range: Self.careWeeksRange, unit: "weeks", got: nil))
            }
        }
        if priorSurgery.had == false, !priorSurgery.levels.isEmpty {
            throw IntakeError(
                field: "prior-surgery-levels", value: priorSurgery.levels.map(\.rawValue).joined(separator: ","),
                message: "levels are recorded but prior-surgery=no: set prior-surgery=yes or drop the levels")
        }
    }
}

extension Intake: Codable {
    private enum CodingKeys: String, CodingKey {
        case region, age, painDurationMonths, backPain, legPain, legPainRadicular, odiItems, odi, rmdq, ndi
        case conservativeCare, medialBranchBlock, fitForOutpatientProcedure, redFlags, priorSurgery
        case prefersNonSurgical
    }

    /// Decodes the JSON form and validates it; `odi` is ignored (recomputed from `odiItems`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            region: try container.decodeIfPresent(Region.self, forKey: .region),
            age: try container.decodeIfPresent(Int.self, forKey: .age),
            painDurationMonths: try container.decodeIfPresent(Double.self, forKey: .painDurationMonths),
            backPain: try container.decodeIfPresent(PainScore.self, forKey: .backPain),
            legPain: try container.decodeIfPresent(PainScore.self, forKey: .legPain),
            legPainRadicular: try container.decodeIfPresent(Bool.self, forKey: .legPainRadicular),
            odiItems: try container.decodeIfPresent([Int?].self, forKey: .odiItems),
            rmdq: try container.decodeIfPresent(Int.self, forKey: .rmdq),
            ndi: try container.decodeIfPresent(Double.self, forKey: .ndi),
            conservativeCare: try container.decodeIfPresent([CareAttempt].self, forKey: .conservativeCare),
            medialBranchBlock: try container.decodeIfPresent(BlockResult.self, forKey: .medialBranchBlock),
            fitForOutpatientProcedure: try container.decodeIfPresent(Bool.self, forKey: .fitForOutpatientProcedure),
            redFlags: try container.decodeIfPresent(RedFlags.self, forKey: .redFlags) ?? RedFlags(),
            priorSurgery: try container.decodeIfPresent(PriorSurgery.self, forKey: .priorSurgery) ?? PriorSurgery(),
            prefersNonSurgical: try container.decodeIfPresent(Bool.self, forKey: .prefersNonSurgical)
        )
        try validate()
    }

    /// Encodes the JSON form, unknown fields omitted, with the computed `odi`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(region, forKey: .region)
        try container.encodeIfPresent(age, forKey: .age)
        try container.encodeIfPresent(painDurationMonths, forKey: .painDurationMonths)
        try container.encodeIfPresent(backPain, forKey: .backPain)
        try container.encodeIfPresent(legPain, forKey: .legPain)
        try container.encodeIfPresent(legPainRadicular, forKey: .legPainRadicular)
        try container.encodeIfPresent(odiItems, forKey: .odiItems)
        try container.encodeIfPresent(odi, forKey: .odi)
        try container.encodeIfPresent(rmdq, forKey: .rmdq)
        try container.encodeIfPresent(ndi, forKey: .ndi)
        try container.encodeIfPresent(conservativeCare, forKey: .conservativeCare)
        try container.encodeIfPresent(medialBranchBlock, forKey: .medialBranchBlock)
        try container.encodeIfPresent(fitForOutpatientProcedure, forKey: .fitForOutpatientProcedure)
        if !redFlags.isEmpty { try container.encode(redFlags, forKey: .redFlags) }
        if !priorSurgery.isEmpty { try container.encode(priorSurgery, forKey: .priorSurgery) }
        try container.encodeIfPresent(prefersNonSurgical, forKey: .prefersNonSurgical)
    }
}
