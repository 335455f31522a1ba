/// Loss of disc height, as a percentage of the adjacent normal disc.
public struct HeightLoss: Codable, Sendable, Hashable {
    /// Height lost, percent (0–100).
    public var percent: Double

    /// Creates a height-loss record.
    public init(percent: Double) {
        self.percent = percent
    }

    static let fieldSpecs: [FieldSpec] = [
        FieldSpec(
            name: "percent", values: .number(range: 0...100, unit: "%", wholeNumber: false), isRequired: true,
            help: "height lost, as a percentage of the adjacent normal disc"
        )
    ]
}

extension HeightLoss: FindingDetail {
    static let kind = FindingKind.heightLoss

    init(reading reader: FieldReader) throws(SpineValidationError) {
        self.init(percent: try reader.requiredNumber("percent"))
    }

    /// Checks the range 0–100.
    public func validate() throws(SpineValidationError) {
        try Self.check(percent, field: "percent")
    }

    /// "height loss 40%".
    public var summary: String { "height loss \(Self.display(percent, field: "percent"))" }

    /// The recorded fields, by command-line name, with units.
    public var fields: [(name: String, value: String)] { [("percent", Self.display(percent, field: "percent"))] }
}
