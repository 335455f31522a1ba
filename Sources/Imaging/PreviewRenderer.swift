import DicomIO
import Foundation
import Synchronization

/// Which frames of a file to preview.
public enum FrameSelection: Sendable, Equatable {
    /// Single-frame images: the image; cines: an animated PNG; other multi-frame images: every frame.
    case automatic
    /// The first frame only.
    case first
    /// Every frame, decoded one at a time (a cine as one animated PNG).
    case all
    /// Frame `n`, 1-based as clinicians count.
    case number(Int)

    /// Parses `auto`, `first`, `all` or a 1-based frame number.
    public init?(argument: String) {
        switch argument {
        case "auto": self = .automatic
        case "first": self = .first
        case "all": self = .all
        default:
            guard let number = Int(argument), number >= 1 else { return nil }
            self = .number(number)
        }
    }
}

/// One file written by a renderer.
public struct PreviewOutput: Sendable, Equatable {
    /// What the file shows.
    public enum Kind: String, Sendable, Codable {
        /// A single image or one frame.
        case image
        /// An animated PNG of a cine.
        case cine
        /// A contact sheet.
        case sheet
    }

    /// Path of the PNG.
    public var path: String
    /// What it shows.
    public var kind: Kind
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Frames in it (more than one for a cine).
    public var frames: Int
}

/// Renders PNG previews of DICOM files: one per selected frame, an animated PNG per cine, and contact sheets.
/// Every PNG is written under a temporary name and renamed: a reader never sees a partial file. Previews are
/// derived data: the caller makes a whole batch durable with one `AtomicFile.syncFileSystem(containing:)`.
public struct PreviewRenderer: Sendable {
    /// Frames to render.
    public var frames: FrameSelection
    /// Window, size, depth and letters.
    public var options: PreviewOptions
    /// Reader bounds for files from outside.
    public var readOptions: DicomReadOptions
    /// Also write a contact sheet of each cine's frames.
    public var cineSheets: Bool
    /// zlib effort.
    public var compression: PNGEncoder.Compression

    /// Creates a renderer.
    public init(
        frames: FrameSelection = .automatic, options: PreviewOptions = PreviewOptions(),
        readOptions: DicomReadOptions = .init(), cineSheets: Bool = false, compression: PNGEncoder.Compression = .fast
    ) {
        self.frames = frames
        self.options = options
        self.readOptions = readOptions
        self.cineSheets = cineSheets
        self.compression = compression
    }

