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

/// One annotated preview written: an image frame with its findings and disc labels, or a contact sheet of a slice
/// stack with the disc labels.
public struct AnnotatedPreview: Sendable, Encodable, Equatable {
    /// What the PNG shows.
    public enum Kind: String, Sendable, Encodable, Equatable {
        /// One image frame.
        case image
        /// The contact sheet of a slice stack.
        case sheet
    }

    /// The PNG.
    public var path: String
    /// An image or a sheet.
    public var kind: Kind
    /// The image (images only).
    public var sopInstanceUID: String?
    /// Its frame, from 1 (images only).
    public var frame: Int?
    /// The findings drawn on it.
    public var annotations: [String]
    /// The labelled discs drawn on it (levels).
    public var discLabels: [String]
}

extension UseCases {
    /// One PNG per annotated image frame of the study, `OUT/series<N>-<instance>[-fN]-annotated.png`, with each
    /// finding's marker (or polyline) and a short "LEVEL finding" label burned in: drafts yellow, signed green, a
    /// legend saying so; retracted findings left out. When the study's discs are labelled, the images they were
    /// clicked on are drawn too, every image shows the labelled discs whose centre its plane passes near (cyan, the
    /// level name beside a cross), and each slice stack they fall on gets a contact sheet with them,
    /// `OUT/sheet-series<N>[-stackK]-levels.png`. Written atomically. Empty when nothing is anchored or labelled.
    public func annotatedPreviews(_ request: AnnotatedPreviewRequest, by principal: Principal)
        async throws(AppError) -> [AnnotatedPreview]
    {
        try await perform { try self.annotatedPreviewsNow(request) }
    }

    func annotatedPreviewsNow(_ request: AnnotatedPreviewRequest) throws -> [AnnotatedPreview] {
        let store = environment.store
        let target = try store.resolveStudy(request.study)
        let versions = try store.annotations(studyUID: target.studyInstanceUID, includeRetracted: false)
        let labels =
            try store.latestDiscLabels(studyUID: target.studyInstanceUID).map { try Self.readDiscLabels($0).labels }
            ?? DiscLabelSet()
        var byImage: [String: [(AnnotationVersion, LevelAnnotation)]] = [:]
        var order: [(sop: String, frame: Int)] = []
        func include(_ sop: String, _ frame: Int) {
            let key = "\(sop)#\(frame)"
            guard byImage[key] == nil else { return }
            byImage[key] = []
            order.append((sop, frame))
        }
        for version in versions {
            guard let annotation = try? LevelAnnotation.decode(version.payload), let anchor = annotation.anchor
            else { continue }
            include(anchor.sopInstanceUID, anchor.frame)
            byImage["\(anchor.sopInstanceUID)#\(anchor.frame)", default: []].append((version, annotation))
        }
        for label in labels.labels { include(label.anchor.sopInstanceUID, label.anchor.frame) }
        guard !order.isEmpty else { return [] }
        try FileManager.default.createDirectory(atPath: request.out, withIntermediateDirectories: true)
        var written: [AnnotatedPreview] = []
        for (sop, frame) in order {
            let findings = byImage["\(sop)#\(frame)"] ?? []
            guard let record = try store.instance(sopInstanceUID: sop) else {
                throw AppError.notFound(
                    "image \(sop.terminalSafe) is no longer in the store; re-ingest the study", code: "unknown-instance"
                )
            }
            let discs = DiscLabelOverlay.project(labels, on: record, frame: frame)
            let renderer = try FrameRenderer(file: DicomFile(path: record.path, options: environment.readOptions))
            var image = try renderer.image(frame: frame - 1, options: request.options)
            try image.burn(AnnotationOverlay.layer(findings, discs: discs, source: record, preview: image))
            let name =
                "series\(record.seriesNumber ?? 0)-\(record.instanceNumber ?? 0)"
                + (record.frames > 1 ? "-f\(frame)" : "") + "-annotated.png"
            let path = request.out + "/" + name
            try AtomicFile.write(try PNGEncoder.encode(image), to: path)
            written.append(
                AnnotatedPreview(
                    path: path, kind: .image, sopInstanceUID: record.sopInstanceUID, frame: frame,
                    annotations: findings.map(\.0.annotationID), discLabels: discs.map(\.0.name)))
        }
        return written + (try labelledSheets(target, labels: labels, request: request))
    }

