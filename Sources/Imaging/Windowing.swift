import DicomIO
import Foundation

/// How the displayed range of a grey image is chosen (the VOI, value-of-interest, transformation).
public enum WindowChoice: Sendable, Equatable {
    /// The file's first window; without one, a robust percentile window for MR and a min-max window otherwise.
    case automatic
    /// The file's window number `index` (1-based, as viewers number them).
    case fileWindow(index: Int)
    /// The file's window whose explanation (0028,1055) matches, ignoring case.
    case fileWindowNamed(String)
    /// The frame's minimum to maximum modality value, ignoring pixel padding.
    case minMax
    /// From the `low` to the `high` percentile of the frame's modality values, ignoring pixel padding.
    case percentile(low: Double, high: Double)
    /// An explicit centre and width in modality units (width ≥ 1).
    case explicit(center: Double, width: Double)
    /// A window already resolved, e.g. one shared by every slice of a contact sheet.
    case resolved(Window)

    /// The percentiles used for MR images that carry no window: robust against a few very bright pixels.
    public static let robustPercentiles = (low: 0.5, high: 99.5)

    /// Parses `file`, `file:N`, `file:EXPLANATION`, `minmax`, `percentile`, `percentile:LOW,HIGH` or `C,W`.
    public init?(argument: String) {
        let lowered = argument.lowercased()
        switch lowered {
        case "file", "auto": self = .automatic
        case "minmax", "min-max": self = .minMax
        case "percentile":
            self = .percentile(low: Self.robustPercentiles.low, high: Self.robustPercentiles.high)
        default:
            if lowered.hasPrefix("file:") {
                let selector = String(argument.dropFirst(5))
                guard !selector.isEmpty else { return nil }
                if let index = Int(selector) {
                    guard index >= 1 else { return nil }
                    self = .fileWindow(index: index)
                } else {
                    self = .fileWindowNamed(selector)
                }
                return
            }
            if lowered.hasPrefix("percentile:") {
                let bounds = lowered.dropFirst(11).split(separator: ",").compactMap { Double($0) }
                guard bounds.count == 2, bounds[0] >= 0, bounds[1] <= 100, bounds[0] < bounds[1] else { return nil }
                self = .percentile(low: bounds[0], high: bounds[1])
                return
            }
            let parts = argument.split(separator: ",")
            guard parts.count == 2, let center = Double(parts[0]), let width = Double(parts[1]), width >= 1,
                HeaderNumbers.isUsable(center, for: .windowCenter), HeaderNumbers.isUsable(width, for: .windowWidth)
            else {
                return nil
            }
            self = .explicit(center: center, width: width)
        }
    }

    /// The accepted spellings, for error messages.
    public static let syntax =
        "'file' (the file's first window, else percentile for MR, min-max otherwise), 'file:N', 'file:EXPLANATION', "
        + "'minmax', 'percentile', 'percentile:LOW,HIGH' or 'C,W' (centre within ±1e10, 1 <= width <= 1e10)"
}

/// The VOI LUT function of a window (0028,1056).
public enum VOIFunction: Sendable, Equatable {
    /// DICOM's LINEAR: the classic window with its half-unit offsets.
    case linear
    /// LINEAR_EXACT: the window spans exactly centre ± width/2.
    case linearExact
    /// SIGMOID: a smooth S-curve around the centre.
    case sigmoid
}

/// A window in modality units.
public struct Window: Sendable, Equatable {
    /// Centre in modality units.
    public var center: Double
    /// Width in modality units (≥ 1 for LINEAR).
    public var width: Double
    /// The file's explanation, when it has one.
    public var explanation: String?
    /// How values inside the window map to the output range.
    public var function: VOIFunction

    /// Creates a window.
    public init(center: Double, width: Double, explanation: String? = nil, function: VOIFunction = .linear) {
        self.center = center
        self.width = width
        self.explanation = explanation
        self.function = function
    }

    /// A window whose lowest value maps to black and highest to white (LINEAR_EXACT between the two).
    /// A flat image (low == high) is shown black, as DCMTK shows it.
    public static func spanning(_ low: Double, _ high: Double) -> Window {
        guard high > low else { return Window(center: low + 0.5, width: 1, function: .linearExact) }
        return Window(center: (low + high) / 2, width: high - low, function: .linearExact)
    }

