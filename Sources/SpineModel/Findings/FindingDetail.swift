/// What every finding struct provides to `Finding`: its kind, fields, parsing, checks and display.
protocol FindingDetail: Codable, Sendable, Hashable {
    /// The kind this struct describes.
    static var kind: FindingKind { get }
    /// Its fields, in display order.
    static var fieldSpecs: [FieldSpec] { get }
    /// Reads the finding from checked `name=value` assignments.
    init(reading reader: FieldReader) throws(SpineValidationError)
    /// Checks ranges and consistency between fields (also run on decoded JSON).
    func validate() throws(SpineValidationError)
    /// A short human description.
    var summary: String { get }
    /// The recorded fields, by command-line name, with units.
    var fields: [(name: String, value: String)] { get }
}

extension FindingDetail {
    /// Checks each number against its field's range.
    static func check(_ number: Double?, field name: String) throws(SpineValidationError) {
        guard let number, let spec = fieldSpecs.first(where: { $0.name == name }) else { return }
        try spec.check(number)
    }

    /// Checks free text against its field's length and characters.
    static func check(_ text: String?, field name: String) throws(SpineValidationError) {
        guard let text, let spec = fieldSpecs.first(where: { $0.name == name }) else { return }
        try spec.check(text: text, of: kind)
    }

    /// A number with its field's unit, for tables and summaries.
    static func display(_ number: Double, field name: String) -> String {
        fieldSpecs.first(where: { $0.name == name })?.display(number) ?? formatNumber(number)
    }
}
