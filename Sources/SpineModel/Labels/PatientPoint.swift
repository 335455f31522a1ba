/// A point in patient space: DICOM's LPS coordinates in mm (x towards the patient's left, y posterior, z towards
/// the head). Encoded in JSON as `[x, y, z]`, as an anchor's `patientPositions` are.
public struct PatientPoint: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Towards the patient's left (mm).
    public var x: Double
    /// Towards the patient's back (mm).
    public var y: Double
    /// Towards the patient's head (mm).
    public var z: Double

    /// Creates a point.
    public init(x: Double, y: Double, z: Double) {
        self.x = x
        self.y = y
        self.z = z
    }

    /// The point of `[x, y, z]`, or nil unless there are exactly three finite values.
    public init?(_ values: [Double]) {
        guard values.count == 3, values.allSatisfy(\.isFinite) else { return nil }
        self.init(x: values[0], y: values[1], z: values[2])
    }

    /// The mean of several points (the centre of a polyline's marks), or nil for none or a non-finite one.
    public init?(meanOf points: [[Double]]) {
        let read = points.compactMap(PatientPoint.init)
        guard !read.isEmpty, read.count == points.count else { return nil }
        let count = Double(read.count)
        self.init(
            x: read.map(\.x).reduce(0, +) / count, y: read.map(\.y).reduce(0, +) / count,
            z: read.map(\.z).reduce(0, +) / count)
    }

    /// `[x, y, z]`.
    public var values: [Double] { [x, y, z] }

    /// Whether every coordinate is finite.
    public var isFinite: Bool { x.isFinite && y.isFinite && z.isFinite }

    /// The straight-line distance to `other` (mm).
    public func distance(to other: PatientPoint) -> Double {
        let (dx, dy, dz) = (x - other.x, y - other.y, z - other.z)
        return (dx * dx + dy * dy + dz * dz).squareRoot()
    }

    /// `(x, y, z)` with one decimal.
    public var description: String {
        "(" + [x, y, z].map { formatNumber(($0 * 10).rounded() / 10) }.joined(separator: ", ") + ")"
    }

    /// Decodes `[x, y, z]` (three finite numbers).
    public init(from decoder: any Decoder) throws {
        let values = try decoder.singleValueContainer().decode([Double].self)
        guard let point = PatientPoint(values) else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: decoder.codingPath, debugDescription: "a patient position is three finite numbers"))
        }
        self = point
    }

    /// Encodes `[x, y, z]`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(values)
    }
}