    /// A contact sheet, with the disc labels on its tiles, of every slice stack of the study they fall on.
    private func labelledSheets(_ study: StudySummary, labels: DiscLabelSet, request: AnnotatedPreviewRequest) throws
        -> [AnnotatedPreview]
    {
        guard !labels.labels.isEmpty else { return [] }
        let store = environment.store
        var records: [String: InstanceRecord] = [:]
        var jobs: [RenderJob] = []
        for series in try store.series(ofStudy: study.studyInstanceUID) {
            for record in try store.instances(ofSeries: series.seriesInstanceUID) {
                records[record.sopInstanceUID] = record
                jobs.append(RenderJob(input: record.path, stem: request.out + "/" + record.sopInstanceUID))
            }
        }
        let renderer = StackSheetRenderer(options: request.options, readOptions: environment.readOptions)
        var written: [AnnotatedPreview] = []
        for plan in SheetPlanner.plan(jobs, readOptions: environment.readOptions) {
            // Tiles are square at most `tileSize` a side: the scale from a slice's pixels to its tile.
            let tileSize = ContactSheet.tileSize(forCount: plan.stack.slices.count)
            var levels: Set<DiscLevel> = []
            var layers: [String: OverlayLayer] = [:]
            for slice in plan.stack.slices {
                guard let record = records[slice.sopInstanceUID] else { continue }
                let discs = DiscLabelOverlay.project(labels, on: record, frame: slice.frame + 1)
                guard !discs.isEmpty else { continue }
                levels.formUnion(discs.map(\.0))
                let scale = Double(tileSize) / Double(max(1, record.columns, record.rows))
                layers["\(slice.sopInstanceUID)#\(slice.frame)"] = OverlayLayer(
                    items: DiscLabelOverlay.items(
                        discs, size: 10, reach: DiscLabelOverlay.reach(previewWidth: tileSize, scale: scale)))
            }
            guard !layers.isEmpty else { continue }
            let path = String(plan.path.dropLast(".png".count)) + "-levels.png"
            let tiles = layers
            _ = try renderer.render(stack: plan.stack, of: plan.series, to: path) { slice in
                tiles["\(slice.sopInstanceUID)#\(slice.frame)"]
            }
            written.append(
                AnnotatedPreview(
                    path: path, kind: .sheet, sopInstanceUID: nil, frame: nil, annotations: [],
                    discLabels: levels.sorted().map(\.name)))
        }
        return written
    }
}

/// The overlay of an annotated preview.
enum AnnotationOverlay {
    /// Markers (or polylines) at each finding's anchor with short "LEVEL finding" labels beside them, on the side
    /// with more room, pushed down when they would overprint the label above.
    static func layer(
        _ findings: [(AnnotationVersion, LevelAnnotation)], discs: [(DiscLevel, PixelPoint)] = [],
        source: InstanceRecord, preview: PreviewImage
    ) -> OverlayLayer {
        let transform = OverlayTransform(
            scaleX: Double(preview.width) / Double(max(1, source.columns)),
            scaleY: Double(preview.height) / Double(max(1, source.rows)))
        var layer = OverlayLayer(transform: transform)
        let textSize = max(11, Double(min(preview.width, preview.height)) / 36)
        let lineHeight = textSize * 1.5
        let reach = DiscLabelOverlay.reach(previewWidth: preview.width, scale: transform.scaleX)
        for item in DiscLabelOverlay.items(discs, size: textSize * 0.9, reach: reach) { layer.add(item) }
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
        var legend: [String] = []
        if findings.contains(where: { !$0.0.isSigned }) {
            legend.append("yellow: draft, preliminary until signed   green: signed")
        } else if !findings.isEmpty {
            legend.append("signed")
        }
        if !discs.isEmpty { legend.append("cyan: labelled discs") }
        guard !legend.isEmpty else { return layer }
        layer.add(
            .label(
                legend.joined(separator: "   "), at: OverlayPoint(x: 6 / transform.scaleX, y: 6 / transform.scaleY),
                anchor: .topLeft,
                size: max(10, textSize * 0.8), color: .white))
        return layer
    }
}
