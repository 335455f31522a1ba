import SpineModel

/// One labelled disc as the faces show it in JSON (`levels show --json`; the API's disc resource): its level, its
/// centre in patient coordinates and where it was clicked, with the frame counted from 0 as the API counts frames.
public struct DiscLabelView: Sendable, Encodable, Equatable {
    /// Where a disc was clicked.
    public struct Image: Sendable, Encodable, Equatable {
        /// Series Instance UID.
        public var seriesInstanceUID: String
        /// SOP Instance UID.
        public var sopInstanceUID: String
        /// The frame, from 0.
        public var frame: Int
        /// The point clicked, `[[x, y]]` in pixels (column, row).
        public var points: [[Double]]
    }

    /// The level (`L4-L5`).
    public var level: String
    /// The disc's centre, `[x, y, z]` (LPS, mm).
    public var position: [Double]
    /// Where it was clicked.
    public var image: Image

    /// The view of a label.
    public init(_ label: DiscLabel) {
        level = label.level.name
        position = label.position.values
        image = Image(
            seriesInstanceUID: label.anchor.seriesInstanceUID, sopInstanceUID: label.anchor.sopInstanceUID,
            frame: label.anchor.frame - 1, points: label.anchor.points.map { [$0.x, $0.y] })
    }
}

/// One version of a study's disc labels, as the faces show it in JSON.
public struct DiscLabelsVersionView: Sendable, Encodable, Equatable {
    /// 1, 2, 3, … per study.
    public var version: Int
    /// How the vertebrae were counted.
    public var basis: String
    /// Who recorded it.
    public var author: String
    /// Why, when given.
    public var reason: String?
    /// When.
    public var createdAt: String
    /// The labelled discs, cranial to caudal.
    public var labels: [DiscLabelView]

    /// The view of a version.
    public init(_ version: DiscLabelsVersion) {
        self.version = version.version
        basis = version.labels.basis.rawValue
        author = version.author
        reason = version.reason
        createdAt = version.createdAt
        labels = version.labels.labels.map(DiscLabelView.init)
    }
}

/// A study's current disc labels and the disc to label next, as the faces show them in JSON (absent version,
/// author and time when the discs were never labelled).
public struct DiscLabelsView: Sendable, Encodable, Equatable {
    /// The study.
    public var studyInstanceUID: String
    /// The latest version.
    public var version: Int?
    /// How the vertebrae were counted.
    public var basis: String
    /// Who recorded the latest version.
    public var author: String?
    /// Why, when given.
    public var reason: String?
    /// When.
    public var createdAt: String?
    /// The labelled discs, cranial to caudal.
    public var labels: [DiscLabelView]
    /// The disc to label next.
    public var next: String?

    /// The view of a study's labels.
    public init(_ found: StudyDiscLabels) {
        studyInstanceUID = found.study.studyInstanceUID
        version = found.current?.version
        basis = found.labels.basis.rawValue
        author = found.current?.author
        reason = found.current?.reason
        createdAt = found.current?.createdAt
        labels = found.labels.labels.map(DiscLabelView.init)
        next = found.next?.name
    }
}

/// The level proposed for a click, as the faces show it in JSON: the nearest labelled disc and the runner-up,
/// distances in mm to 0.1 mm.
public struct LevelProposalView: Sendable, Encodable, Equatable {
    /// A labelled level and its distance.
    public struct Distance: Sendable, Encodable, Equatable {
        /// The level.
        public var level: String
        /// The distance from the click to its labelled centre (mm, to 0.1 mm).
        public var distanceMm: Double

        init(_ distance: DiscDistance) {
            level = distance.level.name
            distanceMm = (distance.distance * 10).rounded() / 10
        }
    }

    /// The nearest labelled level.
    public var level: String
    /// Its distance (mm, to 0.1 mm).
    public var distanceMm: Double
    /// The next nearest, when two or more discs are labelled.
    public var runnerUp: Distance?
    /// Where the click is, `[x, y, z]` (LPS, mm).
    public var position: [Double]
    /// The version of the labels asked.
    public var labelsVersion: Int

    /// The view of a proposal.
    public init(_ proposal: LevelProposal) {
        let nearest = Distance(proposal.nearest.nearest)
        level = nearest.level
        distanceMm = nearest.distanceMm
        runnerUp = proposal.nearest.runnerUp.map(Distance.init)
        position = proposal.point.values
        labelsVersion = proposal.labelsVersion
    }
}
