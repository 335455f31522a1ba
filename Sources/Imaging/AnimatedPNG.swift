import CPNGWriter
import DicomIO
import Foundation

/// Writes an animated PNG (APNG) one frame at a time, so memory does not grow with the number of frames.
///
/// Each frame is encoded by libpng as an ordinary PNG; the writer only relabels its chunks: the first frame's
/// IHDR and IDAT, an `acTL` with the frame count, an `fcTL` (size, delay) before every frame, and later frames'
/// image data as `fdAT`. Browsers play it; viewers without APNG support show the first frame.
public final class AnimatedPNGWriter {
    /// The final path.
    public let path: String
    private let temporaryPath: String
    private let handle: FileHandle
    private let frameCount: Int
    private var framesWritten = 0
    private var sequence: UInt32 = 0
    private var header: Data?
    private var finished = false

    /// Starts `path` (written under a temporary name until `finish`) for `frameCount` frames, looping forever.
    public init(path: String, frameCount: Int) throws {
        precondition(frameCount >= 1, "an animation needs a frame")
        self.path = path
        self.frameCount = frameCount
        temporaryPath = AtomicFile.temporaryPath(for: path)
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
            let handle = FileHandle(forWritingAtPath: temporaryPath)
        else {
            throw AtomicFile.WriteError(path: path, reason: "cannot create a temporary file in its folder")
        }
        self.handle = handle
    }

    deinit {
        if !finished {
            try? handle.close()
            unlink(temporaryPath)
        }
    }

    /// Appends one frame, given as a complete PNG of the same size and format as the first, shown for
    /// `delayMilliseconds`.
    public func append(png: Data, delayMilliseconds: Int) throws {
        guard framesWritten < frameCount else {
            throw PNGEncoder.EncodingError(message: "more frames than the \(frameCount) announced")
        }
        let chunks = try Self.chunks(of: png)
        guard let frameHeader = chunks.first(where: { $0.type == "IHDR" })?.data, frameHeader.count == 13 else {
            throw PNGEncoder.EncodingError(message: "frame \(framesWritten + 1) has no IHDR chunk")
        }
        if let header {
            guard header == frameHeader else {
                throw PNGEncoder.EncodingError(message: "frame \(framesWritten + 1) differs in size or format")
            }
        } else {
            header = frameHeader
            var output = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            output += Self.chunk("IHDR", frameHeader)
            output += Self.chunk("acTL", Self.bigEndian(UInt32(frameCount)) + Self.bigEndian(UInt32(0)))
            try write(output)
        }
        var control = Self.bigEndian(sequence)
        control += frameHeader.prefix(8)  // width and height
        control += Self.bigEndian(UInt32(0)) + Self.bigEndian(UInt32(0))  // x and y offset
        control += Self.bigEndian(UInt16(clamping: max(1, delayMilliseconds))) + Self.bigEndian(UInt16(1000))
        control += Data([0, 0])  // dispose: none; blend: source
        var output = Self.chunk("fcTL", control)
        sequence += 1
        for chunk in chunks where chunk.type == "IDAT" {
            if framesWritten == 0 {
                output += Self.chunk("IDAT", chunk.data)
            } else {
                output += Self.chunk("fdAT", Self.bigEndian(sequence) + chunk.data)
                sequence += 1
            }
        }
        try write(output)
        framesWritten += 1
    }

