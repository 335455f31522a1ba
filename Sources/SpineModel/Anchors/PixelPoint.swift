/// A point on an image in pixel coordinates, as DICOM SCOORD writes them.
///
/// `x` is the column and `y` the row, both in pixels and fractional; (0, 0) is the top-left corner of the
/// top-left pixel, so that pixel's centre is (0.5, 0.5).
public struct PixelPoint: Codable, Sendable, Hashable {
    /// Column coordinate, increasing to the right.
    public var x: Double
    /// Row coordinate, increasing downwards.
    public var y: Double

    /// Creates a point.
    public init(x: Double, y: Double) {
        self.x = x
        self.y = y
    }

    /// The point's zero-based column and row indices in the pixel-centre convention of Image Position
    /// (Patient): `x − 0.5`, `y − 0.5`.
    public var centreIndices: (column: Double, row: Double) { (x - 0.5, y - 0.5) }
}
