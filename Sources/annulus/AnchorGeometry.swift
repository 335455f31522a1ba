import SpineModel
import Store

extension InstanceRecord {
    /// Patient-space positions (mm, LPS) of pixel points on this image, or nil when its geometry is incomplete
    /// (no Image Position/Orientation (Patient) or Pixel Spacing, as in projection images).
    func patientPositions(of points: [PixelPoint]) -> [[Double]]? {
        guard let position = imagePosition, position.count == 3, let orientation = imageOrientation,
            orientation.count == 6, let spacing = pixelSpacing, spacing.count == 2
        else { return nil }
        return points.map {
            ImageAnchor.patientPosition(
                of: $0, imagePosition: position, rowDirection: Array(orientation[0..<3]),
                columnDirection: Array(orientation[3..<6]), pixelSpacing: (spacing[0], spacing[1]))
        }
    }
}
