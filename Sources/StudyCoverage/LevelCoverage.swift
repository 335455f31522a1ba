import SpineModel

/// Whether a disc level is one the study's images can show, from what its headers say.
///
/// The evidence: Body Part Examined, Series Description and Protocol Name of each series, the Study Description
/// (region words and disc levels written out), and the extent of the images along the body as supporting evidence
/// only (an extent cannot name levels: it can only say that the images reach beyond one region, which widens what
/// is accepted, never narrows it). Refuses only what the evidence clearly puts elsewhere:
///
/// - a finding marked on an image is judged by that image's series when the series says anything, else by the
///   study;
/// - the study shows the union of the regions its evidence names (a whole-spine study, or one with cervical and
///   lumbar series, shows both); conflicting evidence widens, never narrows;
/// - each region reaches two levels beyond its own (`coveredLevels`): a lumbar study shows T11-T12 and T12-L1, a
///   cervical one C7-T1 to T2-T3, a thoracic one C6-C7 to L2-L3; transitional L5-L6 and S1-S2 are lumbar;
/// - when nothing names a region, the level is accepted (`unknown`).
public enum LevelCoverage {
    /// Images reaching this far (mm) along the body show more than one region: no single lumbar, thoracic or
    /// cervical field of view is this long, so the study may show any level.
    public static let multiRegionExtent = 450.0

    /// Levels beyond a region's own that a study of it still shows.
    public static let marginLevels = 2

    /// The levels a study showing `regions` shows, cranial to caudal.
    public static func coveredLevels(_ regions: Set<SpineRegion>) -> [DiscLevel] {
        let all = DiscLevel.allCases
        var covered = Set<Int>()
        for (index, level) in all.enumerated() where regions.contains(level.region) {
            for near in max(0, index - marginLevels)...min(all.count - 1, index + marginLevels) {
                covered.insert(near)
            }
        }
        return covered.sorted().map { all[$0] }
    }

    /// The evidence of one series (its body part, descriptions and extent).
    public static func evidence(of series: SeriesFacts) -> [CoverageEvidence] {
        var evidence: [CoverageEvidence] = []
        func add(_ source: CoverageEvidence.Source, _ value: String, _ regions: Set<SpineRegion>) {
            guard !regions.isEmpty else { return }
            evidence.append(
                CoverageEvidence(
                    source: source, seriesInstanceUID: series.seriesInstanceUID, seriesNumber: series.seriesNumber,
                    value: value, regions: regions))
        }
        let spineContext = series.bodyPartExamined.map(RegionReading.isSpine(bodyPart:)) ?? false
        if let bodyPart = series.bodyPartExamined { add(.bodyPartExamined, bodyPart, RegionReading.bodyPart(bodyPart)) }
        if let text = series.seriesDescription {
            add(.seriesDescription, text, RegionReading.description(text, spineContext: spineContext))
        }
        if let text = series.protocolName {
            add(.protocolName, text, RegionReading.description(text, spineContext: spineContext))
        }
        if let extent = series.craniocaudalExtent, extent.isFinite, extent >= multiRegionExtent {
            add(.geometry, String(Int(extent.rounded())), Set(SpineRegion.allCases))
        }
        return evidence
    }

    /// The evidence of the whole study: every series' and the study description's.
    public static func evidence(of facts: CoverageFacts) -> [CoverageEvidence] {
        var evidence = facts.series.flatMap(evidence(of:))
        if let text = facts.studyDescription {
            let spineContext = facts.series.contains { $0.bodyPartExamined.map(RegionReading.isSpine) ?? false }
            let regions = RegionReading.description(text, spineContext: spineContext)
            if !regions.isEmpty {
                evidence.append(CoverageEvidence(source: .studyDescription, value: text, regions: regions))
            }
        }
        return evidence
    }

    /// Decides whether `level` agrees with the study: by the anchor's series when the finding is marked on an
    /// image of a series whose headers name a region, else by the whole study; when the finding is marked at a
    /// known height and other findings of the study are too, whether the heights agree (`AnchorSpacing`); and when
    /// the finding is marked at a known position (`anchorPoint`, the mean of its marks) and the study's discs are
    /// labelled, whether the mark lies at its own level's disc (`DiscLabelCheck`).
    public static func check(
        level: DiscLevel, facts: CoverageFacts, anchorSeriesUID: String? = nil, anchorHeight: Double? = nil,
        otherAnchors: [AnchoredLevel] = [], anchorPoint: PatientPoint? = nil, discLabels: DiscLabelSet? = nil
    ) -> LevelCoverageDecision {
        var decision = decideByHeaders(level, facts: facts, anchorSeriesUID: anchorSeriesUID)
        decision.anchorConflict = anchorHeight.flatMap {
            AnchorSpacing.conflict(level: level, height: $0, others: otherAnchors)
        }
        if let anchorPoint, let discLabels {
            decision.discLabelConflict = DiscLabelCheck.conflict(level: level, at: anchorPoint, labels: discLabels)
        }
        return decision
    }

