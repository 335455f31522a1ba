import AnnulusRecords
import Foundation
import SpineModel
import Store
import TextSafety

/// A new set of disc labels for a study: the labelled discs (the whole set, which replaces the current one as a
/// new version, or, with `keepOthers`, the discs to add to it), how the vertebrae were counted, and why.
public struct DiscLabelRequest: Sendable, Equatable {
    /// One disc: its level as typed and the click on its centre.
    public struct Label: Sendable, Equatable {
        /// The disc level (`L5-S1`, `l4/l5`).
        public var level: String
        /// The image and the one point clicked on the disc's centre.
        public var anchor: AnchorRequest

        /// Creates a label.
        public init(level: String, anchor: AnchorRequest) {
            self.level = level
            self.anchor = anchor
        }
    }

    /// The study: Study Instance UID, accession number or a unique prefix.
    public var study: String
    /// How the vertebrae were counted: `from-C2`, `from-sacrum` or `unknown`; nil keeps the current set's basis
    /// (`unknown` when there is none).
    public var basis: String?
    /// The labelled discs (without `keepOthers`, an empty list records that nothing is labelled any more).
    public var labels: [Label]
    /// Keep the current set's labels of the levels not given (a level given again is labelled anew): one disc at a
    /// time, as the command line labels them.
    public var keepOthers: Bool
    /// Why the labels change (kept in their history).
    public var reason: String?
    /// The version the new set is based on (0: none), when the caller wants a change made meanwhile by someone
    /// else refused rather than replaced.
    public var expectedVersion: Int?

    /// Creates a request.
    public init(
        study: String, basis: String? = nil, labels: [Label], keepOthers: Bool = false, reason: String? = nil,
        expectedVersion: Int? = nil
    ) {
        self.study = study
        self.basis = basis
        self.labels = labels
        self.keepOthers = keepOthers
        self.reason = reason
        self.expectedVersion = expectedVersion
    }
}

/// One recorded version of a study's disc labels.
public struct DiscLabelsVersion: Sendable, Equatable {
    /// The labelled set, cranial to caudal, with its numbering basis.
    public var labels: DiscLabelSet
    /// 1, 2, 3, … per study.
    public var version: Int
    /// Who recorded it.
    public var author: String
    /// Why, when given.
    public var reason: String?
    /// When (ISO 8601 UTC with milliseconds).
    public var createdAt: String
}

/// A study's current disc labels and the disc to label next.
public struct StudyDiscLabels: Sendable, Equatable {
    /// The study.
    public var study: StudySummary
    /// The latest version, nil when the study's discs were never labelled.
    public var current: DiscLabelsVersion?
    /// The disc to label next (L5-S1 first, then up the spine); nil when every disc up to C2-C3 is labelled.
    public var next: DiscLevel?

    /// The current set (empty when none).
    public var labels: DiscLabelSet { current?.labels ?? DiscLabelSet() }
}

/// The level a click on an image most likely shows: the labelled disc nearest it in patient space.
public struct LevelProposal: Sendable, Equatable {
    /// The nearest labelled disc and the runner-up.
    public var nearest: NearestDisc
    /// Where the click is (LPS, mm; the mean of several points).
    public var point: PatientPoint
    /// The version of the disc labels asked.
    public var labelsVersion: Int
}

extension UseCases {
    /// The study's current disc labels (none when never labelled) and the disc to label next.
    public func discLabels(ofStudy study: String, by principal: Principal) async throws(AppError) -> StudyDiscLabels {
        try await perform {
            let store = self.environment.store
            let target = try store.resolveStudy(study)
            let current = try store.latestDiscLabels(studyUID: target.studyInstanceUID).map(Self.readDiscLabels)
            return StudyDiscLabels(
                study: target, current: current, next: (current?.labels ?? DiscLabelSet()).nextToLabel)
        }
    }

    /// Every version of the study's disc labels, oldest first.
    public func discLabelHistory(ofStudy study: String, by principal: Principal) async throws(AppError)
        -> [DiscLabelsVersion]
    {
        try await perform {
            let store = self.environment.store
            return try store.discLabelHistory(studyUID: try store.resolveStudy(study).studyInstanceUID)
                .map(Self.readDiscLabels)
        }
    }

    /// Records the study's disc labels as a new version: each level read from the vocabulary, each click resolved
    /// against the study's images to its patient position (an image without geometry is refused), the set checked
    /// (each level once, transitional levels with a counted basis, positions in the levels' order). Findings whose
    /// marks lie at another labelled disc are shown with a level warning from then on.
    public func labelDiscs(_ request: DiscLabelRequest, by principal: Principal) async throws(AppError)
        -> StudyDiscLabels
    {
        try await perform { try self.labelDiscsNow(request, by: principal) }
    }

