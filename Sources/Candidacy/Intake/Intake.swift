/// The clinical intake for one patient. Every field is optional: `nil` means unknown, and unknown never counts
/// as met.
///
/// JSON shape (stable; unknown fields omitted; `odi` is written for readers and recomputed, never trusted, on
/// reading):
/// ```json
/// {"region": "lumbar", "age": 45, "painDurationMonths": 14,
///  "backPain": {"scale": "vas", "value": 70}, "legPain": {"scale": "nrs", "value": 3}, "legPainRadicular": false,
///  "neckPain": {"scale": "nrs", "value": 2}, "armPain": {"scale": "nrs", "value": 0}, "armPainRadicular": false,
///  "odiItems": [2, 3, 2, 1, 3, 2, 2, 1, 0, null], "odi": {"percent": 40, "itemsAnswered": 9, "itemCount": 10},
///  "rmdq": 12, "ndi": 30,
///  "conservativeCare": [{"kind": "physical-therapy", "weeks": 12, "lastingRelief": false}],
///  "medialBranchBlock": "negative", "fitForOutpatientProcedure": true,
///  "redFlags": {"activeInfection": "no", "tumour": "suspected", "acuteFracture": "no", "caudaEquinaSigns": "no"},
///  "priorSurgery": {"had": true, "procedures": [{"kind": "discectomy", "level": "L5-S1"}]},
///  "prefersNonSurgical": true}
/// ```
///
/// A disability questionnaire is recorded either item by item (`odiItems`, `ndiItems`) or as the total the
/// clinic scored (`odiTotal`, `ndi`); never both.
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

    /// Accepted disability percentages (ODI, NDI totals).
    public static let disabilityPercentRange: ClosedRange<Double> = 0...100

    /// Lumbar or cervical.
    public var region: Region?
    /// Age, years.
    public var age: Int?
    /// How long the pain has lasted, months.
    public var painDurationMonths: Double?
    /// Back pain (used at thoracic and lumbar levels).
    public var backPain: PainScore?
    /// Leg pain.
    public var legPain: PainScore?
    /// Whether the leg pain is radicular.
    public var legPainRadicular: Bool?
    /// Neck pain (used at cervical levels).
    public var neckPain: PainScore?
    /// Arm pain.
    public var armPain: PainScore?
    /// Whether the arm pain is radicular.
    public var armPainRadicular: Bool?
    /// The ten Oswestry items, 0–5 each, `nil` for an unanswered item; `nil` when not recorded item by item.
    public var odiItems: [Int?]?
    /// The Oswestry Disability Index as the clinic scored it, percent 0–100 (instead of the items).
    public var odiTotal: Double?
    /// Roland-Morris Disability Questionnaire total, 0–24.
    public var rmdq: Int?
    /// Neck Disability Index as the clinic scored it, percent 0–100 (instead of the items).
    public var ndi: Double?
    /// The ten Neck Disability Index items, 0–5 each, `nil` for an unanswered item.
    public var ndiItems: [Int?]?
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
        legPain: PainScore? = nil, legPainRadicular: Bool? = nil, neckPain: PainScore? = nil,
        armPain: PainScore? = nil, armPainRadicular: Bool? = nil, odiItems: [Int?]? = nil, odiTotal: Double? = nil,
        rmdq: Int? = nil, ndi: Double? = nil, ndiItems: [Int?]? = nil, conservativeCare: [CareAttempt]? = nil,
        medialBranchBlock: BlockResult? = nil,
        fitForOutpatientProcedure: Bool? = nil, redFlags: RedFlags = RedFlags(),
        priorSurgery: PriorSurgery = PriorSurgery(), prefersNonSurgical: Bool? = nil
    ) {
        self.region = region
        self.age = age
        self.painDurationMonths = painDurationMonths
        self.backPain = backPain
        self.legPain = legPain
        self.legPainRadicular = legPainRadicular
        self.neckPain = neckPain
        self.armPain = armPain
        self.armPainRadicular = armPainRadicular
        self.odiItems = odiItems
        self.odiTotal = odiTotal
        self.rmdq = rmdq
        self.ndi = ndi
        self.ndiItems = ndiItems
        self.conservativeCare = conservativeCare
        self.medialBranchBlock = medialBranchBlock
        self.fitForOutpatientProcedure = fitForOutpatientProcedure
        self.redFlags = redFlags
        self.priorSurgery = priorSurgery
        self.prefersNonSurgical = prefersNonSurgical
    }

    /// The Oswestry Disability Index computed from the answered items; `nil` when none is answered.
    public var odi: DisabilityScore? { odiItems.flatMap(DisabilityScore.oswestry(items:)) }

    /// The Oswestry Disability Index, percent: the total as scored, else computed from the items.
    public var odiPercent: Double? { odiTotal ?? odi?.percent }

    /// The Neck Disability Index computed from the answered items (the same formula as the ODI).
    public var ndiFromItems: DisabilityScore? { ndiItems.flatMap(DisabilityScore.oswestry(items:)) }

    /// The Neck Disability Index, percent: the total as scored, else computed from the items.
    public var ndiPercent: Double? { ndi ?? ndiFromItems?.percent }

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
        try neckPain?.validate(field: "neck-pain")
        try armPain?.validate(field: "arm-pain")
        try Self.checkItems(odiItems, field: "odi", name: "ODI")
        try Self.checkItems(ndiItems, field: "ndi", name: "NDI")
        try Self.checkPercent(odiTotal, field: "odi")
        if odiItems != nil, odiTotal != nil {
            throw IntakeError(
                field: "odi", value: FactValue.format(odiTotal ?? 0),
                message: "the ODI is recorded both as items and as a total: keep one (odi=40 or odi=2,3,…)")
        }
        if ndiItems != nil, ndi != nil {
            throw IntakeError(
                field: "ndi", value: FactValue.format(ndi ?? 0),
                message: "the NDI is recorded both as items and as a total: keep one (ndi=30 or ndi=1,2,…)")
        }
        if let rmdq, !Self.rmdqRange.contains(rmdq) {
            throw IntakeError(
                field: "rmdq", value: String(rmdq),
                message: Self.rangeMessage(what: "rmdq", range: Self.rmdqRange, unit: "points", got: nil))
        }
        try Self.checkPercent(ndi, field: "ndi")
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
        if priorSurgery.had == false, !priorSurgery.procedures.isEmpty {
            throw IntakeError(
                field: "prior-surgery", value: priorSurgery.levels.map(\.rawValue).joined(separator: ","),
                message: "operations are recorded but prior-surgery=no: set prior-surgery=yes or drop them")
        }
        if priorSurgery.procedures.contains(where: { $0.kind == nil && $0.level == nil }) {
            throw IntakeError(
                field: "prior-surgery", value: "{}",
                message: "a prior operation needs its kind, its level or both (e.g. fusion:L4-L5)")
        }
        if priorSurgery.procedures.count > Self.maxCareAttempts {
            throw IntakeError(
                field: "prior-surgery", value: "\(priorSurgery.procedures.count) operations",
                message: "at most \(Self.maxCareAttempts) prior operations are recorded")
        }
    }

    /// Checks a ten-item questionnaire scored 0–5 per item.
    static func checkItems(_ items: [Int?]?, field: String, name: String) throws(IntakeError) {
        guard let items else { return }
        guard items.count == odiItemCount else {
            throw IntakeError(
                field: field, value: "\(items.count) items",
                message: "the \(name) has exactly 10 items (write - for an unanswered one)")
        }
        for (index, item) in items.enumerated() {
            if let item, !(0...5).contains(item) {
                throw IntakeError(
                    field: field, value: String(item), message: "\(name) item \(index + 1) is scored 0 to 5")
            }
        }
    }

    /// Checks a questionnaire total in percent.
    static func checkPercent(_ value: Double?, field: String) throws(IntakeError) {
        guard let value, !(value.isFinite && disabilityPercentRange.contains(value)) else { return }
        throw IntakeError(
            field: field, value: FactValue.format(value),
            message: rangeMessage(what: field, range: disabilityPercentRange, unit: "%", got: nil))
    }
}

