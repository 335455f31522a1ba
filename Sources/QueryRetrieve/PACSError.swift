/// Why a query, a retrieve or a store could not be carried out as a whole, with a message an operator can act on (it
/// names the PACS by address and AE title, never a patient).
public struct PACSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public enum Kind: String, Sendable, Equatable {
        /// The request cannot be sent (a bad key or peer).
        case invalidRequest = "invalid-request"
        /// No TCP connection to the PACS (refused, unknown host, no route, connect timeout).
        case unreachable
        /// The PACS rejected the association (usually: it does not know Annulus's calling AE title, or its own AE title
        /// is not the one called). `isTransient` when it rejected it only for now (congestion, too many associations).
        case rejected
        /// The PACS does not offer Study Root FIND or MOVE.
        case notSupported = "not-supported"
        /// The PACS stopped answering, or the whole operation passed its deadline.
        case timedOut = "timed-out"
        /// The PACS broke off or sent something malformed; or the query process crashed on its answer.
        case failed
        /// The query process could not be started (not installed).
        case cannotStart = "cannot-start"
    }

    /// The kind.
    public var kind: Kind
    /// What happened and what to do.
    public var message: String
    /// Whether the same request may succeed later without anyone changing a setting, so that a caller with retries
    /// (an outbox) tries again: true for `unreachable` (refused, no route, connect timeout), `timedOut`, `failed` (an
    /// aborted association, a crashed process) and a transient rejection; false for a permanent rejection,
    /// `notSupported`, `invalidRequest` and `cannotStart`, which need an operator.
    public var isTransient: Bool

    /// An error; `transient` overrides the kind's usual `isTransient`.
    public init(_ kind: Kind, _ message: String, transient: Bool? = nil) {
        self.kind = kind
        self.message = message
        self.isTransient = transient ?? kind.isUsuallyTransient
    }

    /// The message.
    public var description: String { message }
}

extension PACSError.Kind {
    /// Whether an error of this kind is transient unless said otherwise (`PACSError.isTransient`).
    public var isUsuallyTransient: Bool {
        switch self {
        case .unreachable, .timedOut, .failed: true
        case .rejected, .notSupported, .invalidRequest, .cannotStart: false
        }
    }
}
