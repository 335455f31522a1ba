import Imaging
import SpineModel
import Store

/// Where a study's labelled discs fall on one of its images, and how they are drawn there: a cyan cross on the
/// disc's centre with a leader to the level name on its left (docs/overlays.md).
enum DiscLabelOverlay {
    /// A labelled disc is drawn on an image whose plane passes within this distance (mm) of its centre: the
    /// sagittal slices through the middle of a disc, and an axial block through it.
    static let planeTolerance = 8.0

    /// The labelled discs whose centres lie within `planeTolerance` of frame `frame` (from 1) of `record` and
    /// inside the image, at their pixel (SCOORD: x column, y row). Empty for an image without geometry.
    static func project(_ labels: DiscLabelSet, on record: InstanceRecord, frame: Int) -> [(DiscLevel, PixelPoint)] {
        guard !labels.labels.isEmpty, let geometry = record.frameGeometry(frame: frame),
            let origin = geometry.imagePosition, origin.count == 3, let orientation = geometry.imageOrientation,
            orientation.count == 6, let spacing = geometry.pixelSpacing, spacing.count == 2, spacing[0] > 0,
            spacing[1] > 0
        else { return [] }
        let row = Array(orientation[0..<3])
        let column = Array(orientation[3..<6])
        let normal = [
            row[1] * column[2] - row[2] * column[1], row[2] * column[0] - row[0] * column[2],
            row[0] * column[1] - row[1] * column[0],
        ]
        func dot(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map(*).reduce(0, +) }
        return labels.labels.compactMap { label in
            let offset = zip(label.position.values, origin).map(-)
            guard abs(dot(offset, normal)) <= planeTolerance else { return nil }
            let point = PixelPoint(x: dot(offset, row) / spacing[1] + 0.5, y: dot(offset, column) / spacing[0] + 0.5)
            guard point.x.isFinite, point.y.isFinite, (0...Double(record.columns)).contains(point.x),
                (0...Double(record.rows)).contains(point.y)
            else { return nil }
            return (label.level, point)
        }
    }

    /// The items drawing `projected` discs: a cross on each disc's centre, a leader `reach` source pixels long to
    /// its left, and the level name at the leader's end, text `size` preview pixels high.
    static func items(_ projected: [(DiscLevel, PixelPoint)], size: Double, reach: Double) -> [OverlayItem] {
        projected.flatMap { level, point in
            let centre = OverlayPoint(x: point.x, y: point.y)
            let end = OverlayPoint(x: point.x - reach, y: point.y)
            return [
                OverlayItem.marker(centre, shape: .cross, size: size, color: .cyan),
                .polyline(
                    [end, OverlayPoint(x: point.x - reach * 0.3, y: point.y)], closed: false, color: .cyan,
                    lineWidth: 1.5),
                .label(level.name, at: end, anchor: .right, size: size, color: .cyan),
            ]
        }
    }

    /// How far to the left of a disc its name goes (source pixels): a twelfth of the preview's width, so the name
    /// clears the disc on a sagittal slice.
    static func reach(previewWidth: Int, scale: Double) -> Double {
        Double(previewWidth) / 12 / max(scale, 1e-6)
    }
}
