import SpineModel
import Testing

@Suite("Image anchors and patient coordinates")
struct AnchorTests {
    /// A sagittal lumbar slice: rows run head to foot (−z in LPS), columns anterior to posterior (+y).
    /// Image Position (Patient) is the centre of the top-left pixel; Pixel Spacing 0.5 mm between rows,
    /// 0.75 mm between columns.
    static let sagittal = (
        position: [-10.0, -150.0, 100.0], row: [0.0, 1.0, 0.0], column: [0.0, 0.0, -1.0],
        spacing: (row: 0.5, column: 0.75)
    )

    static func position(_ point: PixelPoint) -> [Double] {
        ImageAnchor.patientPosition(
            of: point, imagePosition: sagittal.position, rowDirection: sagittal.row, columnDirection: sagittal.column,
            pixelSpacing: sagittal.spacing
        )
    }

    @Test("a sagittal point: column 100, row 200 (pixel centres) is 75 mm posterior and 100 mm caudal of S")
    func sagittalSlice() {
        // i = 100.5 − 0.5 = 100 columns × 0.75 mm along +y; j = 200.5 − 0.5 = 200 rows × 0.5 mm along −z.
        #expect(Self.position(PixelPoint(x: 100.5, y: 200.5)) == [-10, -75, 0])
        // The centre of the top-left pixel is Image Position (Patient) itself.
        #expect(Self.position(PixelPoint(x: 0.5, y: 0.5)) == [-10, -150, 100])
        // The top-left corner of the image is half a pixel before it in both directions.
        #expect(Self.position(PixelPoint(x: 0, y: 0)) == [-10, -150.375, 100.25])
    }

    @Test("an axial point with non-square spacing and an oblique row direction")
    func axialAndOblique() {
        let axial = ImageAnchor.patientPosition(
            of: PixelPoint(x: 10.5, y: 20.5), imagePosition: [-120, -100, 50], rowDirection: [1, 0, 0],
            columnDirection: [0, 1, 0], pixelSpacing: (row: 0.8, column: 0.6)
        )
        #expect(axial == [-114, -84, 50])
        let half = 0.5.squareRoot()
        let oblique = ImageAnchor.patientPosition(
            of: PixelPoint(x: 4.5, y: 0.5), imagePosition: [0, 0, 0], rowDirection: [half, half, 0],
            columnDirection: [0, 0, -1], pixelSpacing: (row: 1, column: 2)
        )
        // 4 columns × 2 mm = 8 mm along (√½, √½, 0).
        #expect(abs(oblique[0] - 8 * half) < 1e-12)
        #expect(abs(oblique[1] - 8 * half) < 1e-12)
        #expect(oblique[2] == 0)
    }

    @Test("withPatientPositions fills one position per point and checks the geometry")
    func withPositions() throws {
        let anchor = ImageAnchor(
            studyInstanceUID: "1.2.3", seriesInstanceUID: "1.2.3.4", sopInstanceUID: "1.2.3.4.5", frame: 1,
            points: [PixelPoint(x: 100.5, y: 200.5), PixelPoint(x: 0.5, y: 0.5)]
        )
        #expect(anchor.isPolyline)
        let placed = try anchor.withPatientPositions(
            imagePosition: Self.sagittal.position, rowDirection: Self.sagittal.row,
            columnDirection: Self.sagittal.column, pixelSpacing: Self.sagittal.spacing
        )
        #expect(placed.patientPositions == [[-10, -75, 0], [-10, -150, 100]])
        try placed.validate()
        let badDirection = validationError { () throws(SpineValidationError) in
            try anchor.withPatientPositions(
                imagePosition: [0, 0, 0], rowDirection: [2, 0, 0], columnDirection: [0, 1, 0], pixelSpacing: (1, 1)
            )
        }
        #expect(badDirection?.problem == .invalidAnchor)
        #expect(badDirection?.field == "rowDirection")
        let shortPosition = validationError { () throws(SpineValidationError) in
            try anchor.withPatientPositions(
                imagePosition: [0, 0], rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], pixelSpacing: (1, 1)
            )
        }
        #expect(shortPosition?.message == "imagePosition needs three finite values")
        let zeroSpacing = validationError { () throws(SpineValidationError) in
            try anchor.withPatientPositions(
                imagePosition: [0, 0, 0], rowDirection: [1, 0, 0], columnDirection: [0, 1, 0], pixelSpacing: (0, 1)
            )
        }
        #expect(zeroSpacing?.field == "pixelSpacing")
    }

    @Test("validate refuses bad UIDs, frames, points and positions")
    func validation() throws {
        let good = ImageAnchor(
            studyInstanceUID: "2.25.1234", seriesInstanceUID: "2.25.1234.1", sopInstanceUID: "2.25.1234.1.0",
            points: [PixelPoint(x: 3, y: 4)]
        )
        try good.validate()
        #expect(good.frame == 1)
        #expect(!good.isPolyline)
        func problem(_ change: (inout ImageAnchor) -> Void) -> SpineValidationError? {
            var anchor = good
            change(&anchor)
            return validationError { () throws(SpineValidationError) in try anchor.validate() }
        }
        #expect(problem { $0.studyInstanceUID = "" }?.field == "studyInstanceUID")
        #expect(problem { $0.seriesInstanceUID = "1.2.abc" }?.field == "seriesInstanceUID")
        #expect(problem { $0.sopInstanceUID = "1.02.3" }?.field == "sopInstanceUID")
        #expect(problem { $0.sopInstanceUID = "1..3" } != nil)
        #expect(problem { $0.sopInstanceUID = String(repeating: "1", count: 65) } != nil)
        #expect(problem { $0.frame = 0 }?.message == "frame counts from 1, got 0")
        #expect(problem { $0.points = [] }?.message == "an anchor needs at least one point")
        #expect(problem { $0.points = [PixelPoint(x: -1, y: 0)] }?.field == "points")
        #expect(problem { $0.points = [PixelPoint(x: .infinity, y: 0)] }?.field == "points")
        #expect(problem { $0.patientPositions = [[1, 2, 3], [4, 5, 6]] }?.field == "patientPositions")
        #expect(problem { $0.patientPositions = [[1, 2]] }?.field == "patientPositions")
        #expect(problem { $0.patientPositions = [[1, 2, 3]] } == nil)
    }
}
