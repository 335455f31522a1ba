/// Why an SR document could not be written or read: the document, and what is wrong in DCMTK's or our words.
public struct SRError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being done: "the findings report", "the key object selection", "reading report.dcm".
    public var what: String
    /// What is wrong, naming the field or item.
    public var reason: String

    /// Creates an error.
    public init(what: String, reason: String) {
        self.what = what
        self.reason = reason
    }

    /// "<what>: <reason>".
    public var description: String { "\(what): \(reason)" }
}
