/// A pain score as recorded: VAS 0–100 mm or NRS 0–10, normalised to 0–100 for rules.
///
/// JSON: `{"scale": "vas", "value": 70}`.
public struct PainScore: Codable, Sendable, Hashable {
    /// The instrument.
    public enum Scale: String, Codable, Sendable, Hashable, CaseIterable {
        /// Visual analogue scale, 0–100 mm.
        case vas
        /// Numeric rating scale, 0–10.
        case nrs

        /// The largest value on the scale.
        public var maximum: Double { self == .vas ? 100 : 10 }
    }

    /// VAS or NRS.
    public var scale: Scale
    /// The score on that scale.
    public var value: Double

    /// Creates a score; `validate()` checks the range.
    public init(scale: Scale, value: Double) {
        self.scale = scale
        self.value = value
    }

    /// The score on 0–100 (VAS as given, NRS × 10).
    public var normalized: Double { scale == .vas ? value : value * 10 }

    /// "VAS 70/100", "NRS 3/10".
    public var display: String {
        "\(scale.rawValue.uppercased()) \(FactValue.format(value))/\(FactValue.format(scale.maximum))"
    }

    /// Checks that the value lies on the scale.
    public func validate(field: String) throws(IntakeError) {
        guard value.isFinite, value >= 0, value <= scale.maximum else {
            throw IntakeError(
                field: field, value: FactValue.format(value),
                message: "\(scale.rawValue.uppercased()) runs from 0 to \(FactValue.format(scale.maximum))")
        }
    }
}
