/// A display-ready raster: grey or RGB, 8 or 16 bits per sample, row-major, samples interleaved.
///
/// Every stage after windowing (resizing, overlays, contact sheets, PNG encoding) works on this one type, so a
/// preview can be 16-bit grey for a radiologist's tool or 8-bit RGB with burned-in annotations without each stage
/// knowing where the pixels came from.
public struct PreviewImage: Sendable, Equatable {
    /// Samples per pixel.
    public enum Channels: Int, Sendable {
        /// One grey sample per pixel; 0 is black.
        case grey = 1
        /// Red, green and blue, interleaved.
        case rgb = 3
    }

    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Grey or RGB.
    public var channels: Channels
    /// 8 or 16 bits per sample.
    public var bitDepth: Int
    /// Row-major samples, channels interleaved, each in `0...maxValue`.
    public var samples: [UInt16]

    /// The largest sample value: 255 or 65535.
    public var maxValue: UInt16 { bitDepth == 16 ? 65535 : 255 }

    /// Creates an image filled with `value` (black by default).
    public init(width: Int, height: Int, channels: Channels = .grey, bitDepth: Int = 8, fill value: UInt16 = 0) {
        precondition(width > 0 && height > 0, "an image needs at least one pixel")
        precondition(bitDepth == 8 || bitDepth == 16, "bit depth is 8 or 16")
        self.width = width
        self.height = height
        self.channels = channels
        self.bitDepth = bitDepth
        self.samples = [UInt16](repeating: value, count: width * height * channels.rawValue)
    }

    /// Wraps existing samples; `samples.count` must be `width × height × channels`.
    public init(width: Int, height: Int, channels: Channels, bitDepth: Int, samples: [UInt16]) {
        precondition(samples.count == width * height * channels.rawValue, "sample count does not match the size")
        precondition(bitDepth == 8 || bitDepth == 16, "bit depth is 8 or 16")
        self.width = width
        self.height = height
        self.channels = channels
        self.bitDepth = bitDepth
        self.samples = samples
    }

    /// The same picture with three channels (grey copied to red, green and blue).
    public func convertedToRGB() -> PreviewImage {
        guard channels == .grey else { return self }
        var rgb = [UInt16](repeating: 0, count: samples.count * 3)
        for index in samples.indices {
            let value = samples[index]
            rgb[3 * index] = value
            rgb[3 * index + 1] = value
            rgb[3 * index + 2] = value
        }
        return PreviewImage(width: width, height: height, channels: .rgb, bitDepth: bitDepth, samples: rgb)
    }

    /// The same picture at `depth` bits per sample (16 → 8 rounds; 8 → 16 multiplies by 257).
    public func converted(toBitDepth depth: Int) -> PreviewImage {
        guard depth != bitDepth else { return self }
        let converted: [UInt16] =
            depth == 8
            ? samples.map { UInt16((UInt32($0) * 255 + 32767) / 65535) }
            : samples.map { $0 &* 257 }
        return PreviewImage(width: width, height: height, channels: channels, bitDepth: depth, samples: converted)
    }

    /// The samples as bytes when `bitDepth` is 8.
    public var bytes8: [UInt8] { samples.map { UInt8(truncatingIfNeeded: $0) } }

    /// Copies `tile` into this image with its top-left corner at (`x`, `y`), clipping at the edges. Both images
    /// must have the same channels and bit depth.
    public mutating func paste(_ tile: PreviewImage, atX x: Int, y: Int) {
        precondition(tile.channels == channels && tile.bitDepth == bitDepth, "paste needs matching formats")
        let channelCount = channels.rawValue
        for row in 0..<tile.height {
            let targetRow = y + row
            guard targetRow >= 0, targetRow < height else { continue }
            let firstColumn = max(0, -x)
            let lastColumn = min(tile.width, width - x)
            guard firstColumn < lastColumn else { continue }
            let source = (row * tile.width + firstColumn) * channelCount
            let target = (targetRow * width + x + firstColumn) * channelCount
            let count = (lastColumn - firstColumn) * channelCount
            for offset in 0..<count { samples[target + offset] = tile.samples[source + offset] }
        }
    }
}
