import DicomIO
import Foundation

/// How a frame becomes a preview image.
public struct PreviewOptions: Sendable, Equatable {
    /// The VOI choice for grey images (colour images are shown as stored).
    public var window: WindowChoice
    /// The longest side of the output in pixels; nil keeps the stored grid (corrected for non-square pixels).
    public var longestSide: Int?
    /// 8 or 16 bits per sample.
    public var bitDepth: Int
    /// Burn R/L, A/P, S/I letters at the edges when the geometry is known.
    public var orientationLetters: Bool

    /// Creates options.
    public init(
        window: WindowChoice = .automatic, longestSide: Int? = nil, bitDepth: Int = 8, orientationLetters: Bool = true
    ) {
        self.window = window
        self.longestSide = longestSide
        self.bitDepth = bitDepth
        self.orientationLetters = orientationLetters
    }
}

/// Turns the frames of one open file into display images: modality rescale, window, MONOCHROME1 inversion,
/// padding shown black, resizing with area averaging and pixel-aspect correction, orientation letters.
///
/// Grey images with linear rescale and windows are computed here, so every step is visible and testable; images
/// DCMTK must interpret (colour, palette, Modality/VOI LUT sequences, overlay planes) go through DCMTK's display
/// pipeline, as `dcmj2pnm` renders them. One renderer per file and task: it is not shared across threads.
public struct FrameRenderer {
    /// The open file.
    public let file: DicomFile
    /// Its validated pixel module.
    public let pixels: PixelDescription
    /// Its header facts (geometry per frame).
    public let header: InstanceHeader
    private let dataset: DicomDataset
    private let needsDCMTKPipeline: Bool

    /// True when grey windowing is computed by Annulus (plain grey data with linear rescale); false when the
    /// image goes through DCMTK's display pipeline (colour, palette, LUT sequences, overlay planes).
    public var usesOwnGreyPipeline: Bool { !needsDCMTKPipeline && !showsStoredColour }

    /// Prepares to render `file`, which must be opened with pixel data.
    public init(file: DicomFile) throws {
        self.file = file
        pixels = try file.pixelDescription()
        header = InstanceHeader(file: file)
        dataset = file.dataset
        let photometric = pixels.photometricInterpretation.uppercased()
        let isGrey = pixels.samplesPerPixel == 1 && (photometric == "MONOCHROME1" || photometric == "MONOCHROME2")
        let data = dataset
        let hasOverlayPlanes = stride(from: 0x6000, through: 0x601E, by: 2).contains {
            data.contains(DicomTag(UInt16($0), 0x0010))
        }
        let decodedHere = file.transferSyntax.isDecodedOutsideDCMTK
        // DCMTK cannot read JPEG 2000 or HTJ2K pixels: grey ones always take the own pipeline, which applies
        // Presentation LUT Shape INVERSE itself and leaves LUT sequences and overlay planes out of the preview.
        needsDCMTKPipeline =
            !decodedHere
            && (!isGrey || hasOverlayPlanes || data.contains(.modalityLUTSequence) || data.contains(.voiLUTSequence)
                || data.contains(.presentationLUTShape))
        presentationInverse =
            decodedHere && isGrey && data.string(.presentationLUTShape)?.uppercased() == "INVERSE"
        // DCMTK cannot decode JPEG 2000 or HTJ2K; their 8-bit colour frames are shown from the decoded samples.
        showsStoredColour =
            !isGrey && pixels.samplesPerPixel == 3 && pixels.bitsAllocated == 8 && !hasOverlayPlanes
            && decodedHere
    }

    /// True for 8-bit colour JPEG 2000 and HTJ2K, shown from the decoded RGB samples.
    private let showsStoredColour: Bool
    /// A grey JPEG 2000 or HTJ2K image whose Presentation LUT Shape is INVERSE: the own pipeline inverts it.
    private let presentationInverse: Bool