    /// The level of the labelled disc nearest a click on one of the study's images (sagittal or axial alike), its
    /// distance and the runner-up's. A conflict when the study's discs are not labelled.
    public func proposeLevel(study: String, anchor: AnchorRequest, by principal: Principal) async throws(AppError)
        -> LevelProposal
    {
        try await perform {
            let store = self.environment.store
            let target = try store.resolveStudy(study)
            guard let stored = try store.latestDiscLabels(studyUID: target.studyInstanceUID) else {
                throw Self.noLabels
            }
            let current = try Self.readDiscLabels(stored)
            guard let resolved = try AnchorResolver.resolve(anchor, study: target, store: store) else {
                throw AppError.invalidInput(
                    "give the image and the point clicked", field: "anchor", code: "anchor-missing")
            }
            guard let point = resolved.patientPositions.flatMap(PatientPoint.init(meanOf:)) else {
                throw Self.withoutGeometry(field: "anchor")
            }
            guard let nearest = current.labels.nearest(to: point) else { throw Self.noLabels }
            return LevelProposal(nearest: nearest, point: point, labelsVersion: current.version)
        }
    }

    func labelDiscsNow(_ request: DiscLabelRequest, by principal: Principal) throws -> StudyDiscLabels {
        var basis: LevelNumberingBasis?
        if let text = request.basis {
            do { basis = try LevelNumberingBasis.parse(text) } catch {
                throw AppError.invalidInput(
                    error.message, field: "basis", value: error.value, allowed: error.allowed,
                    suggestion: error.suggestion, code: error.problem.rawValue)
            }
        }
        guard request.labels.count <= DiscLevel.all.count else {
            throw AppError.invalidInput(
                "\(request.labels.count) discs given: a spine has at most \(DiscLevel.all.count) disc levels, each "
                    + "labelled once", field: "labels", value: String(request.labels.count), code: "too-many-labels")
        }
        let store = environment.store
        let target = try store.resolveStudy(request.study)
        let current = try store.latestDiscLabels(studyUID: target.studyInstanceUID).map(Self.readDiscLabels)
        var labels: [DiscLabel] = []
        for (index, label) in request.labels.enumerated() {
            let prefix = "labels[\(index)]"
            do {
                let level = try DiscLevel.parse(label.level)
                guard let anchor = try AnchorResolver.resolve(label.anchor, study: target, store: store) else {
                    throw AppError.invalidInput(
                        "\(level.name) has no click: give the image and the point on the disc's centre",
                        field: "anchor", code: "anchor-missing")
                }
                guard anchor.patientPositions != nil else { throw Self.withoutGeometry(field: "anchor") }
                do { labels.append(try DiscLabel(level: level, anchor: anchor)) } catch {
                    throw AppError.invalidInput(
                        error.message, field: "anchor.\(error.field ?? "point")", value: error.value,
                        code: error.problem.rawValue)
                }
            } catch {
                var refusal = AppError(error)
                refusal.field = refusal.field.map { "\(prefix).\($0)" } ?? prefix
                throw refusal
            }
        }
        if request.keepOthers, let kept = current?.labels.labels {
            let given = Set(labels.map(\.level))
            labels += kept.filter { !given.contains($0.level) }
        }
        let set = try DiscLabelSet(basis: basis ?? current?.labels.basis ?? .unknown, labels: labels)
        let outcome = try store.recordDiscLabels(
            studyUID: target.studyInstanceUID, basis: set.basis.rawValue, payload: set.encodedJSON(),
            author: principal.name, reason: request.reason, expectedVersion: request.expectedVersion)
        switch outcome {
        case .recorded(let version):
            let current = DiscLabelsVersion(
                labels: set, version: version.version, author: version.author, reason: version.reason,
                createdAt: version.createdAt)
            return StudyDiscLabels(study: target, current: current, next: set.nextToLabel)
        case .versionChanged(let expected, let latest):
            let now =
                latest.map {
                    "version \($0.version) was recorded by \($0.author.terminalSafe) at \($0.createdAt.terminalSafe)"
                } ?? "it has none now"
            throw AppError.conflict(
                "the disc labels of this study changed after version \(expected) was shown (\(now)): look at them "
                    + "again and label from there", code: "version-changed")
        }
    }

    /// A stored version read and checked; a set that cannot be read is a failure of the store, not the request's.
    static func readDiscLabels(_ version: DiscLabelVersion) throws -> DiscLabelsVersion {
        let set: DiscLabelSet
        do { set = try DiscLabelSet.decode(version.payload) } catch {
            throw AppError.internal(
                "disc labels version \(version.version) of study \(version.studyUID.terminalSafe) cannot be read: "
                    + error.message, code: "unreadable-disc-labels")
        }
        return DiscLabelsVersion(
            labels: set, version: version.version, author: version.author, reason: version.reason,
            createdAt: version.createdAt)
    }

    /// The study has no disc labels to compare a click with.
    static var noLabels: AppError {
        AppError.conflict(
            "this study's discs are not labelled yet: label them first (L5-S1, then up the spine), then a click "
                + "proposes the level of the nearest labelled disc", code: "no-disc-labels")
    }

    /// The image clicked has no patient geometry.
    static func withoutGeometry(field: String) -> AppError {
        AppError.invalidInput(
            "the image clicked has no patient geometry (Image Position and Orientation (Patient), Pixel Spacing), so "
                + "the point cannot be placed in patient space: use an MR or CT slice", field: field,
            code: "anchor-without-geometry")
    }
}
