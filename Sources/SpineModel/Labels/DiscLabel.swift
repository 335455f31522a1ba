/// One labelled disc: its level, where its centre is in patient space (as the clinician clicked it) and the image
/// the click was made on.
public struct DiscLabel: Codable, Sendable, Hashable {
    /// The disc level.
    public var level: DiscLevel
    /// The disc's centre as clicked (LPS, mm).
    public var position: PatientPoint
    /// The image and the pixel clicked: one point, with its patient position.
    public var anchor: ImageAnchor

    /// Creates a label.
    public init(level: DiscLevel, position: PatientPoint, anchor: ImageAnchor) {
        self.level = level
        self.position = position
        self.anchor = anchor
    }

    /// A label from the click on an image: `anchor` must be one point with its patient position (an image
    /// without geometry, such as a projection radiograph, cannot place a disc in patient space).
    ///
    /// - Throws: `SpineValidationError` (`invalid-anchor`) for a polyline, or an anchor without a usable patient
    ///   position.
    public init(level: DiscLevel, anchor: ImageAnchor) throws(SpineValidationError) {
        guard anchor.points.count == 1 else {
            throw ImageAnchor.invalid(
                "points", String(anchor.points.count),
                "a disc label is one point, the disc's centre; \(anchor.points.count) points were given")
        }
        guard let values = anchor.patientPositions?.first, let position = PatientPoint(values) else {
            throw ImageAnchor.invalid(
                "patientPositions", nil,
                "the image \(level.name) is marked on has no patient geometry (Image Position and Orientation "
                    + "(Patient), Pixel Spacing), so the disc cannot be placed: label the discs on an MR or CT "
                    + "slice")
        }
        self.init(level: level, position: position, anchor: anchor)
    }

    /// Checks the anchor (`ImageAnchor.validate`) and that it is one point.
    public func validate() throws(SpineValidationError) {
        try anchor.validate()
        guard anchor.points.count == 1 else {
            throw ImageAnchor.invalid(
                "points", String(anchor.points.count), "a disc label is one point, the disc's centre")
        }
    }
}

/// A labelled disc and how far a point is from it.
public struct DiscDistance: Sendable, Hashable {
    /// The labelled level.
    public var level: DiscLevel
    /// The straight-line distance from the point to the disc's labelled centre (mm).
    public var distance: Double

    /// Creates a distance.
    public init(level: DiscLevel, distance: Double) {
        self.level = level
        self.distance = distance
    }
}

/// The labelled disc nearest a point, and the next nearest (so that a caller can say how clear the answer is).
public struct NearestDisc: Sendable, Hashable {
    /// The nearest labelled disc.
    public var nearest: DiscDistance
    /// The second nearest, when two or more discs are labelled.
    public var runnerUp: DiscDistance?

    /// Creates an answer.
    public init(nearest: DiscDistance, runnerUp: DiscDistance?) {
        self.nearest = nearest
        self.runnerUp = runnerUp
    }

    /// How much nearer the nearest disc is than the runner-up (mm); nil with a single label.
    public var margin: Double? { runnerUp.map { $0.distance - nearest.distance } }
}
