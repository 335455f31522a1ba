/// The one error of the use cases: what kind of problem it is (so that a face can map it: the command line to an
/// exit status, an HTTP server to a status and a JSON body), a stable code, and a message a clinician or an
/// administrator can act on.
///
/// Every use case throws only `AppError`. The kinds split into refusals (`invalidInput`, `notFound`, `conflict`,
/// `forbidden`: the request was refused and nothing was changed; asking again unchanged gives the same answer)
/// and failures (`unavailable`, `internal`: the request was acceptable but could not be carried out).
public struct AppError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem, as a face maps it.
    public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
        /// The request is wrong: a bad value, a missing field, an unknown word of the vocabulary. The fields
        /// `field`, `value`, `allowed` and `suggestion` say which and how to fix it. (CLI 2, HTTP 400/422.)
        case invalidInput = "invalid-input"
        /// What the request names does not exist: a study, an annotation, the store itself. (CLI 2, HTTP 404.)
        case notFound = "not-found"
        /// The current state refuses the request: signing a signed finding, amending a retracted one, a finding
        /// changed since it was listed. (CLI 2, HTTP 409.)
        case conflict
        /// The principal may not do this. (CLI 2, HTTP 403.)
        case forbidden
        /// Something the request needs is not available now: the store is locked, full, read-only or damaged, an
        /// endpoint is down. Trying again later (or after the named fix) may work. (CLI 1, HTTP 503.)
        case unavailable
        /// A failure of Annulus itself or of the machine that no request could avoid. (CLI 1, HTTP 500.)
        case `internal`
    }

    /// One of several refusals reported together (a batch of which none was carried out).
    public struct Problem: Sendable, Equatable, Codable {
        /// What the caller named (an annotation id or prefix, a file, a row).
        public var reference: String
        /// What is wrong with it.
        public var message: String

        /// Creates a problem.
        public init(reference: String, message: String) {
            self.reference = reference
            self.message = message
        }
    }

    /// The kind.
    public var kind: Kind
    /// A stable, machine-readable code within the kind, e.g. `unknown-study`, `already-signed`, `bad-value`.
    public var code: String
    /// What is wrong and what to do, in full. Text given by users or read from files may appear in it with its
    /// control characters escaped (faces escape it once more before a terminal or a log; escaping is idempotent).
    public var message: String
    /// The request field concerned (`level`, `type`, `anchor.point`, `rules`), when the problem is one field's.
    public var field: String?
    /// The value given, when one was.
    public var value: String?
    /// The accepted values (or a one-element description of the accepted range).
    public var allowed: [String]
    /// The accepted value the given one most likely meant, when there is one.
    public var suggestion: String?
    /// Every refusal of a batch, when there were several.
    public var problems: [Problem]

    /// Creates an error.
    public init(
        _ kind: Kind, code: String, message: String, field: String? = nil, value: String? = nil,
        allowed: [String] = [], suggestion: String? = nil, problems: [Problem] = []
    ) {
        self.kind = kind
        self.code = code
        self.message = message
        self.field = field
        self.value = value
        self.allowed = allowed
        self.suggestion = suggestion
        self.problems = problems
    }

    /// The message.
    public var description: String { message }

    /// True when the request was refused and nothing was changed (every kind but `unavailable` and `internal`).
    public var isRefusal: Bool {
        switch kind {
        case .invalidInput, .notFound, .conflict, .forbidden: true
        case .unavailable, .internal: false
        }
    }

    /// A bad request value.
    public static func invalidInput(
        _ message: String, field: String? = nil, value: String? = nil, allowed: [String] = [],
        suggestion: String? = nil, code: String = "invalid-input"
    ) -> AppError {
        AppError(
            .invalidInput, code: code, message: message, field: field, value: value, allowed: allowed,
            suggestion: suggestion)
    }

    /// Something named that does not exist.
    public static func notFound(_ message: String, field: String? = nil, code: String = "not-found") -> AppError {
        AppError(.notFound, code: code, message: message, field: field)
    }

    /// A request the current state refuses.
    public static func conflict(_ message: String, code: String = "conflict", problems: [Problem] = []) -> AppError {
        AppError(.conflict, code: code, message: message, problems: problems)
    }

    /// Something not available now.
    public static func unavailable(_ message: String, code: String = "unavailable") -> AppError {
        AppError(.unavailable, code: code, message: message)
    }

    /// A failure no request could avoid.
    public static func `internal`(_ message: String, code: String = "internal") -> AppError {
        AppError(.internal, code: code, message: message)
    }
}
