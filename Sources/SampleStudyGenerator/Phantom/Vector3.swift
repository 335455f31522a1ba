import Foundation

/// A point or direction in DICOM patient coordinates (LPS: +x = patient left, +y = posterior, +z = superior),
/// millimetres.
public struct Vector3: Sendable, Equatable, Hashable {
    /// Left–right component (+ = patient left), mm.
    public var x: Double
    /// Anterior–posterior component (+ = posterior), mm.
    public var y: Double
    /// Inferior–superior component (+ = superior/head), mm.
    public var z: Double

    /// Creates a vector from its three components.
    public init(_ x: Double, _ y: Double, _ z: Double) {
        self.x = x
        self.y = y
        self.z = z
    }

    /// The zero vector.
    public static let zero = Vector3(0, 0, 0)

    /// Component-wise sum.
    public static func + (lhs: Vector3, rhs: Vector3) -> Vector3 {
        Vector3(lhs.x + rhs.x, lhs.y + rhs.y, lhs.z + rhs.z)
    }

    /// Component-wise difference.
    public static func - (lhs: Vector3, rhs: Vector3) -> Vector3 {
        Vector3(lhs.x - rhs.x, lhs.y - rhs.y, lhs.z - rhs.z)
    }

    /// Negation.
    public static prefix func - (value: Vector3) -> Vector3 {
        Vector3(-value.x, -value.y, -value.z)
    }

    /// Scales a vector by a scalar.
    public static func * (lhs: Vector3, rhs: Double) -> Vector3 {
        Vector3(lhs.x * rhs, lhs.y * rhs, lhs.z * rhs)
    }

    /// Scales a vector by a scalar.
    public static func * (lhs: Double, rhs: Vector3) -> Vector3 {
        Vector3(rhs.x * lhs, rhs.y * lhs, rhs.z * lhs)
    }

    /// Divides every component by a scalar.
    public static func / (lhs: Vector3, rhs: Double) -> Vector3 {
        Vector3(lhs.x / rhs, lhs.y / rhs, lhs.z / rhs)
    }

    /// Scalar (dot) product.
    public func dot(_ other: Vector3) -> Double {
        x * other.x + y * other.y + z * other.z
    }

    /// Vector (cross) product `self × other`.
    public func cross(_ other: Vector3) -> Vector3 {
        Vector3(y * other.z - z * other.y, z * other.x - x * other.z, x * other.y - y * other.x)
    }

    /// Euclidean length.
    public var length: Double {
        (x * x + y * y + z * z).squareRoot()
    }

    /// The unit vector with the same direction; the zero vector stays zero.
    public var normalized: Vector3 {
        let len = length
        return len > 0 ? self / len : self
    }
}

/// Where an image plane lies: DICOM ImagePositionPatient (centre of the first transmitted pixel),
/// ImageOrientationPatient (rowDirection = direction of increasing column index, columnDirection = direction of
/// increasing row index), PixelSpacing.
public struct SliceGeometry: Sendable, Equatable, Hashable {
    /// ImagePositionPatient: patient-space centre of pixel (row 0, column 0).
    public var origin: Vector3
    /// First 3 values of ImageOrientationPatient: direction of increasing column index (unit vector).
    public var rowDirection: Vector3
    /// Last 3 values of ImageOrientationPatient: direction of increasing row index (unit vector).
    public var columnDirection: Vector3
    /// PixelSpacing[0]: distance between centres of adjacent rows, mm.
    public var rowSpacing: Double
    /// PixelSpacing[1]: distance between centres of adjacent columns, mm.
    public var columnSpacing: Double
    /// Number of rows (image height).
    public var rows: Int
    /// Number of columns (image width).
    public var columns: Int

    /// Creates a slice geometry from its DICOM attributes.
    public init(
        origin: Vector3,
        rowDirection: Vector3,
        columnDirection: Vector3,
        rowSpacing: Double,
        columnSpacing: Double,
        rows: Int,
        columns: Int
    ) {
        self.origin = origin
        self.rowDirection = rowDirection
        self.columnDirection = columnDirection
        self.rowSpacing = rowSpacing
        self.columnSpacing = columnSpacing
        self.rows = rows
        self.columns = columns
    }

    /// Patient-space centre of pixel (row, column).
    public func point(row: Int, column: Int) -> Vector3 {
        origin + rowDirection * (Double(column) * columnSpacing) + columnDirection * (Double(row) * rowSpacing)
    }

    /// Unit normal of the plane (`rowDirection × columnDirection`), e.g. to sort a stack of slices.
    public var normal: Vector3 {
        rowDirection.cross(columnDirection).normalized
    }

    /// Patient-space centre of the image (midway between the centres of the first and last pixels).
    public var center: Vector3 {
        origin
            + rowDirection * (Double(columns - 1) * 0.5 * columnSpacing)
            + columnDirection * (Double(rows - 1) * 0.5 * rowSpacing)
    }

    /// A plane of `rows × columns` pixels whose centre (see `center`) is at `center`.
    public static func centered(
        at center: Vector3,
        rowDirection: Vector3,
        columnDirection: Vector3,
        rowSpacing: Double,
        columnSpacing: Double,
        rows: Int,
        columns: Int
    ) -> SliceGeometry {
        let origin =
            center
            - rowDirection * (Double(columns - 1) * 0.5 * columnSpacing)
            - columnDirection * (Double(rows - 1) * 0.5 * rowSpacing)
        return SliceGeometry(
            origin: origin,
            rowDirection: rowDirection,
            columnDirection: columnDirection,
            rowSpacing: rowSpacing,
            columnSpacing: columnSpacing,
            rows: rows,
            columns: columns
        )
    }
}
