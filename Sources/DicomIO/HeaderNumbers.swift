/// The one place that decides which numbers from a header the code may compute with.
///
/// A header decimal can be `nan`, `inf`, `1e309` or `1e-300`; DCMTK parses them faithfully, and arithmetic on
/// them later traps (`Int(Double.infinity)`), divides by nearly zero or asks for terabytes. Every attribute that
/// steers arithmetic (rescale, window, geometry, spacing, timing) has a plausible range here, far wider than any
/// real device uses and narrow enough that nothing derived from it overflows. ``DicomDataset/double(_:index:)``
/// and ``DicomDataset/doubles(_:)`` return only usable values (a multi-valued attribute with one bad value is
/// unusable as a whole), and ``problems(in:)`` says what was refused and what is done instead, so a summary can
/// carry the warning.
public enum HeaderNumbers {
    /// A plausible range of one attribute's values and what the code does when a value falls outside it.
    public struct Rule: Sendable {
        /// The attribute's name, for messages.
        public var name: String
        /// Values outside this range (NaN and ±infinity always) are not used.
        public var range: ClosedRange<Double>
        /// Applies to the magnitude (sign free) rather than the value.
        public var magnitude: Bool
        /// What the code does instead, in words ("slope 1 used").
        public var fallback: String

        func accepts(_ value: Double) -> Bool {
            guard value.isFinite else { return false }
            return range.contains(magnitude ? abs(value) : value)
        }
    }

    /// The rules, by attribute. Spacings in mm, positions in mm (1 km either way), times in ms.
    public static let rules: [DicomTag: Rule] = [
        .rescaleSlope: Rule(
            name: "Rescale Slope", range: 1e-6...1e6, magnitude: true,
            fallback: "rescale ignored (slope 1, intercept 0)"),
        .rescaleIntercept: Rule(
            name: "Rescale Intercept", range: 0...1e9, magnitude: true,
            fallback: "rescale ignored (slope 1, intercept 0)"),
        .windowCenter: Rule(
            name: "Window Center", range: 0...1e10, magnitude: true, fallback: "the file's window not used"),
        .windowWidth: Rule(
            name: "Window Width", range: 1e-6...1e10, magnitude: false, fallback: "the file's window not used"),
        .pixelSpacing: Rule(
            name: "Pixel Spacing", range: 1e-4...1e4, magnitude: false,
            fallback: "spacing unknown (square pixels assumed)"),
        .imagerPixelSpacing: Rule(
            name: "Imager Pixel Spacing",
            range: 1e-4...1e4, magnitude: false, fallback: "spacing unknown (square pixels assumed)"),
        .pixelAspectRatio: Rule(
            name: "Pixel Aspect Ratio", range: 1e-3...1e6, magnitude: false, fallback: "square pixels assumed"),
        .imagePositionPatient: Rule(
            name: "Image Position (Patient)", range: 0...1e6, magnitude: true, fallback: "position unknown"),
        .imageOrientationPatient: Rule(
            name: "Image Orientation (Patient)", range: 0...1.5, magnitude: true, fallback: "orientation unknown"),
        .sliceThickness: Rule(name: "Slice Thickness", range: 0...1e4, magnitude: false, fallback: "thickness unknown"),
        .frameTime: Rule(name: "Frame Time", range: 1e-3...1e7, magnitude: false, fallback: "frame time unknown"),
        .frameTimeVector: Rule(
            name: "Frame Time Vector", range: 0...1e7, magnitude: false, fallback: "frame times unknown"),
        .cineRate: Rule(name: "Cine Rate", range: 1e-3...1e4, magnitude: false, fallback: "cine rate unknown"),
        .recommendedDisplayFrameRate: Rule(
            name: "Recommended Display Frame Rate", range: 1e-3...1e4, magnitude: false, fallback: "frame rate unknown"),
    ]

    /// True when `value` of `tag` may be computed with (finite, and within the tag's rule when it has one).
    public static func isUsable(_ value: Double, for tag: DicomTag) -> Bool {
        guard let rule = rules[tag] else { return value.isFinite }
        return rule.accepts(value)
    }

    /// What was refused in `dataset` (top level and the first item of each functional group), in words:
    /// "Rescale Slope 'nan' is not a usable number: rescale ignored (slope 1, intercept 0)".
    public static func problems(in dataset: DicomDataset) -> [String] {
        var places = [dataset]
        for group in [DicomTag.sharedFunctionalGroupsSequence, .perFrameFunctionalGroupsSequence] {
            guard let item = dataset.sequence(group).first else { continue }
            for sequence in [
                DicomTag.pixelMeasuresSequence, .planePositionSequence, .planeOrientationSequence,
                .pixelValueTransformationSequence, .frameVOILUTSequence,
            ] {
                if let inner = item.sequence(sequence).first { places.append(inner) }
            }
        }
        var found: [String] = []
        for place in places {
            for (tag, rule) in rules.sorted(by: { $0.key < $1.key }) {
                guard let raw = place.rawString(tag), !raw.isEmpty else { continue }
                let values = place.parsedDoubles(tag)
                let written = raw.split(separator: "\\", omittingEmptySubsequences: false).count
                guard values.count < written || values.contains(where: { !rule.accepts($0) }) else { continue }
                let shown = raw.count > 40 ? String(raw.prefix(40)) + "…" : raw
                let text =
                    "\(rule.name) '\(shown.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? String($0) : "?" }.joined())' is not a usable number: \(rule.fallback)"
                if !found.contains(text) { found.append(text) }
            }
        }
        return found
    }
}

extension Int {
    /// `value` rounded to the nearest integer and clamped to `Int`'s range; NaN becomes `nanValue`. For numbers
    /// derived from a file, where `Int(_:)` would trap.
    public init(saturating value: Double, nanValue: Int = 0) {
        if value.isNaN {
            self = nanValue
        } else if value >= 9.2e18 {
            self = Int.max
        } else if value <= -9.2e18 {
            self = Int.min
        } else {
            self = Int(value.rounded())
        }
    }
}
