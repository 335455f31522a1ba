/// Where on which image a finding was marked: the instance, the frame and one or more points.
public struct ImageAnchor: Codable, Sendable, Hashable {
    /// Study Instance UID (0020,000D).
    public var studyInstanceUID: String
    /// Series Instance UID (0020,000E).
    public var seriesInstanceUID: String
    /// SOP Instance UID (0008,0018).
    public var sopInstanceUID: String
    /// The frame, counting from 1 (1 for single-frame images).
    public var frame: Int
    /// One point marks a spot; two or more make a polyline.
    public var points: [PixelPoint]
    /// The points in patient coordinates (LPS, mm), one `[x, y, z]` per point, when the geometry was known.
    public var patientPositions: [[Double]]?

    /// Creates an anchor.
    public init(
        studyInstanceUID: String,
        seriesInstanceUID: String,
        sopInstanceUID: String,
        frame: Int = 1,
        points: [PixelPoint],
        patientPositions: [[Double]]? = nil
    ) {
        self.studyInstanceUID = studyInstanceUID
        self.seriesInstanceUID = seriesInstanceUID
        self.sopInstanceUID = sopInstanceUID
        self.frame = frame
        self.points = points
        self.patientPositions = patientPositions
    }

    /// Whether the anchor is a polyline (two or more points) rather than a point.
    public var isPolyline: Bool { points.count >= 2 }

    /// Checks the UIDs (DICOM syntax: digits and dots, at most 64 characters, no empty or zero-led component),
    /// the frame (≥ 1), the points (at least one, finite, not negative) and the patient positions (one
    /// finite `[x, y, z]` per point).
    public func validate() throws(SpineValidationError) {
        for (field, uid) in [
            ("studyInstanceUID", studyInstanceUID), ("seriesInstanceUID", seriesInstanceUID),
            ("sopInstanceUID", sopInstanceUID),
        ] where !Self.isValidUID(uid) {
            throw Self.invalid(
                field, uid, "\(field) \"\(uid)\" is not a DICOM UID (digits and dots, at most 64 characters)"
            )
        }
        guard frame >= 1 else {
            throw Self.invalid("frame", String(frame), "frame counts from 1, got \(frame)")
        }
        guard !points.isEmpty else {
            throw Self.invalid("points", nil, "an anchor needs at least one point")
        }
        for point in points where !(point.x.isFinite && point.y.isFinite && point.x >= 0 && point.y >= 0) {
            throw Self.invalid(
                "points", "\(point.x),\(point.y)",
                "point (\(point.x), \(point.y)) is not on the image: pixel coordinates are finite and not negative"
            )
        }
        if let patientPositions {
            guard patientPositions.count == points.count else {
                throw Self.invalid(
                    "patientPositions", String(patientPositions.count),
                    "\(patientPositions.count) patient positions for \(points.count) points: give one per point"
                )
            }
            for position in patientPositions where position.count != 3 || !position.allSatisfy(\.isFinite) {
                throw Self.invalid(
                    "patientPositions", position.map(formatNumber).joined(separator: ","),
                    "a patient position is three finite numbers [x, y, z] in mm (LPS)"
                )
            }
        }
    }

    /// Whether `uid` has DICOM UID syntax.
    static func isValidUID(_ uid: String) -> Bool {
        guard !uid.isEmpty, uid.count <= 64 else { return false }
        let components = uid.split(separator: ".", omittingEmptySubsequences: false)
        return components.allSatisfy { component in
            !component.isEmpty && component.allSatisfy { $0.isASCII && $0.isNumber }
                && (component == "0" || !component.hasPrefix("0"))
        }
    }

    /// An `invalid-anchor` error.
    static func invalid(_ field: String, _ value: String?, _ message: String) -> SpineValidationError {
        SpineValidationError(problem: .invalidAnchor, field: field, value: value, message: message)
    }
}
