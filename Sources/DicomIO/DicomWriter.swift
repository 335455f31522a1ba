import CDicom

/// Builds a DICOM data set and writes it as a Part 10 file through DCMTK (used by the sample
/// generator and by tests that need files of a precise shape).
public final class DicomWriter {
    private let pointer: OpaquePointer

    /// A new, empty data set.
    public init() throws(DicomError) {
        try DicomRuntime.ensureInitialized()
        guard let pointer = cd_writer_new() else {
            throw DicomError(.internal, path: "", message: "cannot allocate a DICOM data set")
        }
        self.pointer = pointer
    }

    deinit { cd_writer_free(pointer) }

    /// Sets an attribute from its text form; DCMTK parses numbers for numeric VRs.
    public func set(_ tag: DicomTag, _ value: String) throws(DicomError) {
        var error = cd_error()
        guard cd_writer_put_string(pointer, tag.group, tag.element, value, &error) == CD_OK else {
            throw DicomError(error, path: "")
        }
    }

    /// Sets an attribute to one unsigned short (VR US), e.g. Pixel Padding Value, whose dictionary VR is US or SS.
    public func set(_ tag: DicomTag, unsignedShort value: UInt16) throws(DicomError) {
        var error = cd_error()
        guard cd_writer_put_us(pointer, tag.group, tag.element, value, &error) == CD_OK else {
            throw DicomError(error, path: "")
        }
    }

    /// Sets a text attribute from bytes already encoded in the data set's SpecificCharacterSet
    /// (e.g. ISO 8859-1 for "ISO_IR 100"); the bytes must not contain NUL.
    public func set(_ tag: DicomTag, encodedBytes: [UInt8]) throws(DicomError) {
        var error = cd_error()
        let status = (encodedBytes + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) {
                cd_writer_put_string(pointer, tag.group, tag.element, $0.baseAddress, &error)
            }
        }
        guard status == CD_OK else { throw DicomError(error, path: "") }
    }

    /// Sets a multi-valued attribute.
    public func set(_ tag: DicomTag, _ values: [String]) throws(DicomError) {
        try set(tag, values.joined(separator: "\\"))
    }

    /// Sets a numeric attribute (DS values are written with up to 16 characters).
    public func set(_ tag: DicomTag, _ values: [Double]) throws(DicomError) {
        try set(tag, values.map(Self.decimalString))
    }

    /// Sets the monochrome image pixel module: Rows, Columns, SamplesPerPixel 1, MONOCHROME2,
    /// BitsAllocated, BitsStored, HighBit (BitsStored - 1) and PixelRepresentation.
    public func setMonochromePixelModule(
        rows: Int, columns: Int, bitsAllocated: Int, bitsStored: Int, signed: Bool = false
    )
        throws(DicomError)
    {
        try set(.rows, "\(rows)")
        try set(.columns, "\(columns)")
        try set(.samplesPerPixel, "1")
        try set(.photometricInterpretation, "MONOCHROME2")
        try set(.bitsAllocated, "\(bitsAllocated)")
        try set(.bitsStored, "\(bitsStored)")
        try set(DicomTag(0x0028, 0x0102), "\(bitsStored - 1)")
        try set(.pixelRepresentation, signed ? "1" : "0")
    }

    /// Sets PixelData from 8-bit samples.
    public func setPixels(_ samples: [UInt8]) throws(DicomError) {
        var error = cd_error()
        let status = samples.withUnsafeBufferPointer {
            cd_writer_put_pixels8(pointer, $0.baseAddress, UInt64($0.count), &error)
        }
        guard status == CD_OK else { throw DicomError(error, path: "") }
    }

    /// Sets PixelData from 16-bit samples.
    public func setPixels(_ samples: [UInt16]) throws(DicomError) {
        var error = cd_error()
        let status = samples.withUnsafeBufferPointer {
            cd_writer_put_pixels16(pointer, $0.baseAddress, UInt64($0.count), &error)
        }
        guard status == CD_OK else { throw DicomError(error, path: "") }
    }

    /// Encodes pixels in `transferSyntax` and writes the file atomically to `path`.
    public func write(to path: String, transferSyntax: TransferSyntax) throws {
        try AtomicFile.write(to: path) { temporary in
            var error = cd_error()
            guard cd_writer_save(pointer, temporary, transferSyntax.uid, &error) == CD_OK else {
                throw DicomError(error, path: path)
            }
        }
    }

    /// A DS value: at most 16 characters, no exponent for ordinary magnitudes, no trailing zeros.
    public static func decimalString(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        let shortest = "\(value)"
        if shortest.count <= 16, !shortest.contains("e") { return shortest }
        for digits in stride(from: 6, through: 1, by: -1) {
            let text = formatFixed(value, digits: digits)
            if text.count <= 16 { return text }
        }
        return String(Int64(value.rounded()))
    }

    private static func formatFixed(_ value: Double, digits: Int) -> String {
        let scale = (0..<digits).reduce(1.0) { result, _ in result * 10 }
        let scaled = (abs(value) * scale).rounded()
        let integerPart = Int64(scaled / scale)
        var fraction = String(Int64(scaled) - integerPart * Int64(scale))
        fraction = String(repeating: "0", count: digits - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        let sign = value < 0 && scaled != 0 ? "-" : ""
        return fraction.isEmpty ? "\(sign)\(integerPart)" : "\(sign)\(integerPart).\(fraction)"
    }
}