    /// Renders `input` to PNG files named `outputStem` plus `.png` (or `-fNNNN.png` per frame when several
    /// frames are written separately) and returns what was written.
    public func render(_ input: String, outputStem: String) throws -> [PreviewOutput] {
        let file = try DicomFile(path: input, options: readOptions)
        let renderer = try FrameRenderer(file: file)
        let count = renderer.pixels.frames
        try FileManager.default.createDirectory(
            atPath: (outputStem as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var written: [PreviewOutput] = []
        if renderer.isCine && (frames == .automatic || frames == .all) {
            written.append(try writeCine(renderer, to: outputStem + ".png"))
            if cineSheets { written.append(try writeCineSheet(renderer, to: outputStem + "-sheet.png")) }
            return written
        }
        let indices: [Int]
        switch frames {
        case .first: indices = [0]
        case .automatic, .all: indices = Array(0..<count)
        case .number(let number):
            guard number <= count else {
                throw DicomError(
                    .frameOutOfRange, path: input,
                    message: "frame \(number) requested but the image has \(count) frame(s)")
            }
            indices = [number - 1]
        }
        for index in indices {
            let image = try renderer.image(frame: index, options: options)
            let path = indices.count > 1 ? outputStem + String(format: "-f%04d.png", index + 1) : outputStem + ".png"
            try AtomicFile.write(
                try PNGEncoder.encode(image, compression: compression), to: path, durability: .deferred)
            written.append(
                PreviewOutput(path: path, kind: .image, width: image.width, height: image.height, frames: 1))
        }
        return written
    }

    /// Writes every frame of a cine into one animated PNG. Frames are decoded and encoded a small batch at a time
    /// on every core (each worker with its own open file, as DCMTK requires) and appended in order, so memory
    /// stays flat however long the cine is.
    private func writeCine(_ renderer: FrameRenderer, to path: String) throws -> PreviewOutput {
        let delays = renderer.frameDelays()
        let writer = try AnimatedPNGWriter(path: path, frameCount: delays.count)
        let workerCount = max(1, min(ProcessInfo.processInfo.activeProcessorCount, delays.count))
        var workers = [renderer]
        for _ in 1..<workerCount {
            workers.append(try FrameRenderer(file: DicomFile(path: renderer.file.path, options: readOptions)))
        }
        let pool = CineWorkers(workers)
        var size = (width: 0, height: 0)
        let batch = workerCount * 2
        for start in stride(from: 0, to: delays.count, by: batch) {
            let frames = Array(start..<min(start + batch, delays.count))
            let encoded = try pool.render(frames, options: options, compression: compression)
            for (offset, frame) in encoded.enumerated() {
                size = (frame.width, frame.height)
                try writer.append(png: frame.png, delayMilliseconds: delays[frames[offset]])
            }
        }
        try writer.finish()
        return PreviewOutput(path: path, kind: .cine, width: size.width, height: size.height, frames: delays.count)
    }

    /// A contact sheet of up to 48 frames of a cine, evenly sampled, captioned with frame number and time.
    private func writeCineSheet(_ renderer: FrameRenderer, to path: String) throws -> PreviewOutput {
        let delays = renderer.frameDelays()
        let shown = min(delays.count, 48)
        let picks = (0..<shown).map { $0 * (delays.count - 1) / max(1, shown - 1) }
        let tileSize = ContactSheet.tileSize(forCount: shown)
        var tileOptions = options
        tileOptions.longestSide = tileSize
        tileOptions.bitDepth = 8
        var tiles: [ContactSheet.Tile] = []
        for index in picks {
            let time = Double(delays[..<index].reduce(0, +)) / 1000
            tiles.append(
                ContactSheet.Tile(
                    image: try renderer.image(frame: index, options: tileOptions),
                    caption: String(format: "%d  %.1f s", index + 1, time)))
        }
        let header = renderer.header
        let title = [
            header.seriesNumber.map { "Series \($0)" }, header.seriesDescription, header.modality,
            "\(delays.count) frames", String(format: "%.1f fps", 1000 / Double(max(1, delays[0]))),
        ].compactMap { $0 }.joined(separator: " · ")
        let sheet = try ContactSheet.compose(tiles: tiles, title: title, tileSize: tileSize)
        try AtomicFile.write(
            try PNGEncoder.encode(sheet, compression: compression), to: path, durability: .deferred)
        return PreviewOutput(path: path, kind: .sheet, width: sheet.width, height: sheet.height, frames: 1)
    }
}

extension FrameRenderer {
    /// A multi-frame image whose frames are moments in time (fluoroscopy, angiography, ultrasound), not slices.
    public var isCine: Bool { CineTiming.isCine(dataset: file.dataset, frames: pixels.frames) }

    /// How long each frame is shown, in milliseconds (``CineTiming``: Frame Time, else Frame Time Vector, else Cine
    /// Rate, else Recommended Display Frame Rate, else 10 frames per second).
    public func frameDelays() -> [Int] {
        CineTiming(dataset: file.dataset, frames: pixels.frames).delays
    }
}

/// Renders batches of cine frames in parallel, worker `k` always using renderer `k` (one open file per thread).
// @unchecked: a FrameRenderer (its DicomFile) is not Sendable; renderer k is used by worker k only, one batch at a time.
private struct CineWorkers: @unchecked Sendable {
    struct Encoded {
        var png: Data
        var width: Int
        var height: Int
    }

    private let renderers: [FrameRenderer]

    init(_ renderers: [FrameRenderer]) { self.renderers = renderers }

    /// The PNGs of `frames`, in the order given.
    func render(_ frames: [Int], options: PreviewOptions, compression: PNGEncoder.Compression) throws -> [Encoded] {
        // Each worker fills its own slots; the array is shared, so it is behind a mutex.
        let slots = Mutex<[Result<Encoded, any Error>?]>(Array(repeating: nil, count: frames.count))
        let workerCount = renderers.count
        DispatchQueue.concurrentPerform(iterations: workerCount) { worker in
            for slot in stride(from: worker, to: frames.count, by: workerCount) {
                let result = Result { () throws -> Encoded in
                    let image = try renderers[worker].image(frame: frames[slot], options: options)
                    return Encoded(
                        png: try PNGEncoder.encode(image, compression: compression), width: image.width,
                        height: image.height)
                }
                slots.withLock { $0[slot] = result }
            }
        }
        return try slots.withLock { results in
            try results.map { try ($0 ?? .failure(PNGEncoder.EncodingError(message: "frame not rendered"))).get() }
        }
    }
}
