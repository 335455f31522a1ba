import AnnulusRecords
import ArgumentParser
import DicomIO
import Foundation
import Imaging
import SpineModel
import Store
import TextSafety

/// `annulus annotate preview`: burned-in previews of a study's anchored findings.
struct AnnotatePreview: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Render each annotated image with its findings burned in (marker, level, short finding text).",
        discussion: """
            One PNG per annotated image frame: OUT/series<N>-<instance>[-fN]-annotated.png. Drafts are drawn in \
            yellow, signed findings in green (a legend says so); retracted findings are left out. Written atomically.
            """
    )

    @Argument(help: "The study: Study Instance UID, accession number or a unique prefix.")
    var study: String

    @Option(name: .long, help: "Folder to write PNG files into (created if missing).")
    var out: String

    @Option(help: ArgumentHelp("Longest side of each preview in pixels (default: the stored size).", valueName: "PX"))
    var size: Int?

    @Option(help: ArgumentHelp("Window: \(WindowChoice.syntax).", valueName: "choice"))
    var window: String = "file"

    @Flag(help: "Print one JSON object per PNG written.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var reader: ReaderOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard WindowChoice(argument: window) != nil else {
            throw ValidationError("--window must be \(WindowChoice.syntax) (got '\(window.terminalSafe)')")
        }
        if let size, !(64...8192).contains(size) {
            throw ValidationError("--size must be between 64 and 8192 pixels (got \(size))")
        }
    }

    mutating func run() async throws {
        try global.bootstrap()
        let store = try storeOptions.open()
        let target = try store.resolveStudy(study)
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
        let output = OutputLines()
        guard !order.isEmpty else {
            output.write("no anchored findings in this study: add one with --series/--instance/--point")
            return
        }
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let options = PreviewOptions(window: WindowChoice(argument: window) ?? .automatic, longestSide: size)
        for key in order {
            let findings = byImage[key] ?? []
            let anchor = findings[0].1.anchor!
            guard let record = try store.instance(sopInstanceUID: anchor.sopInstanceUID) else {
                throw ValidationError(
                    "image \(anchor.sopInstanceUID.terminalSafe) is no longer in the store; re-ingest the study")
            }
            let renderer = try FrameRenderer(file: DicomFile(path: record.path, options: reader.readOptions))
            var image = try renderer.image(frame: anchor.frame - 1, options: options)
            try image.burn(Self.layer(findings, source: record, preview: image))
            let name =
                "series\(record.seriesNumber ?? 0)-\(record.instanceNumber ?? 0)"
                + (record.frames > 1 ? "-f\(anchor.frame)" : "") + "-annotated.png"
            let path = out + "/" + name
            try AtomicFile.write(try PNGEncoder.encode(image), to: path)
            if json {
                output.write(
                    JSONLine.encode(
                        AnnotatedPreview(
                            path: path, sopInstanceUID: record.sopInstanceUID, frame: anchor.frame,
                            annotations: findings.map(\.0.annotationID))))
            } else {
                output.write("OK   \(path.terminalSafe) (\(findings.count) finding\(findings.count == 1 ? "" : "s"))")
            }
        }
    }

    struct AnnotatedPreview: Encodable {
        var path: String
        var sopInstanceUID: String
        var frame: Int
        var annotations: [String]
    }

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