    private static func decideByHeaders(_ level: DiscLevel, facts: CoverageFacts, anchorSeriesUID: String?)
        -> LevelCoverageDecision
    {
        if let anchorSeriesUID, let series = facts.series.first(where: { $0.seriesInstanceUID == anchorSeriesUID }) {
            let own = evidence(of: series)
            if !own.isEmpty { return decide(level, own, scope: .anchorSeries(number: series.seriesNumber)) }
        }
        return decide(level, evidence(of: facts), scope: .study)
    }

    private static func decide(
        _ level: DiscLevel, _ evidence: [CoverageEvidence], scope: LevelCoverageDecision.Scope
    ) -> LevelCoverageDecision {
        let regions = evidence.reduce(into: Set<SpineRegion>()) { $0.formUnion($1.regions) }
        let verdict: LevelCoverageDecision.Verdict =
            regions.isEmpty ? .unknown : coveredLevels(regions).contains(level) ? .covered : .outside
        return LevelCoverageDecision(level: level, verdict: verdict, regions: regions, evidence: evidence, scope: scope)
    }
}

/// What `LevelCoverage.check` decided, with its evidence.
public struct LevelCoverageDecision: Sendable, Equatable {
    /// What the headers say about the level.
    public enum Verdict: String, Sendable, Equatable {
        /// The evidence names a region that shows the level.
        case covered
        /// Nothing names a region: accepted.
        case unknown
        /// The evidence names only regions that do not show the level.
        case outside
    }

    /// Whose evidence was used.
    public enum Scope: Sendable, Equatable {
        /// The whole study.
        case study
        /// The series of the image the finding is marked on.
        case anchorSeries(number: Int?)
    }

    /// The level checked.
    public var level: DiscLevel
    /// The verdict from the headers.
    public var verdict: Verdict
    /// The regions the evidence names.
    public var regions: Set<SpineRegion>
    /// The evidence used.
    public var evidence: [CoverageEvidence]
    /// Whose evidence it is.
    public var scope: Scope
    /// The finding's mark disagrees with other findings' marks, when it does.
    public var anchorConflict: AnchorConflict?
    /// The finding's mark lies at another labelled disc than its level's, when it does.
    public var discLabelConflict: DiscLabelConflict?

    /// Creates a decision.
    public init(
        level: DiscLevel, verdict: Verdict, regions: Set<SpineRegion>, evidence: [CoverageEvidence], scope: Scope,
        anchorConflict: AnchorConflict? = nil, discLabelConflict: DiscLabelConflict? = nil
    ) {
        self.level = level
        self.verdict = verdict
        self.regions = regions
        self.evidence = evidence
        self.scope = scope
        self.anchorConflict = anchorConflict
        self.discLabelConflict = discLabelConflict
    }

    /// Whether the level disagrees with the study (by its headers, by the marks or by the disc labels): such a
    /// finding needs an explicit override and is shown with a warning.
    public var disagrees: Bool { verdict == .outside || anchorConflict != nil || discLabelConflict != nil }

    /// Why the level disagrees, for people (nil when it agrees). Header values are quoted, not escaped.
    public var problem: String? {
        var parts: [String] = []
        if verdict == .outside {
            let covered = LevelCoverage.coveredLevels(regions)
            let range = covered.first.map { first in " (\(first.name) to \(covered.last?.name ?? first.name))" } ?? ""
            let subject: String
            switch scope {
            case .study: subject = "the study shows"
            case .anchorSeries(let number):
                subject = "the image it is marked on (series \(number.map(String.init) ?? "?")) shows"
            }
            parts.append(
                "\(level.name) is a \(level.region.rawValue) level, but \(subject) \(regions.spineText)\(range): "
                    + CoverageEvidence.describe(evidence))
        }
        if let anchorConflict { parts.append(anchorConflict.description) }
        if let discLabelConflict { parts.append(discLabelConflict.description) }
        return parts.isEmpty ? nil : parts.joined(separator: "; ")
    }
}
