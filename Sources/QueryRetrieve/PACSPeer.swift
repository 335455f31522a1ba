/// A PACS that Annulus queries (C-FIND) and retrieves from (C-MOVE), Study Root (docs/operations.md, "Fetching
/// priors from PACS"), and sends files to (C-STORE).
public struct PACSPeer: Sendable, Equatable {
    /// The PACS's host name or address.
    public var host: String
    /// The PACS's DICOM port.
    public var port: Int
    /// The PACS's AE title (the called AE title).
    public var calledAETitle: String
    /// Annulus's AE title as the calling AE (default `ANNULUS`): the PACS must know it as a modality to answer
    /// C-FIND and C-MOVE. It is also the C-MOVE destination unless `PullSettings` names another.
    public var callingAETitle: String
    /// Seconds to wait for the TCP connection.
    public var connectTimeout: UInt32 = 10
    /// Seconds for each association step (A-ASSOCIATE, A-RELEASE).
    public var associationTimeout: UInt32 = 30
    /// Seconds the PACS may be silent between a request and a response, or between two responses.
    public var idleTimeout: UInt32 = 60

    /// A peer at `host`:`port` called `calledAETitle`, with Annulus calling as `callingAETitle`.
    public init(host: String, port: Int, calledAETitle: String, callingAETitle: String = "ANNULUS") {
        self.host = host
        self.port = port
        self.calledAETitle = calledAETitle
        self.callingAETitle = callingAETitle
    }

    /// `HOST:PORT` (an IPv6 address in brackets, `[::1]:104`), or nil.
    public static func parse(hostAndPort text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, host.utf8.count <= 255, let port = Int(text[text.index(after: colon)...]),
            (1...65535).contains(port)
        else { return nil }
        return (host, port)
    }

    /// What is wrong with the peer, in words for an operator (empty when it can be used).
    public func problems() -> [String] {
        var problems: [String] = []
        let hostAllowed = host.unicodeScalars.allSatisfy {
            $0.properties.isAlphabetic || ("0"..."9").contains($0) || ".-:_".unicodeScalars.contains($0)
        }
        if host.isEmpty || host.utf8.count > 255 || !hostAllowed || !host.isASCII {
            problems.append("--pacs: the PACS host is a host name or an IP address")
        }
        if !(1...65535).contains(port) { problems.append("--pacs: the PACS port is 1 to 65535") }
        if let problem = AETitle.problem(calledAETitle) { problems.append("--pacs-ae \(calledAETitle): \(problem)") }
        if let problem = AETitle.problem(callingAETitle) { problems.append("--ae \(callingAETitle): \(problem)") }
        if connectTimeout == 0 || associationTimeout == 0 || idleTimeout == 0 {
            problems.append("PACS timeouts must be at least 1 second")
        }
        return problems
    }
}

extension String {
    var isASCII: Bool { utf8.allSatisfy { $0 < 0x80 } }
}
