import CDicom

/// The image pixel module of a file, validated against its pixel data.
public struct PixelDescription: Sendable, Equatable, Codable {
    /// Rows (image height).
    public var rows: Int
    /// Columns (image width).
    public var columns: Int
    /// Samples per pixel: 1 (monochrome, palette) or 3 (colour).
    public var samplesPerPixel: Int
    /// Bits allocated per sample: 1, 8, 16 or 32.
    public var bitsAllocated: Int
    /// Bits stored per sample.
    public var bitsStored: Int
    /// Most significant bit of a stored sample.
    public var highBit: Int
    /// Samples are two's complement.
    public var isSigned: Bool
    /// Planar configuration of native colour data (0 interleaved, 1 planar).
    public var planarConfiguration: Int
    /// Number of frames.
    public var frames: Int
    /// Bytes of one decoded frame of stored values.
    public var storedFrameBytes: UInt64
    /// Photometric interpretation as declared in the file.
    public var photometricInterpretation: String

    init(_ info: cd_pixel_info) {
        var info = info
        rows = Int(info.rows)
        columns = Int(info.columns)
        samplesPerPixel = Int(info.samples_per_pixel)
        bitsAllocated = Int(info.bits_allocated)
        bitsStored = Int(info.bits_stored)
        highBit = Int(info.high_bit)
        isSigned = info.pixel_representation == 1
        planarConfiguration = Int(info.planar_configuration)
        frames = Int(info.frames)
        storedFrameBytes = info.stored_frame_bytes
        photometricInterpretation = withUnsafeBytes(of: &info.photometric) {
            String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self).trimmingPadding()
        }
    }
}

/// One decoded frame of stored values.
public struct StoredFrame: Sendable {
    /// The pixel module the frame was decoded with.
    public var description: PixelDescription
    /// Photometric interpretation of the decoded samples (JPEG decoding may have converted YBR to RGB).
    public var colorModel: String
    /// The raw decoded bytes: little-endian samples of bitsAllocated/8 bytes (1-bit data unpacked to bytes).
    public var bytes: [UInt8]

    /// Width in pixels.
    public var width: Int { description.columns }
    /// Height in pixels.
    public var height: Int { description.rows }

    /// The samples as integers, signed or unsigned per PixelRepresentation.
    public var samples: [Int32] {
        bytes.withUnsafeBytes { raw -> [Int32] in
            switch (description.bitsAllocated, description.isSigned) {
            case (16, false): raw.bindMemory(to: UInt16.self).map { Int32(UInt16(littleEndian: $0)) }
            case (16, true): raw.bindMemory(to: Int16.self).map { Int32(Int16(littleEndian: $0)) }
            case (32, false):
                raw.bindMemory(to: UInt32.self).map { Int32(truncatingIfNeeded: UInt32(littleEndian: $0)) }
            case (32, true): raw.bindMemory(to: Int32.self).map { Int32(littleEndian: $0) }
            case (_, true): raw.map { Int32(Int8(bitPattern: $0)) }
            default: raw.map { Int32($0) }
            }
        }
    }
}

/// One frame rendered to 8 bits for display.
public struct RenderedFrame: Sendable, Equatable {
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// 1 (grey) or 3 (RGB interleaved).
    public var samplesPerPixel: Int
    /// Row-major samples.
    public var pixels: [UInt8]
}

/// How the VOI (value of interest) transformation of an 8-bit rendering is chosen.
public enum VOISelection: Sendable, Equatable, Codable {
    /// The file's window number `index` (0-based); fails when the file has fewer.
    case fileWindow(Int)
    /// The file's first window when it has one, else the frame's minimum to maximum.
    case fileWindowOrMinMax
    /// An explicit window centre and width (width ≥ 1).
    case explicit(center: Double, width: Double)
    /// The frame's minimum to maximum.
    case minMax
    /// No VOI transformation.
    case none

    var cArguments: (cd_voi_kind, UInt32, Double, Double) {
        switch self {
        case .fileWindow(let index): (CD_VOI_FILE_WINDOW, UInt32(clamping: index), 0, 0)
        case .fileWindowOrMinMax: (CD_VOI_FILE_WINDOW_OR_MIN_MAX, 0, 0, 0)
        case .explicit(let center, let width): (CD_VOI_EXPLICIT, 0, center, width)
        case .minMax: (CD_VOI_MIN_MAX, 0, 0, 0)
        case .none: (CD_VOI_NONE, 0, 0, 0)
        }
    }
}
