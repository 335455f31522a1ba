import AnnulusRecords
import SpineModel
import Store
import StudyCoverage
import TextSafety

/// The agreement of a finding's level with its study (StudyCoverage): the facts read from the store, the check of
/// adding and amending (refused without an override reason), and the warnings of listing, showing and triage.
struct LevelCheck {
    let facts: CoverageFacts
    let anchors: [(id: String, anchored: AnchoredLevel)]
    /// The study's current disc labels, when it has readable ones.
    let discLabels: DiscLabelSet?

    /// Reads what the study's headers say, where its findings are marked and where its discs are labelled.
    init(store: AnnulusStore, study: StudySummary) throws {
        // A stored set that cannot be read is not used here; `discLabels(ofStudy:)` reports it.
        discLabels = try store.latestDiscLabels(studyUID: study.studyInstanceUID).flatMap {
            try? DiscLabelSet.decode($0.payload)
        }
        var series: [SeriesFacts] = []
        for summary in try store.series(ofStudy: study.studyInstanceUID) {
            let planes = try store.instances(ofSeries: summary.seriesInstanceUID).flatMap(Self.planes)
            series.append(
                SeriesFacts(
                    seriesInstanceUID: summary.seriesInstanceUID, seriesNumber: summary.seriesNumber,
                    bodyPartExamined: summary.bodyPartExamined, seriesDescription: summary.seriesDescription,
                    protocolName: summary.protocolName, craniocaudalExtent: CraniocaudalExtent.of(planes)))
        }
        facts = CoverageFacts(studyDescription: study.studyDescription, series: series)
        anchors = try store.annotations(studyUID: study.studyInstanceUID).compactMap { version in
            guard let annotation = try? LevelAnnotation.decode(version.payload),
                let height = annotation.anchor.flatMap(Self.height)
            else { return nil }
            return (
                version.annotationID,
                AnchoredLevel(
                    level: annotation.level, height: height, label: "finding \(version.annotationID.prefix(8))")
            )
        }
    }

    /// The check of `level` marked at `anchor` (nil: unmarked), against the study, the other findings' marks and
    /// the study's disc labels.
    func decide(_ level: DiscLevel, anchor: ImageAnchor?, excluding annotationID: String? = nil)
        -> LevelCoverageDecision
    {
        LevelCoverage.check(
            level: level, facts: facts, anchorSeriesUID: anchor?.seriesInstanceUID,
            anchorHeight: anchor.flatMap(Self.height),
            otherAnchors: anchors.filter { $0.id != annotationID }.map(\.anchored),
            anchorPoint: anchor?.patientPositions.flatMap(PatientPoint.init(meanOf:)), discLabels: discLabels)
    }

    /// For adding and amending: the override to record when the level disagrees and `reason` is given; invalid
    /// input naming the evidence and the override when it disagrees without one (unless `required` is false: an
    /// amendment that keeps the level); nil when it agrees. `note` is set when an override was given but is not
    /// needed.
    static func verify(
        _ decision: LevelCoverageDecision, reason: String?, required: Bool = true
    ) throws(AppError) -> (override: NewLevelOverride?, note: String?) {
        guard decision.disagrees, let problem = decision.problem else {
            let note =
                reason == nil
                ? nil
                : "note: \(decision.level.name) agrees with what the study shows: --level-outside-study is not needed "
                    + "and was not recorded"
            return (nil, note)
        }
        guard let reason else {
            guard required else { return (nil, nil) }
            // Headers that put the level elsewhere come first; a mark at another labelled disc has its own code.
            let code =
                decision.verdict != .outside && decision.discLabelConflict != nil
                ? "level-nearer-other-disc" : "level-outside-study"
            throw AppError.invalidInput(
                (problem + ". Check the level (and the image it is marked on). If it is right, give the reason with "
                    + "--level-outside-study REASON: the finding is then kept with a warning.").terminalSafe,
                field: "level", value: decision.level.name, code: code)
        }
        guard let override = NewLevelOverride(reason: reason, evidence: problem) else {
            throw AppError.invalidInput(
                "--level-outside-study needs a reason (why the level is right all the same)",
                field: "levelOutsideStudy", code: "reason-required")
        }
        return (override, nil)
    }

    /// The warning for a finding: its recorded override (with the evidence recorded then), else the check now.
    func warning(for version: AnnotationVersion, override: LevelOverride?) -> LevelWarning? {
        if let override, override.level == version.level {
            return LevelWarning(
                problem: override.evidence,
                override: .init(
                    reason: override.reason, author: override.author, at: override.createdAt,
                    version: override.version))
        }
        guard !version.isRetracted, let annotation = try? LevelAnnotation.decode(version.payload) else { return nil }
        let decision = decide(annotation.level, anchor: annotation.anchor, excluding: version.annotationID)
        return decision.problem.map { LevelWarning(problem: $0, override: nil) }
    }

    /// The height (z, mm) of an anchor's marks, when their patient positions are known.
    static func height(_ anchor: ImageAnchor) -> Double? {
        guard let positions = anchor.patientPositions, !positions.isEmpty,
            positions.allSatisfy({ $0.count == 3 && $0[2].isFinite })
        else { return nil }
        return positions.map { $0[2] }.reduce(0, +) / Double(positions.count)
    }

    /// The image planes of an instance (every frame of an enhanced image, at most 4096).
    static func planes(_ record: InstanceRecord) -> [ImagePlane] {
        (1...min(max(record.frames, 1), 4096)).compactMap { frame in
            guard let geometry = record.frameGeometry(frame: frame), let position = geometry.imagePosition,
                let orientation = geometry.imageOrientation, let spacing = geometry.pixelSpacing
            else { return nil }
            return ImagePlane(
                position: position, orientation: orientation, pixelSpacing: spacing, rows: record.rows,
                columns: record.columns)
        }
    }

    /// Every finding of these studies accepted at a level outside what its study shows, for triage.
    static func acceptedOutside(store: AnnulusStore, studies: [StudySummary]) throws -> [AcceptedLevel] {
        var accepted: [AcceptedLevel] = []
        for study in studies {
            let overrides = try store.levelOverrides(studyUID: study.studyInstanceUID)
            for version in try store.annotations(studyUID: study.studyInstanceUID) {
                guard let override = overrides[version.annotationID] else { continue }
                accepted.append(
                    AcceptedLevel(
                        annotationID: version.annotationID, level: version.level,
                        study: study.accessionNumber ?? study.studyInstanceUID, author: override.author,
                        reason: override.reason))
            }
        }
        return accepted
    }
}

/// A finding accepted at a level outside what its study shows (triage names each).
public struct AcceptedLevel: Sendable, Encodable, Equatable {
    /// The annotation.
    public var annotationID: String
    /// Its level.
    public var level: String
    /// Its study: the accession number, else the Study Instance UID.
    public var study: String
    /// Who accepted the level.
    public var author: String
    /// Why.
    public var reason: String
}
