extension ImageAnchor {
    /// The patient-coordinate position (LPS, mm) of a pixel point, by the DICOM formula (PS3.3 C.7.6.2.1.1):
    ///
    ///     P = S + i · Δc · X + j · Δr · Y
    ///
    /// where S is Image Position (Patient), the centre of the first transmitted pixel; X the row direction
    /// (the first three values of Image Orientation (Patient), the direction of increasing column index);
    /// Y the column direction (the last three, increasing row index); Δc the column spacing (Pixel Spacing's
    /// second value, between adjacent columns) and Δr the row spacing (its first value, between adjacent rows);
    /// i and j the zero-based column and row indices of pixel centres. A SCOORD point (x, y) has its (0, 0) at
    /// the top-left corner of the top-left pixel, so i = x − 0.5 and j = y − 0.5.
    ///
    /// - Precondition: `imagePosition`, `rowDirection` and `columnDirection` have three values each;
    ///   `withPatientPositions` checks the geometry and throws instead.
    public static func patientPosition(
        of point: PixelPoint,
        imagePosition: [Double],
        rowDirection: [Double],
        columnDirection: [Double],
        pixelSpacing: (row: Double, column: Double)
    ) -> [Double] {
        precondition(
            imagePosition.count == 3 && rowDirection.count == 3 && columnDirection.count == 3,
            "image position and directions need three values each"
        )
        let (i, j) = point.centreIndices
        return (0..<3).map { axis in
            imagePosition[axis] + i * pixelSpacing.column * rowDirection[axis] + j * pixelSpacing.row
                * columnDirection[axis]
        }
    }

    /// The anchor with `patientPositions` computed for every point from the frame's geometry.
    ///
    /// - Throws: `SpineValidationError` (`invalid-anchor`) when a vector does not have three finite values, a
    ///   direction is not a unit vector (within 1%), or a spacing is not positive.
    public func withPatientPositions(
        imagePosition: [Double],
        rowDirection: [Double],
        columnDirection: [Double],
        pixelSpacing: (row: Double, column: Double)
    ) throws(SpineValidationError) -> ImageAnchor {
        for (name, vector) in [
            ("imagePosition", imagePosition), ("rowDirection", rowDirection), ("columnDirection", columnDirection),
        ] where vector.count != 3 || !vector.allSatisfy(\.isFinite) {
            throw Self.invalid(
                name, vector.map(formatNumber).joined(separator: ","), "\(name) needs three finite values")
        }
        for (name, vector) in [("rowDirection", rowDirection), ("columnDirection", columnDirection)] {
            let length = vector.map { $0 * $0 }.reduce(0, +).squareRoot()
            guard abs(length - 1) <= 0.01 else {
                throw Self.invalid(
                    name, vector.map(formatNumber).joined(separator: ","),
                    "\(name) is not a unit vector (length \(length)): check Image Orientation (Patient)"
                )
            }
        }
        guard pixelSpacing.row > 0, pixelSpacing.column > 0, pixelSpacing.row.isFinite, pixelSpacing.column.isFinite
        else {
            throw Self.invalid(
                "pixelSpacing", "\(formatNumber(pixelSpacing.row)),\(formatNumber(pixelSpacing.column))",
                "pixel spacing must be two positive numbers (row, column) in mm"
            )
        }
        var anchor = self
        anchor.patientPositions = points.map {
            Self.patientPosition(
                of: $0, imagePosition: imagePosition, rowDirection: rowDirection, columnDirection: columnDirection,
                pixelSpacing: pixelSpacing
            )
        }
        return anchor
    }
}
