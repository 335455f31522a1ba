import CLibPNG
import Foundation

/// Encodes 8-bit grey or RGB images as PNG through libpng's simplified API.
public enum PNGEncoder {
    /// How hard libpng compresses: previews favour speed, archives size.
    public enum Compression: Sendable {
        /// `PNG_IMAGE_FLAG_FAST`: about 4× faster than the default for slightly larger files.
        case fast
        /// libpng's default zlib level.
        case standard
    }

    /// A PNG encoding failure with libpng's message.
    public struct EncodingError: Error, CustomStringConvertible, Sendable {
        /// libpng's message.
        public var message: String
        /// "PNG encoding failed: …".
        public var description: String { "PNG encoding failed: \(message)" }
    }

    /// Encodes `pixels` (row-major, `samplesPerPixel` 1 or 3 interleaved) as an 8-bit PNG.
    public static func encode(
        width: Int, height: Int, samplesPerPixel: Int, pixels: [UInt8], compression: Compression = .fast
    ) throws -> Data {
        guard samplesPerPixel == 1 || samplesPerPixel == 3 else {
            throw EncodingError(message: "\(samplesPerPixel) samples per pixel; PNG previews take 1 or 3")
        }
        guard width > 0, height > 0, pixels.count == width * height * samplesPerPixel else {
            throw EncodingError(message: "\(pixels.count) samples do not make a \(width) x \(height) image")
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = samplesPerPixel == 1 ? UInt32(PNG_FORMAT_GRAY) : UInt32(PNG_FORMAT_RGB)
        image.flags = compression == .fast ? UInt32(PNG_IMAGE_FLAG_FAST) : 0
        var size = 0
        let sized = pixels.withUnsafeBytes { buffer in
            png_image_write_to_memory(&image, nil, &size, 0, buffer.baseAddress, 0, nil)
        }
        guard sized != 0, size > 0 else { throw EncodingError(message: message(of: &image)) }
        var output = Data(count: size)
        let written = output.withUnsafeMutableBytes { destination in
            pixels.withUnsafeBytes { buffer in
                png_image_write_to_memory(&image, destination.baseAddress, &size, 0, buffer.baseAddress, 0, nil)
            }
        }
        guard written != 0 else { throw EncodingError(message: message(of: &image)) }
        output.count = size
        return output
    }

    private static func message(of image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
    }
}