    /// Maps a modality value to `0...1` per PS3.3 C.11.2.1.2 (before any MONOCHROME1 inversion).
    @inline(__always)
    public func normalized(_ value: Double) -> Double {
        switch function {
        case .linear:
            let lower = center - 0.5 - (width - 1) / 2
            let upper = center - 0.5 + (width - 1) / 2
            if value <= lower { return 0 }
            if value > upper { return 1 }
            return width <= 1 ? 1 : (value - (center - 0.5)) / (width - 1) + 0.5
        case .linearExact:
            if value <= center - width / 2 { return 0 }
            if value > center + width / 2 { return 1 }
            return (value - center) / width + 0.5
        case .sigmoid:
            return 1 / (1 + exp(-4 * (value - center) / width))
        }
    }

    /// The modality value this window shows as black.
    var blackValue: Double {
        switch function {
        case .linear: center - 0.5 - (width - 1) / 2
        case .linearExact, .sigmoid: center - width / 2
        }
    }
}

/// The greyscale display facts of one frame: modality rescale, the file's windows, padding, polarity.
public struct GreyscaleParameters: Sendable, Equatable {
    /// Rescale Slope (1 when absent).
    public var rescaleSlope: Double
    /// Rescale Intercept (0 when absent).
    public var rescaleIntercept: Double
    /// The file's windows for the frame, in order.
    public var windows: [Window]
    /// Stored values that are padding, not anatomy: PixelPaddingValue up to PixelPaddingRangeLimit.
    public var padding: ClosedRange<Int32>?
    /// MONOCHROME1: low values are shown bright.
    public var isInverted: Bool
    /// Modality (MR, CT, RF, ...) when known.
    public var modality: String?

    /// Creates parameters.
    public init(
        rescaleSlope: Double = 1, rescaleIntercept: Double = 0, windows: [Window] = [],
        padding: ClosedRange<Int32>? = nil, isInverted: Bool = false, modality: String? = nil
    ) {
        self.rescaleSlope = rescaleSlope
        self.rescaleIntercept = rescaleIntercept
        self.windows = windows
        self.padding = padding
        self.isInverted = isInverted
        self.modality = modality
    }

    /// Reads the parameters of frame `frame` (0-based) from a dataset: classic attributes, overridden by the
    /// shared and then the per-frame functional groups of enhanced multi-frame images.
    public init(dataset: DicomDataset, frame: Int = 0, pixels: PixelDescription) {
        let perFrame = dataset.sequence(.perFrameFunctionalGroupsSequence)
        let groups = [
            dataset.sequence(.sharedFunctionalGroupsSequence).first,
            frame < perFrame.count ? perFrame[frame] : nil,
        ].compactMap { $0 }
        func lookup(_ sequence: DicomTag) -> DicomDataset {
            for group in groups.reversed() {
                if let item = group.sequence(sequence).first { return item }
            }
            return dataset
        }
        let transform = lookup(.pixelValueTransformationSequence)
        let voi = lookup(.frameVOILUTSequence)
        // A slope or intercept that is present but not a usable number (HeaderNumbers) voids the whole rescale:
        // half a rescale would be a wrong one.
        let slope = transform.double(.rescaleSlope)
        let intercept = transform.double(.rescaleIntercept)
        let unusable =
            (transform.rawString(.rescaleSlope).map { !$0.isEmpty } == true && slope == nil)
            || (transform.rawString(.rescaleIntercept).map { !$0.isEmpty } == true && intercept == nil)
        rescaleSlope = unusable ? 1 : slope ?? 1
        rescaleIntercept = unusable ? 0 : intercept ?? 0
        let centers = voi.doubles(.windowCenter)
        let widths = voi.doubles(.windowWidth)
        let explanations = voi.strings(.windowExplanation)
        let function: VOIFunction =
            switch voi.string(.voiLUTFunction)?.uppercased() {
            case "LINEAR_EXACT": .linearExact
            case "SIGMOID": .sigmoid
            default: .linear
            }
        windows = zip(centers, widths).enumerated().compactMap { index, pair in
            let minimum = function == .linear ? 1.0 : 0.0
            guard pair.1 >= minimum, pair.1 > 0, pair.0.isFinite, pair.1.isFinite else { return nil }
            return Window(
                center: pair.0, width: pair.1,
                explanation: index < explanations.count ? explanations[index] : nil, function: function)
        }
        // Padding values are US even for signed pixels in some files: read them as the pixels are stored.
        func asStored(_ value: Int) -> Int {
            let bits = pixels.bitsAllocated
            guard pixels.isSigned, bits < 64, value >= 1 << (bits - 1), value < 1 << bits else { return value }
            return value - (1 << bits)
        }
        if let value = dataset.int(.pixelPaddingValue).map(asStored) {
            let limit = dataset.int(.pixelPaddingRangeLimit).map(asStored) ?? value
            let bounds = (Int32(clamping: min(value, limit)), Int32(clamping: max(value, limit)))
            padding = bounds.0...bounds.1
        } else {
            padding = nil
        }
        isInverted = pixels.photometricInterpretation.uppercased() == "MONOCHROME1"
        modality = dataset.string(.modality)
    }