    /// Renders frame `index` (0-based).
    public func image(frame index: Int, options: PreviewOptions) throws -> PreviewImage {
        let geometry = frameGeometry(index)
        let size = PreviewSize.fitting(
            columns: pixels.columns, rows: pixels.rows, spacing: displaySpacing(geometry),
            longestSide: options.longestSide)
        try checkBudget(size, channels: pixels.samplesPerPixel == 3 ? 3 : 1)
        var image =
            showsStoredColour
            ? try storedColourImage(frame: index, options: options, size: size)
            : needsDCMTKPipeline
                ? try dcmtkImage(frame: index, options: options, size: size)
                : try greyImage(frame: index, options: options, size: size)
        if options.orientationLetters, let labels = edgeLabels(geometry) {
            let letterSize = max(10, Double(min(image.width, image.height)) / 22)
            try image.burn(
                OverlayLayer.orientationLetters(
                    top: labels.top, bottom: labels.bottom, left: labels.left, right: labels.right,
                    width: image.width, height: image.height, size: letterSize))
        }
        return image
    }

    /// The display values of a grey frame in `0...1`: window applied, MONOCHROME1 inverted, padding black.
    public func displayValues(frame index: Int, window choice: WindowChoice) throws -> [Float] {
        let (stored, shown) = try displayTable(frame: index, window: choice)
        var values = [Float](repeating: 0, count: stored.count)
        stored.withUnsafeBufferPointer { source in
            values.withUnsafeMutableBufferPointer { target in
                for index in 0..<source.count { target[index] = shown[source[index]] }
            }
        }
        return values
    }

    /// The window `choice` resolves to for frame `index`, in modality units, with the file's windows for that frame
    /// (so that a viewer can offer them and adjust from the one shown). The frame is decoded only when the choice
    /// depends on its values (percentiles, min-max, `automatic` without a file window). Colour images have none.
    public func resolvedWindow(frame index: Int, choice: WindowChoice) throws -> (window: Window, fileWindows: [Window])
    {
        guard pixels.samplesPerPixel == 1 else {
            throw DicomError(
                .noSuchWindow, path: file.path, message: "a colour image is shown as stored: it has no window")
        }
        guard index >= 0, index < pixels.frames else {
            throw DicomError(
                .frameOutOfRange, path: file.path,
                message: "frame \(index) does not exist: the image has \(pixels.frames) frame(s), numbered from 0")
        }
        let parameters = GreyscaleParameters(dataset: dataset, frame: index, pixels: pixels)
        let needsSamples: Bool =
            switch choice {
            case .automatic: parameters.windows.isEmpty
            case .minMax, .percentile: true
            case .fileWindow, .fileWindowNamed, .explicit, .resolved: false
            }
        let samples = needsSamples ? try file.storedFrame(index).samples : []
        do {
            return (try parameters.window(for: choice, samples: samples), parameters.windows)
        } catch {
            throw DicomError(.noSuchWindow, path: file.path, message: error.message)
        }
    }

    /// The stored values of a frame and the display value of every stored value that occurs in it.
    private func displayTable(frame index: Int, window choice: WindowChoice) throws -> ([Int32], DisplayTable) {
        let stored = try file.storedFrame(index).samples
        var parameters = GreyscaleParameters(dataset: dataset, frame: index, pixels: pixels)
        if presentationInverse { parameters.isInverted.toggle() }
        do {
            let window = try parameters.window(for: choice, samples: stored)
            return (stored, DisplayTable(stored, parameters: parameters, window: window))
        } catch {
            throw DicomError(.noSuchWindow, path: file.path, message: error.message)
        }
    }

    private func greyImage(frame index: Int, options: PreviewOptions, size: PreviewSize) throws -> PreviewImage {
        guard size.width != pixels.columns || size.height != pixels.rows else {
            // Stored grid kept: one table lookup per pixel straight to output samples.
            let (stored, shown) = try displayTable(frame: index, window: options.window)
            let output = shown.quantized(bitDepth: options.bitDepth)
            let samples = stored.map { output[$0] }
            return PreviewImage(
                width: size.width, height: size.height, channels: .grey, bitDepth: options.bitDepth, samples: samples)
        }
        let values = try displayValues(frame: index, window: options.window)
        let resized = Resampler.resize(
            values, width: pixels.columns, height: pixels.rows, toWidth: size.width, height: size.height)
        return Self.quantize(
            resized, width: size.width, height: size.height, channels: .grey, bitDepth: options.bitDepth)
    }

