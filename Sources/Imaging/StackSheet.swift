import DicomIO
import Foundation

/// Renders the contact sheet of one slice stack: slices in spatial order, each captioned with its number in
/// the stack and its position, under a title naming the series, plane, count and spacing.
public struct StackSheetRenderer: Sendable {
    /// Window choice and letters (size and depth are the sheet's own).
    public var options: PreviewOptions
    /// Reader bounds for files from outside.
    public var readOptions: DicomReadOptions
    /// zlib effort.
    public var compression: PNGEncoder.Compression

    /// Creates a sheet renderer.
    public init(
        options: PreviewOptions = PreviewOptions(), readOptions: DicomReadOptions = .init(),
        compression: PNGEncoder.Compression = .fast
    ) {
        self.options = options
        self.readOptions = readOptions
        self.compression = compression
    }

    /// What to burn on one tile: the layer for a slice (on its source pixel grid; the layer's transform is set to
    /// the tile's scale), or nil for none.
    public typealias TileOverlay = @Sendable (StackSlice) -> OverlayLayer?

    /// Renders `stack` of `series` and writes it to `path` atomically, with `tileOverlay` burned on each tile.
    public func render(
        stack: SliceStack, of series: SeriesModel, to path: String, tileOverlay: TileOverlay? = nil
    ) throws -> PreviewOutput {
        let sheet = try image(stack: stack, of: series, tileOverlay: tileOverlay)
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try AtomicFile.write(
            try PNGEncoder.encode(sheet, compression: compression), to: path, durability: .deferred)
        return PreviewOutput(path: path, kind: .sheet, width: sheet.width, height: sheet.height, frames: 1)
    }

    /// The sheet image of `stack`, with `tileOverlay` burned on each tile (scaled to the tile, so marks made on
    /// the source pixels land where they belong).
    public func image(stack: SliceStack, of series: SeriesModel, tileOverlay: TileOverlay? = nil) throws
        -> PreviewImage
    {
        let tileSize = ContactSheet.tileSize(forCount: stack.slices.count)
        var tileOptions = options
        tileOptions.longestSide = tileSize
        tileOptions.bitDepth = 8
        tileOptions.window = try sharedWindow(stack)
        var tiles: [ContactSheet.Tile] = []
        for number in Self.shownSlices(count: stack.slices.count) {
            let slice = stack.slices[number]
            let renderer = try FrameRenderer(file: DicomFile(path: slice.path, options: readOptions))
            var tile = try renderer.image(frame: slice.frame, options: tileOptions)
            if var layer = tileOverlay?(slice) {
                let pixels = renderer.pixels
                layer.transform = OverlayTransform(
                    scaleX: Double(tile.width) / Double(max(1, pixels.columns)),
                    scaleY: Double(tile.height) / Double(max(1, pixels.rows)))
                try tile.burn(layer)
            }
            tiles.append(
                ContactSheet.Tile(
                    image: tile, caption: "\(number + 1)  " + Self.positionText(slice, plane: stack.plane)))
        }
        return try ContactSheet.compose(tiles: tiles, title: Self.title(stack, series), tileSize: tileSize)
    }

    /// The most tiles a sheet shows: a stack from outside can hold any number of slices, and the sheet keeps every
    /// tile in memory until it is composed. Longer stacks show this many, evenly spread, first and last included.
    public static let maximumTiles = 240

    /// The indices of the slices a sheet shows.
    static func shownSlices(count: Int) -> [Int] {
        guard count > maximumTiles else { return Array(0..<count) }
        return (0..<maximumTiles).map { $0 * (count - 1) / (maximumTiles - 1) }
    }

    /// One window for every slice when the window comes from the data (no file window): computed on the middle
    /// slice, so brightness does not jump from tile to tile.
    private func sharedWindow(_ stack: SliceStack) throws -> WindowChoice {
        switch options.window {
        case .automatic, .minMax, .percentile: break
        default: return options.window
        }
        let middle = stack.slices[stack.slices.count / 2]
        let file = try DicomFile(path: middle.path, options: readOptions)
        let pixels = try file.pixelDescription()
        guard pixels.samplesPerPixel == 1 else { return options.window }
        let parameters = GreyscaleParameters(dataset: file.dataset, frame: middle.frame, pixels: pixels)
        if options.window == .automatic && !parameters.windows.isEmpty { return options.window }
        do {
            return .resolved(
                try parameters.window(for: options.window, samples: file.storedFrame(middle.frame).samples))
        } catch let error as WindowingError {
            throw DicomError(.noSuchWindow, path: middle.path, message: error.message)
        }
    }

    /// "L 12.5" for a sagittal slice (its x), "S 40.0" axial (z), "A 3.0" coronal (y), "12.5 mm" along the
    /// normal of an oblique stack; "" when the position is unknown.
    static func positionText(_ slice: StackSlice, plane: ImagePlane) -> String {
        guard let position = slice.position else { return slice.location.map { String(format: "%.1f mm", $0) } ?? "" }
        func signed(_ value: Double, _ positive: String, _ negative: String) -> String {
            (value >= 0 ? positive : negative) + String(format: " %.1f", abs(value))
        }
        switch plane {
        case .sagittal: return signed(position.x, "L", "R")
        case .coronal: return signed(position.y, "P", "A")
        case .axial: return signed(position.z, "S", "I")
        default: return slice.location.map { String(format: "%.1f mm", $0) } ?? ""
        }
    }

    static func title(_ stack: SliceStack, _ series: SeriesModel) -> String {
        var parts: [String] = []
        if let number = series.number { parts.append("Series \(number)") }
        if let description = series.description, !description.isEmpty { parts.append(description) }
        if let echo = stack.echoNumber, series.stacks.count > 1 { parts.append("echo \(echo)") }
        parts.append(stack.plane.rawValue)
        parts.append("\(stack.slices.count) slice\(stack.slices.count == 1 ? "" : "s")")
        if stack.slices.count > maximumTiles { parts.append("\(maximumTiles) shown") }
        if let spacing = stack.spacing { parts.append(String(format: "%.2f mm apart", spacing)) }
        if !stack.issues.isEmpty {
            parts.append("\(stack.issues.count) geometry warning\(stack.issues.count == 1 ? "" : "s")")
        }
        return parts.joined(separator: " · ")
    }
}