    /// The modality value of a stored value.
    @inline(__always)
    public func modalityValue(_ stored: Int32) -> Double { Double(stored) * rescaleSlope + rescaleIntercept }

    /// Resolves a window choice against this frame's values, or explains why it cannot.
    public func window(for choice: WindowChoice, samples: [Int32]) throws(WindowingError) -> Window {
        switch choice {
        case .automatic:
            if let first = windows.first { return first }
            if modality?.uppercased() == "MR" {
                return try percentileWindow(
                    samples, low: WindowChoice.robustPercentiles.low, high: WindowChoice.robustPercentiles.high)
            }
            return try percentileWindow(samples, low: 0, high: 100)
        case .fileWindow(let index):
            guard index <= windows.count else {
                throw WindowingError(
                    "window \(index) requested but the file has \(windows.count) window(s)\(windowList)")
            }
            return windows[index - 1]
        case .fileWindowNamed(let name):
            guard let match = windows.first(where: { $0.explanation?.lowercased() == name.lowercased() }) else {
                throw WindowingError("no window explained as '\(name)'\(windowList)")
            }
            return match
        case .minMax:
            return try percentileWindow(samples, low: 0, high: 100)
        case .percentile(let low, let high):
            return try percentileWindow(samples, low: low, high: high)
        case .explicit(let center, let width):
            return Window(center: center, width: width)
        case .resolved(let window):
            return window
        }
    }

    private var windowList: String {
        guard !windows.isEmpty else { return "" }
        let names = windows.enumerated().map { index, window in
            "\(index + 1)" + (window.explanation.map { " (\($0))" } ?? "")
        }
        return "; it has: " + names.joined(separator: ", ")
    }

    /// A window from the `low` to the `high` percentile of the non-padding stored values, in modality units.
    func percentileWindow(_ samples: [Int32], low: Double, high: Double) throws(WindowingError) -> Window {
        let histogram = ValueHistogram(samples, excluding: padding)
        guard histogram.count > 0 else { throw WindowingError("every pixel is padding; nothing to window") }
        let lowValue = modalityValue(histogram.value(atPercentile: low))
        let highValue = modalityValue(histogram.value(atPercentile: high))
        return Window.spanning(min(lowValue, highValue), max(lowValue, highValue))
    }
}

/// A window could not be chosen.
public struct WindowingError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, with the choices available.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }
}

/// Counts of stored values, for exact percentiles without sorting.
struct ValueHistogram {
    private(set) var minimum: Int32 = 0
    private(set) var counts: [Int] = []
    private(set) var count = 0

    init(_ samples: [Int32], excluding padding: ClosedRange<Int32>?) {
        var low = Int32.max
        var high = Int32.min
        for value in samples where !(padding?.contains(value) ?? false) {
            low = min(low, value)
            high = max(high, value)
        }
        guard low <= high else { return }
        minimum = low
        let span = Int(high) - Int(low) + 1
        if span <= 1 << 24 {
            counts = [Int](repeating: 0, count: span)
            for value in samples where !(padding?.contains(value) ?? false) {
                counts[Int(value) - Int(low)] += 1
                count += 1
            }
        } else {
            // 32-bit data spread over a vast range: fall back to the extremes only.
            counts = [1, 1]
            minimum = low
            count = 2
            extremes = (low, high)
        }
    }

    private var extremes: (Int32, Int32)?

    /// The smallest value with at least `percentile` % of the values at or below it.
    func value(atPercentile percentile: Double) -> Int32 {
        if let extremes { return percentile < 50 ? extremes.0 : extremes.1 }
        let target = max(1, Int((Double(count) * percentile / 100).rounded(.up)))
        var running = 0
        for (offset, bucket) in counts.enumerated() {
            running += bucket
            if running >= target { return minimum + Int32(offset) }
        }
        return minimum + Int32(counts.count - 1)
    }
}