    /// An 8-bit RGB frame as decoded (colour images carry no window).
    private func storedColourImage(frame index: Int, options: PreviewOptions, size: PreviewSize) throws
        -> PreviewImage
    {
        let stored = try file.storedFrame(index)
        guard stored.colorModel.uppercased() == "RGB" else {
            throw DicomError(
                .decodeFailed, path: file.path,
                message: "JPEG 2000 colour in \(stored.colorModel) cannot be shown yet (RGB, YBR_RCT and YBR_ICT can)")
        }
        let full = PreviewImage(
            width: stored.width, height: stored.height, channels: .rgb, bitDepth: 8,
            samples: stored.bytes.map(UInt16.init))
        if size.width == stored.width && size.height == stored.height {
            return full.converted(toBitDepth: options.bitDepth)
        }
        let resized = Resampler.resize(
            stored.bytes.map { Float($0) / 255 }, width: stored.width, height: stored.height, channels: 3,
            toWidth: size.width, height: size.height)
        return Self.quantize(
            resized, width: size.width, height: size.height, channels: .rgb, bitDepth: options.bitDepth)
    }

    private func dcmtkImage(frame index: Int, options: PreviewOptions, size: PreviewSize) throws -> PreviewImage {
        let voi: VOISelection
        switch options.window {
        case .automatic: voi = .fileWindowOrMinMax
        case .fileWindow(let number): voi = .fileWindow(number - 1)
        case .fileWindowNamed(let name):
            let windows = GreyscaleParameters(dataset: dataset, frame: index, pixels: pixels).windows
            guard let number = windows.firstIndex(where: { $0.explanation?.lowercased() == name.lowercased() }) else {
                throw DicomError(.noSuchWindow, path: file.path, message: "no window explained as '\(name)'")
            }
            voi = .fileWindow(number)
        case .minMax, .percentile: voi = .minMax
        case .explicit(let center, let width): voi = .explicit(center: center, width: width)
        case .resolved(let window): voi = .explicit(center: window.center, width: max(1, window.width))
        }
        let rendered = try file.renderedFrame(index, voi: voi)
        let channels: PreviewImage.Channels = rendered.samplesPerPixel == 3 ? .rgb : .grey
        if size.width == rendered.width && size.height == rendered.height {
            let image = PreviewImage(
                width: rendered.width, height: rendered.height, channels: channels, bitDepth: 8,
                samples: rendered.pixels.map(UInt16.init))
            return image.converted(toBitDepth: options.bitDepth)
        }
        let values = rendered.pixels.map { Float($0) / 255 }
        let resized = Resampler.resize(
            values, width: rendered.width, height: rendered.height, channels: channels.rawValue,
            toWidth: size.width, height: size.height)
        return Self.quantize(
            resized, width: size.width, height: size.height, channels: channels, bitDepth: options.bitDepth)
    }

    /// Refuses a preview whose working buffers (display values as `Float`, resized once per axis) would exceed the
    /// file's image memory bound (`--max-image-memory`): the bound on the decoded frame must hold for what is
    /// derived from it too, whatever the header's spacing or the requested size ask for.
    private func checkBudget(_ size: PreviewSize, channels: Int) throws(DicomError) {
        let bound = file.options.maxDecodedBytes
        let (pixelsOut, overflow) = size.width.multipliedReportingOverflow(by: size.height)
        let largest = max(pixelsOut, size.width * pixels.rows)
        let (bytes, overflow2) = largest.multipliedReportingOverflow(by: channels * MemoryLayout<Float>.size * 2)
        guard overflow || overflow2 || UInt64(bytes) > bound else { return }
        throw DicomError(
            .tooLarge, path: file.path,
            message: "a preview of \(size.width) × \(size.height) pixels would need more than the image memory bound "
                + "(\(bound >> 20) MiB, --max-image-memory); ask for a smaller --size")
    }

