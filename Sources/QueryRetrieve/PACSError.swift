/// Why a query or a retrieve could not be carried out as a whole, with a message an operator can act on (it names
/// the PACS by address and AE title, never a patient).
public struct PACSError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public enum Kind: String, Sendable, Equatable {
        /// The request cannot be sent (a bad key or peer).
        case invalidRequest = "invalid-request"
        /// No TCP connection to the PACS (refused, unknown host, no route, connect timeout).
        case unreachable
        /// The PACS rejected the association (usually: it does not know Annulus's calling AE title).
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

    /// An error.
    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
