import DicomIO
import Foundation

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
