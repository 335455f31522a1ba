/// What a study's headers say that bears on which part of the spine it shows: the study description and, per
/// series, Body Part Examined, the descriptions and the images' extent along the body. Plain values, read from
/// the store by the application.
public struct CoverageFacts: Sendable, Equatable {
    /// Study Description (0008,1030), when present.
    public var studyDescription: String?
    /// The study's series.
    public var series: [SeriesFacts]

    /// Creates the facts.
    public init(studyDescription: String?, series: [SeriesFacts]) {
        self.studyDescription = studyDescription
        self.series = series
    }
}

/// What one series' headers say.
public struct SeriesFacts: Sendable, Equatable {
    /// Series Instance UID.
    public var seriesInstanceUID: String
    /// Series Number, when present (used to name the series to people).
    public var seriesNumber: Int?
    /// Body Part Examined (0018,0015), when present.
    public var bodyPartExamined: String?
    /// Series Description (0008,103E), when present.
    public var seriesDescription: String?
    /// Protocol Name (0018,1030), when present.
    public var protocolName: String?
    /// How far the series' images reach along the body (mm, the craniocaudal axis of patient space), when their
    /// geometry is known (see `CraniocaudalExtent`).
    public var craniocaudalExtent: Double?

    /// Creates the facts of a series.
    public init(
        seriesInstanceUID: String, seriesNumber: Int? = nil, bodyPartExamined: String? = nil,
        seriesDescription: String? = nil, protocolName: String? = nil, craniocaudalExtent: Double? = nil
    ) {
        self.seriesInstanceUID = seriesInstanceUID
        self.seriesNumber = seriesNumber
        self.bodyPartExamined = bodyPartExamined
        self.seriesDescription = seriesDescription
        self.protocolName = protocolName
        self.craniocaudalExtent = craniocaudalExtent
    }
}

/// Where an image lies in patient space: Image Position and Orientation (Patient), Pixel Spacing and size.
public struct ImagePlane: Sendable, Equatable {
    /// Image Position (Patient): x, y, z of the first pixel's centre (mm, LPS).
    public var position: [Double]
    /// Image Orientation (Patient): the row direction then the column direction (six cosines).
    public var orientation: [Double]
    /// Pixel Spacing: the spacing between rows, then between columns (mm).
    public var pixelSpacing: [Double]
    /// Rows.
    public var rows: Int
    /// Columns.
    public var columns: Int

    /// Creates a plane.
    public init(position: [Double], orientation: [Double], pixelSpacing: [Double], rows: Int, columns: Int) {
        self.position = position
        self.orientation = orientation
        self.pixelSpacing = pixelSpacing
        self.rows = rows
        self.columns = columns
    }
}

/// How far a set of images reaches along the body: the spread of their corners on the z (foot–head) axis of
/// patient space. Patient coordinates are anatomical (z towards the head whatever the patient's position on the
/// table), but their origin is arbitrary, so an extent cannot name levels: it only says whether the images
/// reach further than one region can (see `LevelCoverage.multiRegionExtent`).
public enum CraniocaudalExtent {
    /// Largest coordinate (mm) or spacing accepted from a header; others make the plane unusable.
    static let largestMagnitude = 100_000.0

    /// The extent in mm of the usable planes' corners along z, or nil when no plane is usable (missing,
    /// non-finite or implausible values).
    public static func of(_ planes: [ImagePlane]) -> Double? {
        var lowest = Double.infinity
        var highest = -Double.infinity
        for plane in planes {
            guard let (low, high) = zRange(plane) else { continue }
            lowest = min(lowest, low)
            highest = max(highest, high)
        }
        return highest >= lowest ? highest - lowest : nil
    }

    /// The lowest and highest z of a plane's corners.
    static func zRange(_ plane: ImagePlane) -> (Double, Double)? {
        guard plane.position.count == 3, plane.orientation.count == 6, plane.pixelSpacing.count == 2,
            plane.rows >= 1, plane.columns >= 1,
            (plane.position + plane.orientation + plane.pixelSpacing).allSatisfy({
                $0.isFinite && abs($0) <= largestMagnitude
            }),
            plane.orientation.allSatisfy({ abs($0) <= 1.0001 }), plane.pixelSpacing.allSatisfy({ $0 > 0 })
        else { return nil }
        let z = plane.position[2]
        // Along a row (columns advance) by the column spacing, along a column (rows advance) by the row spacing.
        let acrossRow = plane.orientation[2] * plane.pixelSpacing[1] * Double(plane.columns - 1)
        let acrossColumn = plane.orientation[5] * plane.pixelSpacing[0] * Double(plane.rows - 1)
        let corners = [z, z + acrossRow, z + acrossColumn, z + acrossRow + acrossColumn]
        return (corners.min() ?? z, corners.max() ?? z)
    }
}