extension Intake: Codable {
    private enum CodingKeys: String, CodingKey {
        case region, age, painDurationMonths, backPain, legPain, legPainRadicular, neckPain, armPain
        case armPainRadicular, odiItems, odiTotal, odi, rmdq, ndi, ndiItems
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
            neckPain: try container.decodeIfPresent(PainScore.self, forKey: .neckPain),
            armPain: try container.decodeIfPresent(PainScore.self, forKey: .armPain),
            armPainRadicular: try container.decodeIfPresent(Bool.self, forKey: .armPainRadicular),
            odiItems: try container.decodeIfPresent([Int?].self, forKey: .odiItems),
            odiTotal: try container.decodeIfPresent(Double.self, forKey: .odiTotal),
            rmdq: try container.decodeIfPresent(Int.self, forKey: .rmdq),
            ndi: try container.decodeIfPresent(Double.self, forKey: .ndi),
            ndiItems: try container.decodeIfPresent([Int?].self, forKey: .ndiItems),
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
        try container.encodeIfPresent(neckPain, forKey: .neckPain)
        try container.encodeIfPresent(armPain, forKey: .armPain)
        try container.encodeIfPresent(armPainRadicular, forKey: .armPainRadicular)
        try container.encodeIfPresent(odiItems, forKey: .odiItems)
        try container.encodeIfPresent(odiTotal, forKey: .odiTotal)
        try container.encodeIfPresent(odi, forKey: .odi)
        try container.encodeIfPresent(rmdq, forKey: .rmdq)
        try container.encodeIfPresent(ndi, forKey: .ndi)
        try container.encodeIfPresent(ndiItems, forKey: .ndiItems)
        try container.encodeIfPresent(conservativeCare, forKey: .conservativeCare)
        try container.encodeIfPresent(medialBranchBlock, forKey: .medialBranchBlock)
        try container.encodeIfPresent(fitForOutpatientProcedure, forKey: .fitForOutpatientProcedure)
        if !redFlags.isEmpty { try container.encode(redFlags, forKey: .redFlags) }
        if !priorSurgery.isEmpty { try container.encode(priorSurgery, forKey: .priorSurgery) }
        try container.encodeIfPresent(prefersNonSurgical, forKey: .prefersNonSurgical)
    }
}
