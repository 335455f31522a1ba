import AnnulusRecords
import DicomIO
import Foundation
import Imaging
import SpineModel
import Store
import TextSafety

/// A request for burned-in previews of a study's anchored findings.
public struct AnnotatedPreviewRequest: Sendable {
    /// The study (UID, accession or unique prefix).
    public var study: String
    /// The folder to write into (created when missing).
    public var out: String
    /// Window and size of the previews.
    public var options: PreviewOptions

    /// Creates a request.
    public init(study: String, out: String, options: PreviewOptions) {
        self.study = study
        self.out = out
        self.options = options
    }
}

/// One annotated preview written.
public struct AnnotatedPreview: Sendable, Encodable, Equatable {
    /// The PNG.
    public var path: String
    /// The image.
    public var sopInstanceUID: String
    /// Its frame (from 1).
    public var frame: Int
    /// The findings drawn on it.
    public var annotations: [String]
}

extension UseCases {
    /// One PNG per annotated image frame of the study, `OUT/series<N>-<instance>[-fN]-annotated.png`, with each
    /// finding's marker (or polyline) and a short "LEVEL finding" label burned in: drafts yellow, signed green, a
    /// legend saying so; retracted findings left out. Written atomically. Empty when nothing is anchored.
    public func annotatedPreviews(_ request: AnnotatedPreviewRequest, by principal: Principal)
        async throws(AppError) -> [AnnotatedPreview]
    {
        try await perform { try self.annotatedPreviewsNow(request) }
    }

    func annotatedPreviewsNow(_ request: AnnotatedPreviewRequest) throws -> [AnnotatedPreview] {
        let store = environment.store
        let target = try store.resolveStudy(request.study)
        let versions = try store.annotations(studyUID: target.studyInstanceUID, includeRetracted: false)
        var byImage: [String: [(AnnotationVersion, LevelAnnotation)]] = [:]
        var order: [String] = []
        for version in versions {
            guard let annotation = try? LevelAnnotation.decode(version.payload), let anchor = annotation.anchor
            else { continue }
            let key = "\(anchor.sopInstanceUID)#\(anchor.frame)"
            if byImage[key] == nil { order.append(key) }
            byImage[key, default: []].append((version, annotation))
        }
        guard !order.isEmpty else { return [] }
        try FileManager.default.createDirectory(atPath: request.out, withIntermediateDirectories: true)
        var written: [AnnotatedPreview] = []
        for key in order {
            let findings = byImage[key] ?? []
            let anchor = findings[0].1.anchor!
            guard let record = try store.instance(sopInstanceUID: anchor.sopInstanceUID) else {
                throw AppError.notFound(
                    "image \(anchor.sopInstanceUID.terminalSafe) is no longer in the store; re-ingest the study",
                    code: "unknown-instance")
            }
            let renderer = try FrameRenderer(file: DicomFile(path: record.path, options: environment.readOptions))
            var image = try renderer.image(frame: anchor.frame - 1, options: request.options)
            try image.burn(AnnotationOverlay.layer(findings, source: record, preview: image))
            let name =
                "series\(record.seriesNumber ?? 0)-\(record.instanceNumber ?? 0)"
                + (record.frames > 1 ? "-f\(anchor.frame)" : "") + "-annotated.png"
            let path = request.out + "/" + name
            try AtomicFile.write(try PNGEncoder.encode(image), to: path)
            written.append(
                AnnotatedPreview(
                    path: path, sopInstanceUID: record.sopInstanceUID, frame: anchor.frame,
                    annotations: findings.map(\.0.annotationID)))
        }
        return written
    }
}

/// The overlay of an annotated preview.
enum AnnotationOverlay {
    /// Markers (or polylines) at each finding's anchor with short "LEVEL finding" labels beside them, on the side
    /// with more room, pushed down when they would overprint the label above.
    static func layer(
        _ findings: [(AnnotationVersion, LevelAnnotation)], source: InstanceRecord, preview: PreviewImage
    ) -> OverlayLayer {
        let transform = OverlayTransform(
            scaleX: Double(preview.width) / Double(max(1, source.columns)),
            scaleY: Double(preview.height) / Double(max(1, source.rows)))
        var layer = OverlayLayer(transform: transform)
        let textSize = max(11, Double(min(preview.width, preview.height)) / 36)
        let lineHeight = textSize * 1.5
        var lastLabelY: [Bool: Double] = [:]  // per side, in preview pixels
        let ordered = findings.sorted { ($0.1.anchor?.points.last?.y ?? 0) < ($1.1.anchor?.points.last?.y ?? 0) }
        for (version, annotation) in ordered {
            guard let anchor = annotation.anchor, let last = anchor.points.last else { continue }
            let color: OverlayColor = version.isSigned ? .green : .yellow
            let points = anchor.points.map { OverlayPoint(x: $0.x, y: $0.y) }
            if points.count == 1 {
                layer.add(.marker(points[0], shape: .circle, size: textSize * 1.4, color: color))
            } else {
                layer.add(.polyline(points, closed: false, color: color, lineWidth: 2))
            }
            let shortFinding = annotation.finding.summary.split(separator: ",").first.map(String.init) ?? ""
            let text = "\(annotation.level.name) \(shortFinding)"
            let pointX = last.x * transform.scaleX
            let onRight = pointX < Double(preview.width) / 2  // text goes where there is more room
            var labelY = last.y * transform.scaleY
            if let previous = lastLabelY[onRight], labelY < previous + lineHeight { labelY = previous + lineHeight }
            lastLabelY[onRight] = labelY
            let labelX = pointX + (onRight ? 12 : -12)
            layer.add(
                .label(
                    text, at: OverlayPoint(x: labelX / transform.scaleX, y: labelY / transform.scaleY),
                    anchor: onRight ? .left : .right, size: textSize, color: color))
        }
        // Colour says the status; the legend says what the colours mean and that drafts are preliminary.
        let legend =
            findings.contains { !$0.0.isSigned } ? "yellow: draft, preliminary until signed   green: signed" : "signed"
        layer.add(
            .label(
                legend, at: OverlayPoint(x: 6 / transform.scaleX, y: 6 / transform.scaleY), anchor: .topLeft,
                size: max(10, textSize * 0.8), color: .white))
        return layer
    }
}