    /// Ends the file and publishes it atomically; fails if fewer frames than announced were appended.
    public func finish() throws {
        guard framesWritten == frameCount else {
            throw PNGEncoder.EncodingError(message: "\(framesWritten) of \(frameCount) frames written")
        }
        try write(Self.chunk("IEND", Data()))
        // Durability is the caller's, once per batch (AtomicFile.syncFileSystem): previews are derived data.
        try handle.close()
        finished = true
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw AtomicFile.WriteError(path: path, reason: reason)
        }
    }

    private func write(_ data: Data) throws {
        do { try handle.write(contentsOf: data) } catch {
            throw AtomicFile.WriteError(path: path, reason: "\(error)")
        }
    }

    /// One PNG chunk as it appears in a file.
    public struct Chunk: Sendable {
        /// Four-letter type.
        public var type: String
        /// Payload.
        public var data: Data
    }

    /// The chunks of a PNG or APNG file, CRCs checked.
    public static func chunks(of png: Data) throws -> [Chunk] {
        let bytes = [UInt8](png)
        guard bytes.count >= 8, bytes.prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] else {
            throw PNGEncoder.EncodingError(message: "not a PNG (bad signature)")
        }
        var chunks: [Chunk] = []
        var offset = 8
        while offset + 12 <= bytes.count {
            let length = bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            guard offset + 12 + length <= bytes.count else { break }
            let typeAndData = Array(bytes[(offset + 4)..<(offset + 8 + length)])
            let crc = bytes[(offset + 8 + length)..<(offset + 12 + length)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            guard crc == typeAndData.withUnsafeBufferPointer({ cpng_crc32(0, $0.baseAddress, $0.count) }) else {
                throw PNGEncoder.EncodingError(message: "chunk at byte \(offset) fails its CRC")
            }
            chunks.append(
                Chunk(
                    type: String(decoding: typeAndData.prefix(4), as: UTF8.self), data: Data(typeAndData.dropFirst(4))))
            offset += 12 + length
        }
        guard offset == bytes.count, chunks.last?.type == "IEND" else {
            throw PNGEncoder.EncodingError(message: "the PNG is truncated at byte \(offset)")
        }
        return chunks
    }

    static func chunk(_ type: String, _ data: Data) -> Data {
        var typeAndData = Data(type.utf8)
        typeAndData += data
        let crc = typeAndData.withUnsafeBytes { cpng_crc32(0, $0.bindMemory(to: UInt8.self).baseAddress, $0.count) }
        return bigEndian(UInt32(data.count)) + typeAndData + bigEndian(crc)
    }

    static func bigEndian<T: FixedWidthInteger>(_ value: T) -> Data {
        withUnsafeBytes(of: value.bigEndian) { Data($0) }
    }
}

/// Reads animated PNGs back frame by frame (tests and checks use it to prove what the writer produced).
public enum AnimatedPNGReader {
    /// One frame: its delay and pixels.
    public struct Frame: Sendable {
        /// Display time in milliseconds.
        public var delayMilliseconds: Double
        /// The decoded frame.
        public var image: PreviewImage
    }

    /// The frame count announced by `acTL`, or nil for a still PNG.
    public static func announcedFrameCount(_ png: Data) throws -> Int? {
        guard let control = try AnimatedPNGWriter.chunks(of: png).first(where: { $0.type == "acTL" }) else {
            return nil
        }
        return Int(control.data.prefix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
    }

    /// Decodes every frame, checking that sequence numbers run 0, 1, 2… without gaps.
    public static func frames(_ png: Data) throws -> [Frame] {
        let chunks = try AnimatedPNGWriter.chunks(of: png)
        guard let header = chunks.first(where: { $0.type == "IHDR" }) else {
            throw PNGEncoder.EncodingError(message: "no IHDR chunk")
        }
        func number(_ data: Data, at offset: Int, bytes: Int) -> UInt32 {
            data.dropFirst(offset).prefix(bytes).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        }
        var frames: [Frame] = []
        var pending: (delay: Double, data: [Data])?
        var expectedSequence: UInt32 = 0
        func flush() throws {
            guard let current = pending else { return }
            var still = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            still += AnimatedPNGWriter.chunk("IHDR", header.data)
            for data in current.data { still += AnimatedPNGWriter.chunk("IDAT", data) }
            still += AnimatedPNGWriter.chunk("IEND", Data())
            frames.append(Frame(delayMilliseconds: current.delay, image: try PNGDecoder.decode(still)))
            pending = nil
        }
        for chunk in chunks {
            switch chunk.type {
            case "fcTL", "fdAT":
                guard number(chunk.data, at: 0, bytes: 4) == expectedSequence else {
                    throw PNGEncoder.EncodingError(message: "APNG sequence number \(expectedSequence) missing")
                }
                expectedSequence += 1
                if chunk.type == "fcTL" {
                    try flush()
                    let numerator = Double(number(chunk.data, at: 20, bytes: 2))
                    let denominator = Double(number(chunk.data, at: 22, bytes: 2))
                    pending = (numerator * 1000 / (denominator == 0 ? 100 : denominator), [])
                } else {
                    pending?.data.append(chunk.data.dropFirst(4))
                }
            case "IDAT":
                pending?.data.append(chunk.data)
            default:
                continue
            }
        }
        try flush()
        return frames
    }
}
