import CPNGWriter
import Foundation

/// Encodes previews as PNG through libpng: 8- or 16-bit grey, 8- or 16-bit RGB.
public enum PNGEncoder {
    /// How hard libpng compresses: previews favour speed, archives size.
    public enum Compression: Sendable {
        /// The Up row filter with zlib's run-length strategy: about 3× faster than libpng's own "fast" setting
        /// (level 3, no filter) on MR and fluoroscopy previews, with smaller files (docs/performance.md).
        case fast
        /// zlib level 6 with adaptive row filters.
        case standard
    }

    /// A PNG encoding or decoding failure with libpng's message.
    public struct EncodingError: Error, CustomStringConvertible, Sendable {
        /// libpng's message.
        public var message: String
        /// "PNG encoding failed: …".
        public var description: String { "PNG encoding failed: \(message)" }
    }

    /// Encodes a preview image.
    public static func encode(_ image: PreviewImage, compression: Compression = .fast) throws -> Data {
        var output: UnsafeMutablePointer<UInt8>?
        var size = 0
        var message = [CChar](repeating: 0, count: 256)
        let level = compression == .fast ? CPNG_FAST : CPNG_STANDARD
        let succeeded: Int32
        if image.bitDepth == 16 {
            succeeded = image.samples.withUnsafeBytes { pixels in
                cpng_encode(
                    UInt32(image.width), UInt32(image.height), Int32(image.channels.rawValue), 16, pixels.baseAddress,
                    level, &output, &size, &message, message.count)
            }
        } else {
            let bytes = image.bytes8
            succeeded = bytes.withUnsafeBytes { pixels in
                cpng_encode(
                    UInt32(image.width), UInt32(image.height), Int32(image.channels.rawValue), 8, pixels.baseAddress,
                    level, &output, &size, &message, message.count)
            }
        }
        guard succeeded != 0, let output else {
            throw EncodingError(message: String(decoding: message.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self))
        }
        defer { cpng_free(output) }
        return Data(bytes: output, count: size)
    }
}

/// Decodes PNG files back into preview images through libpng, samples exactly as stored (tests and cine checks
/// use it to prove what was written).
public enum PNGDecoder {
    /// Decodes a grey or RGB PNG (8 or 16 bits), keeping its bit depth and channels (alpha is dropped).
    public static func decode(_ data: Data) throws -> PreviewImage {
        var width: UInt32 = 0
        var height: UInt32 = 0
        var channels: Int32 = 0
        var depth: Int32 = 0
        var output: UnsafeMutablePointer<UInt8>?
        var message = [CChar](repeating: 0, count: 256)
        let succeeded = data.withUnsafeBytes { bytes in
            cpng_decode(
                bytes.bindMemory(to: UInt8.self).baseAddress, bytes.count, &width, &height, &channels, &depth, &output,
                &message, message.count)
        }
        guard succeeded != 0, let output else {
            throw PNGEncoder.EncodingError(
                message: String(decoding: message.prefix { $0 != 0 }.map(UInt8.init), as: UTF8.self))
        }
        defer { cpng_free(output) }
        guard channels == 1 || channels == 3 else {
            throw PNGEncoder.EncodingError(message: "\(channels) channels after expansion; expected grey or RGB")
        }
        let count = Int(width) * Int(height) * Int(channels)
        let samples: [UInt16] =
            depth == 16
            ? UnsafeRawPointer(output).withMemoryRebound(to: UInt16.self, capacity: count) {
                Array(UnsafeBufferPointer(start: $0, count: count))
            }
            : Array(UnsafeBufferPointer(start: output, count: count)).map(UInt16.init)
        return PreviewImage(
            width: Int(width), height: Int(height), channels: channels == 3 ? .rgb : .grey,
            bitDepth: Int(depth), samples: samples)
    }
}
