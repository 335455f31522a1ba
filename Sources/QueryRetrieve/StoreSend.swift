/// How one file's C-STORE ended (PS3.4 B.2.3): the PACS's status and Error Comment, or why the file was not sent.
public struct StoredFile: Sendable, Equatable, Codable {
    /// The file, as given.
    public var path: String
    /// The C-STORE response's status (0x0000 success; 0xB000, 0xB006, 0xB007 stored with a warning; 0xA7xx out of
    /// resources; 0xA9xx data set does not match the SOP class; 0xCxxx cannot understand), or 0xFFFF when the file was
    /// not sent (`comment` says why).
    public var status: UInt16
    /// The PACS's Error Comment (as sent, at most 64 characters: escape before a terminal), or why the file was not
    /// sent (it could not be read as a DICOM Part-10 file, or the PACS does not accept its SOP class).
    public var comment: String?

    /// A file's outcome.
    public init(path: String, status: UInt16, comment: String?) {
        self.path = path
        self.status = status
        self.comment = comment
    }

    /// True when the PACS stored the file: 0x0000, or one of the warnings 0xB000 (coercion of data elements), 0xB006
    /// (elements discarded), 0xB007 (data set does not match the SOP class).
    public var isSuccess: Bool { [0x0000, 0xB000, 0xB006, 0xB007].contains(status) }

    /// True when the PACS stored the file with a warning.
    public var isWarning: Bool { isSuccess && status != 0x0000 }

    /// False when the file was not sent (status 0xFFFF).
    public var wasSent: Bool { status != 0xFFFF }

    /// True when the PACS refused the file for now (0xA7xx, out of resources): sending it again later may succeed.
    /// Any other failure needs the file or the PACS's configuration changed first.
    public var isTransient: Bool { (0xA700...0xA7FF).contains(status) }

    /// The status as four hexadecimal digits (`0xA700`).
    public var statusText: String { StudyMove.hex(status) }

    /// The meaning of the status in words.
    public var meaning: String {
        switch status {
        case 0x0000: "stored"
        case 0xB000: "stored with coercion of data elements"
        case 0xB006: "stored with elements discarded"
        case 0xB007: "stored, but the data set does not match the SOP class"
        case 0xFFFF: "not sent"
        case 0x0122: "SOP class not supported"
        case 0x0124: "not authorized"
        case 0xA700...0xA7FF: "out of resources"
        case 0xA900...0xA9FF: "data set does not match the SOP class"
        case 0xC000...0xCFFF: "cannot understand"
        default: "failure"
        }
    }
}

extension QueryProcess {
    /// C-STORE of each DICOM Part-10 file at `paths` (absolute, or relative to this process's working directory) to
    /// `peer`, in order, on one association; one outcome per file, in the same order. Each file's SOP class is proposed
    /// in the file's own transfer syntax and in Explicit and Implicit VR Little Endian; a compressed file whose
    /// transfer syntax the PACS does not accept is not sent (this process has no codecs).
    ///
    /// A file that cannot be read or whose SOP class the PACS does not accept is an outcome with status 0xFFFF, not an
    /// error. The error is for the whole run: the PACS unreachable, the association rejected, a timeout, the
    /// association broken off (files already stored are not reported then: send them again). `PACSError.isTransient`
    /// tells whether to retry. Blocking, like `find` and `move`.
    public func store(_ paths: [String], on peer: PACSPeer) throws(PACSError) -> [StoredFile] {
        if let problem = peer.problems().first { throw PACSError(.invalidRequest, problem) }
        guard paths.count <= limits.maximumStoreFiles else {
            throw PACSError(
                .invalidRequest,
                "\(paths.count) files in one store; at most \(limits.maximumStoreFiles): send them in batches")
        }
        for path in paths where path.isEmpty || path.utf8.count >= 4096 || path.utf8.contains(0) {
            throw PACSError(.invalidRequest, "a file path is empty, too long or holds a NUL character")
        }
        guard !paths.isEmpty else { return [] }
        let request = [Self.peerLine(peer), ["store"]] + paths.map { ["file", $0] } + [["end"]]
        let lines = try run(request, peer: peer, deadline: limits.storeDeadline)
        var stored: [StoredFile] = []
        for fields in lines where fields.first == "stored" && fields.count == 4 {
            // In order, each path as sent: anything else is not an outcome of this request.
            guard stored.count < paths.count, fields[1] == paths[stored.count], let status = UInt16(fields[2]) else {
                continue
            }
            let comment = fields[3].trimmingSpaces
            stored.append(
                StoredFile(
                    path: fields[1], status: status, comment: comment.isEmpty ? nil : String(comment.prefix(512))))
        }
        if stored.count < paths.count {
            try Self.failure(in: lines, peer: peer)
            throw PACSError(
                .failed,
                "the query process reported \(stored.count) of \(paths.count) files sent to the PACS \(Self.name(peer)) "
                    + "and ended")
        }
        return stored
    }
}