    /// Display values in `0...1` to integer samples.
    static func quantize(
        _ values: [Float], width: Int, height: Int, channels: PreviewImage.Channels, bitDepth: Int
    ) -> PreviewImage {
        let scale: Float = bitDepth == 16 ? 65535 : 255
        let samples = values.map { UInt16(min(max($0.isNaN ? 0 : $0, 0), 1) * scale + 0.5) }
        return PreviewImage(width: width, height: height, channels: channels, bitDepth: bitDepth, samples: samples)
    }

    /// The geometry of frame `index`: per-frame for enhanced images, else the file's.
    public func frameGeometry(_ index: Int) -> InstanceHeader.FrameGeometry? {
        let all = header.frameGeometry
        return index < all.count ? all[index] : all.first
    }

    /// The physical size of a pixel (row, column): PixelSpacing, else PixelAspectRatio, else ImagerPixelSpacing.
    func displaySpacing(_ geometry: InstanceHeader.FrameGeometry?) -> (row: Double, column: Double)? {
        if let spacing = geometry?.pixelSpacing { return spacing }
        let aspect = dataset.doubles(.pixelAspectRatio)
        if aspect.count == 2, aspect[0] > 0, aspect[1] > 0 { return (aspect[0], aspect[1]) }
        return InstanceHeader.spacing(dataset.doubles(.imagerPixelSpacing))
    }

    /// Edge letters from the frame's orientation, else from Patient Orientation.
    public func edgeLabels(_ geometry: InstanceHeader.FrameGeometry?) -> EdgeLabels? {
        if let orientation = geometry?.orientation {
            return EdgeLabels(row: orientation.row, column: orientation.column)
        }
        return EdgeLabels(patientOrientation: dataset.strings(.patientOrientation))
    }
}

/// The display value (0…1: rescale, window, MONOCHROME1 inversion; padding black) of every stored value from
/// the frame's minimum to its maximum, so each pixel costs one lookup. Frames whose values span more than
/// 2²⁰ (32-bit data) are computed per value instead.
struct DisplayTable {
    private let minimum: Int32
    private let table: [Float]
    private let compute: (@Sendable (Int32) -> Float)?

    init(_ stored: [Int32], parameters: GreyscaleParameters, window: Window) {
        let display: @Sendable (Int32) -> Float = { value in
            if let padding = parameters.padding, padding.contains(value) { return 0 }
            let shown = window.normalized(parameters.modalityValue(value))
            return Float(parameters.isInverted ? 1 - shown : shown)
        }
        var low = Int32.max
        var high = Int32.min
        for value in stored {
            low = min(low, value)
            high = max(high, value)
        }
        if low <= high, Int(high) - Int(low) < 1 << 20 {
            minimum = low
            table = (Int(low)...Int(high)).map { display(Int32($0)) }
            compute = nil
        } else {
            minimum = 0
            table = []
            compute = display
        }
    }

    subscript(_ value: Int32) -> Float {
        if let compute { return compute(value) }
        return table[Int(value) - Int(minimum)]
    }

    /// The table as output samples of `bitDepth` bits.
    func quantized(bitDepth: Int) -> QuantizedTable {
        let scale: Float = bitDepth == 16 ? 65535 : 255
        func sample(_ shown: Float) -> UInt16 { UInt16(min(max(shown.isNaN ? 0 : shown, 0), 1) * scale + 0.5) }
        return QuantizedTable(
            minimum: minimum, table: table.map(sample), compute: compute.map { f in { sample(f($0)) } })
    }

    /// Output samples per stored value.
    struct QuantizedTable {
        let minimum: Int32
        let table: [UInt16]
        let compute: ((Int32) -> UInt16)?

        subscript(_ value: Int32) -> UInt16 {
            if let compute { return compute(value) }
            return table[Int(value) - Int(minimum)]
        }
    }
}
