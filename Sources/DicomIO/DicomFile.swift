import CDicom

/// Owns the C handle; shared by the file and its datasets so that borrowed items stay valid.
final class DicomFileHandle {
    let pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { cd_file_close(pointer) }
}

/// A DICOM file opened through DCMTK, bounded against hostile input.
///
/// Opening runs a structural pre-scan (sequence nesting, lengths against the file size, truncation)
/// before DCMTK parses anything, then parses with DCMTK leaving large values on disk. Pixel data is
/// decoded one frame at a time on request. Not thread-safe: one `DicomFile` per task.
public final class DicomFile {
    /// The path as given.
    public let path: String
    /// The options the file was opened with.
    public let options: DicomReadOptions
    let handle: DicomFileHandle
    /// Set once a compressed frame has been decoded through `storedFrame`: DCMTK's display pipeline cannot
    /// render from the same parsed data set afterwards ("Missing attribute"), so rendering then reopens the file.
    private var decodedCompressedFrame = false

    /// Opens and parses `path`.
    ///
    /// - Throws: ``DicomError`` naming the file: unreadable, not DICOM, malformed, nested too deep,
    ///   or too large to inflate.
    public init(path: String, options: DicomReadOptions = DicomReadOptions()) throws(DicomError) {
        try DicomRuntime.ensureInitialized()
        var cOptions = cd_open_options(
            max_sequence_depth: UInt32(clamping: max(1, options.maxSequenceDepth)),
            max_decoded_bytes: options.maxDecodedBytes,
            header_only: options.headerOnly ? 1 : 0
        )
        var error = cd_error()
        guard let pointer = cd_file_open(path, &cOptions, &error) else {
            throw DicomError(error, path: path)
        }
        self.path = path
        self.options = options
        self.handle = DicomFileHandle(pointer)
    }

    /// The main data set.
    public var dataset: DicomDataset { DicomDataset(file: handle, item: cd_file_dataset(handle.pointer)) }

    /// The file meta information (group 0002); empty for files without it.
    public var metaInformation: DicomDataset { DicomDataset(file: handle, item: cd_file_meta(handle.pointer)) }

    /// The transfer syntax the data set was read with.
    public var transferSyntax: TransferSyntax {
        TransferSyntax(uid: String(cString: cd_file_transfer_syntax_uid(handle.pointer)))
    }

    /// Non-fatal remarks from opening, e.g. text that could not be converted from its character set.
    public var warnings: [String] {
        String(cString: cd_file_warnings(handle.pointer)).split(separator: ";").map {
            String($0).trimmingPadding(leading: true)
        }.filter { !$0.isEmpty }
    }

    /// The image pixel module, validated: dimensions, bits, frames within the pixel data, decodable
    /// transfer syntax and frame size within the memory bound. Works on header-only files too.
    ///
    /// - Throws: ``DicomError`` with kind `noPixelData`, `unsupportedTransferSyntax`, `malformed` or `tooLarge`.
    public func pixelDescription() throws(DicomError) -> PixelDescription {
        var info = cd_pixel_info()
        var error = cd_error()
        guard cd_file_pixel_info(handle.pointer, &info, &error) == CD_OK else { throw DicomError(error, path: path) }
        return PixelDescription(info)
    }

    /// The pixel description, after checking that frame `index` (0-based) exists.
    private func pixelDescription(checkingFrame index: Int) throws(DicomError) -> PixelDescription {
        let description = try pixelDescription()
        guard index >= 0, index < description.frames else {
            throw DicomError(
                .frameOutOfRange, path: path,
                message: "frame \(index) requested but the image has \(description.frames) frame(s) (0-based index)")
        }
        return description
    }

    /// The number of frames (1 for single-frame images), from the validated pixel module.
    public func frameCount() throws(DicomError) -> Int { try pixelDescription().frames }

    /// Decodes frame `index` (0-based) as stored values: masked to BitsStored, sign-extended when
    /// signed, 1-bit data unpacked to one byte per pixel. Colour samples are interleaved per pixel
    /// unless `colorModel` says otherwise.
    ///
    /// Compressed frames are decoded in a ``DecoderPool`` worker process unless the options say `.inProcess`.
    public func storedFrame(_ index: Int) throws(DicomError) -> StoredFrame {
        let description = try pixelDescription(checkingFrame: index)
        if options.decoding == .workerProcesses && transferSyntax.isEncapsulated {
            let (bytes, colorModel) = try DecoderPool.shared.storedFrame(
                path: path, frame: index, options: options, expectedBytes: Int(description.storedFrameBytes))
            return StoredFrame(description: description, colorModel: colorModel, bytes: bytes)
        }
        let byteCount = Int(description.storedFrameBytes)
        var bytes = [UInt8](repeating: 0, count: byteCount)
        var error = cd_error()
        var model:
            (
                CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar,
                CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar, CChar,
                CChar, CChar, CChar, CChar
            ) = (
                0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0, 0, 0, 0, 0, 0, 0, 0
            )
        let status = bytes.withUnsafeMutableBytes { buffer in
            withUnsafeMutablePointer(to: &model) { modelPointer in
                modelPointer.withMemoryRebound(to: CChar.self, capacity: 32) {
                    cd_file_decode_stored_frame(
                        handle.pointer, UInt32(index), buffer.baseAddress, UInt64(buffer.count), $0, &error)
                }
            }
        }
        guard status == CD_OK else { throw DicomError(error, path: path) }
        if transferSyntax.isEncapsulated { decodedCompressedFrame = true }
        let colorModel = withUnsafeBytes(of: &model) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        return StoredFrame(description: description, colorModel: colorModel, bytes: bytes)
    }

    /// Renders frame `index` to 8 bits through DCMTK's display pipeline (modality LUT, VOI,
    /// presentation LUT, MONOCHROME1 inversion, overlays, colour to RGB), as `dcmj2pnm` does. The pipeline reads
    /// palettes and LUTs from the file, so it runs in a ``DecoderPool`` worker unless the options say `.inProcess`.
    public func renderedFrame(_ index: Int, voi: VOISelection = .fileWindowOrMinMax) throws(DicomError)
        -> RenderedFrame
    {
        if options.decoding == .workerProcesses {
            let description = try pixelDescription(checkingFrame: index)
            return try DecoderPool.shared.renderedFrame(
                path: path, frame: index, voi: voi, options: options, rows: description.rows,
                columns: description.columns)
        }
        if decodedCompressedFrame { return try DicomFile(path: path, options: options).renderedFrame(index, voi: voi) }
        let description = try pixelDescription(checkingFrame: index)
        let pixels = description.rows * description.columns
        var bytes = [UInt8](repeating: 0, count: pixels * 3)
        var samples: UInt32 = 0
        var error = cd_error()
        let (kind, window, center, width) = voi.cArguments
        let status = bytes.withUnsafeMutableBufferPointer { buffer in
            cd_file_render_frame8(
                handle.pointer, UInt32(index), kind, window, center, width, buffer.baseAddress, UInt64(buffer.count),
                &samples, &error)
        }
        guard status == CD_OK else { throw DicomError(error, path: path) }
        bytes.removeSubrange((pixels * Int(samples))...)
        return RenderedFrame(
            width: description.columns, height: description.rows, samplesPerPixel: Int(samples), pixels: bytes)
    }
}
