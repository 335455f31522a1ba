/// Input that does not fit the clinical vocabulary, with what was wrong and what would be accepted.
///
/// Every error names the field concerned, the value given, the allowed values (or range) and, when a
/// near miss exists, the likely intended value, so that the message alone tells a clinician how to fix
/// the command: `"radail" is not a valid type for annular-fissure; did you mean radial? allowed: concentric,
/// radial, transverse`.
public struct SpineValidationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The class of problem; stable and machine-readable.
    public enum Problem: String, Sendable, Equatable, CaseIterable, Codable {
        /// The text is not one of the disc levels.
        case unknownLevel = "unknown-level"
        /// The finding kind is not one of `FindingKind`.
        case unknownKind = "unknown-kind"
        /// The field does not belong to the finding kind.
        case unknownField = "unknown-field"
        /// The value is not one of the field's allowed values, or not a number where one is needed.
        case badValue = "bad-value"
        /// A number lies outside the field's range.
        case outOfRange = "out-of-range"
        /// A required field (or one required by another field's value) is absent.
        case missingField = "missing-field"
        /// The same field was given more than once.
        case duplicateField = "duplicate-field"
        /// An assignment is not of the form `name=value`.
        case malformedAssignment = "malformed-assignment"
        /// Two fields contradict each other (`present=no` with a side).
        case conflict
        /// The value names something the sources mark as unconfirmed (modified Dallas grade 5).
        case unconfirmed
        /// Stored data (JSON) could not be read as an annotation.
        case malformedData = "malformed-data"
        /// An image anchor is not usable (frame, points, UIDs, geometry).
        case invalidAnchor = "invalid-anchor"
        /// The same disc level is labelled twice in one set of disc labels.
        case duplicateLevel = "duplicate-level"
        /// Disc labels whose positions contradict their levels' order (a cranial disc marked below a caudal one,
        /// two discs marked at the same place).
        case labelsOutOfOrder = "labels-out-of-order"
    }

    /// What kind of problem this is.
    public let problem: Problem
    /// The field concerned (`type`, `pain`, `level`, `kind`), or `nil` when the error is not about one field.
    public let field: String?
    /// The value as given, or `nil` when none was given (a missing field).
    public let value: String?
    /// The accepted values, or a one-element description of the accepted range (`0–10`).
    public let allowed: [String]
    /// The accepted value that the given one most likely meant, if any.
    public let suggestion: String?
    /// One sentence saying what is wrong and how to put it right.
    public let message: String

    /// Creates an error; prefer the specific constructors used by the parsers so messages stay uniform.
    public init(
        problem: Problem,
        field: String?,
        value: String?,
        allowed: [String] = [],
        suggestion: String? = nil,
        message: String
    ) {
        self.problem = problem
        self.field = field
        self.value = value
        self.allowed = allowed
        self.suggestion = suggestion
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
