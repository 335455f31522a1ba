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
