import DicomIO
import Foundation

/// Which frames of a file to preview.
public enum FrameSelection: Sendable, Equatable {
    /// The first frame.
    case first
    /// Every frame, decoded one at a time.
    case all
    /// Frame `n`, 1-based as clinicians count.
    case number(Int)

    /// Parses `first`, `all` or a 1-based frame number.
    public init?(argument: String) {
        switch argument {
        case "first": self = .first
        case "all": self = .all
        default:
            guard let number = Int(argument), number >= 1 else { return nil }
            self = .number(number)
        }
    }
}

/// Window choice as given on the command line: `file`, `minmax` or `C,W`.
public enum WindowArgument: Sendable, Equatable {
    /// The file's first window, or min-max when it has none.
    case file
    /// The frame's minimum to maximum.
    case minMax
    /// An explicit centre and width.
    case explicit(center: Double, width: Double)

    /// Parses `file`, `minmax` or `C,W` (width ≥ 1).
    public init?(argument: String) {
        switch argument.lowercased() {
        case "file": self = .file
        case "minmax", "min-max": self = .minMax
        default:
            let parts = argument.split(separator: ",")
            guard parts.count == 2, let center = Double(parts[0]), let width = Double(parts[1]), width >= 1 else {
                return nil
            }
            self = .explicit(center: center, width: width)
        }
    }

    var voi: VOISelection {
        switch self {
        case .file: .fileWindowOrMinMax
        case .minMax: .minMax
        case .explicit(let center, let width): .explicit(center: center, width: width)
        }
    }
}

/// Renders 8-bit PNG previews of DICOM frames at their stored size, written atomically.
public struct PreviewRenderer: Sendable {
    /// Frames to render.
    public var frames: FrameSelection
    /// VOI choice.
    public var window: WindowArgument
    /// Reader bounds for files from outside.
    public var readOptions: DicomReadOptions

    /// Creates a renderer.
    public init(
        frames: FrameSelection = .first, window: WindowArgument = .file, readOptions: DicomReadOptions = .init()
    ) {
        self.frames = frames
        self.window = window
        self.readOptions = readOptions
    }

    /// Renders `input` to PNG files named `outputStem` (plus `-fNNNN` per frame when several) and returns
    /// their paths. Nothing partial is left behind: each PNG is published by rename after fsync.
    public func render(_ input: String, outputStem: String) throws -> [String] {
        let file = try DicomFile(path: input, options: readOptions)
        let count = try file.frameCount()
        let indices: [Int]
        switch frames {
        case .first: indices = [0]
        case .all: indices = Array(0..<count)
        case .number(let number):
            guard number <= count else {
                throw DicomError(
                    .frameOutOfRange, path: input,
                    message: "frame \(number) requested but the image has \(count) frame(s)")
            }
            indices = [number - 1]
        }
        try FileManager.default.createDirectory(
            atPath: (outputStem as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        var written: [String] = []
        for index in indices {
            let frame = try file.renderedFrame(index, voi: window.voi)
            let png = try PNGEncoder.encode(
                width: frame.width, height: frame.height, samplesPerPixel: frame.samplesPerPixel, pixels: frame.pixels)
            let path = indices.count > 1 ? outputStem + String(format: "-f%04d.png", index + 1) : outputStem + ".png"
            try AtomicFile.write(png, to: path)
            written.append(path)
        }
        return written
    }
}
