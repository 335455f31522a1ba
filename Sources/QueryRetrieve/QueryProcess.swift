import DicomIO
import Foundation
import QueryWire

/// Bounds of one query, retrieve or store.
public struct QueryRetrieveLimits: Sendable, Equatable {
    /// The most matches one C-FIND returns; past it the query is cancelled and the result marked truncated.
    public var maximumMatches = 1000
    /// Seconds a whole C-FIND may take, association included; the query process is killed past it.
    public var findDeadline: Double = 60
    /// Seconds a whole C-MOVE run (every study, one association) may take.
    public var moveDeadline: Double = 1800
    /// Seconds a whole C-STORE run (every file, one association) may take.
    public var storeDeadline: Double = 1800
    /// The most files one C-STORE run sends (more: send them in batches).
    public var maximumStoreFiles = 1000
    /// The most bytes the query process may write (a PACS cannot grow Annulus's memory without bound).
    public var maximumOutputBytes = 32 << 20

    /// The defaults: 1000 matches, 60 s per query, 30 minutes per retrieve and per store of at most 1000 files,
    /// 32 MiB of answers.
    public init() {}
}

/// Runs C-FIND, C-MOVE and C-STORE in the `annulus-dicom-query` process (CDicomNet's SCU: DCMTK parses the PACS's
/// answers there, so a crash on a hostile answer ends that process only). Each operation is one process with its own
/// association; the caller's deadline kills it.
///
/// Blocking: call it from a thread that may wait (not an event loop, not a small CPU pool).
public struct QueryProcess: Sendable {
    /// The `annulus-dicom-query` executable.
    public let executable: String
    /// The bounds.
    public var limits: QueryRetrieveLimits

    /// The query process at `executable`, or found by `SiblingExecutable` (`ANNULUS_DICOM_QUERY`, else beside this
    /// process's executable).
    public init(executable: String? = nil, limits: QueryRetrieveLimits = QueryRetrieveLimits()) throws(PACSError) {
        if let executable {
            self.executable = executable
        } else {
            self.executable = try SiblingExecutable.locate("annulus-dicom-query", variable: "ANNULUS_DICOM_QUERY").get()
        }
        self.limits = limits
    }

    /// C-FIND (Study Root, STUDY level) on `peer`.
    public func find(_ query: PACSStudyQuery, on peer: PACSPeer) throws(PACSError) -> FindResult {
        if let problem = query.problems().first { throw PACSError(.invalidRequest, problem.message) }
        var request = [Self.peerLine(peer), ["find", String(limits.maximumMatches)]]
        request += query.keys.map { ["key", $0.name, $0.value] }
        let lines = try run(request + [["end"]], peer: peer, deadline: limits.findDeadline)
        var studies: [FoundStudy] = []
        var seen = Set<String>()
        var rejected = 0
        var final: (status: UInt16, truncated: Bool)?
        for fields in lines {
            switch fields.first {
            case "match":
                if let study = FoundStudy(fields: Array(fields.dropFirst())),
                    seen.insert(study.studyInstanceUID).inserted
                {
                    studies.append(study)
                } else {
                    rejected += 1
                }
            case "found" where fields.count == 4:
                final = (UInt16(fields[1]) ?? 0xFFFF, fields[3] == "1")
            default: continue
            }
        }
        try Self.failure(in: lines, peer: peer)
        guard let final else { throw PACSError(.failed, "the query process ended without an answer") }
        if final.status != 0x0000 && final.status != 0xFE00 {
            throw PACSError(
                .failed,
                "the PACS \(Self.name(peer)) answered the query with status \(StudyMove.hex(final.status))"
                    + (final.status == 0xA700 ? " (out of resources)" : "")
                    + "; its log says why")
        }
        return FindResult(
            studies: studies, truncated: final.truncated || studies.count > limits.maximumMatches,
            rejectedMatches: rejected, finalStatus: final.status)
    }

    /// C-MOVE (Study Root, STUDY level) of each study to `destination` (an AE title the PACS knows), one after the
    /// other on one association; each study's outcome in order. Studies after a failure of the whole run are not
    /// reported: the error says what happened.
    public func move(_ studyUIDs: [String], to destination: String, on peer: PACSPeer) throws(PACSError)
        -> [StudyMove]
    {
        if let problem = AETitle.problem(destination) {
            throw PACSError(.invalidRequest, "move destination: \(problem)")
        }
        guard studyUIDs.allSatisfy(DicomValues.isUID) else {
            throw PACSError(.invalidRequest, "a study UID is digits and dots, at most 64 characters")
        }
        let request = [Self.peerLine(peer), ["move", destination]] + studyUIDs.map { ["study", $0] } + [["end"]]
        let lines = try run(request, peer: peer, deadline: limits.moveDeadline)
        var moves: [StudyMove] = []
        for fields in lines where fields.first == "moved" && fields.count == 9 {
            guard studyUIDs.contains(fields[1]) else { continue }
            let count = { (text: String) in Int(text).map { min(max($0, 0), 65535) } ?? 0 }
            let comment = fields[8].trimmingSpaces
            moves.append(
                StudyMove(
                    studyInstanceUID: fields[1], status: UInt16(fields[2]) ?? 0xFFFF, completed: count(fields[3]),
                    failed: count(fields[4]), warning: count(fields[5]),
                    errorComment: comment.isEmpty ? nil : String(comment.prefix(64))))
        }
        if moves.count < studyUIDs.count { try Self.failure(in: lines, peer: peer) }
        return moves
    }

    // MARK: - The process

    static func peerLine(_ peer: PACSPeer) -> [String] {
        [
            "peer", peer.host, String(peer.port), peer.calledAETitle, peer.callingAETitle, String(peer.connectTimeout),
            String(peer.associationTimeout), String(peer.idleTimeout),
        ]
    }

    /// `AE@host:port`, for messages.
    static func name(_ peer: PACSPeer) -> String { "\(peer.calledAETitle)@\(peer.host):\(peer.port)" }

    /// Throws the error a `failed` line reports, if there is one.
    static func failure(in lines: [[String]], peer: PACSPeer) throws(PACSError) {
        guard let fields = lines.last(where: { $0.first == "failed" }), fields.count == 3 else { return }
        let detail = String(fields[2].prefix(200))
        let pacs = name(peer)
        switch Int32(fields[1]) ?? 5 {
        case 1:
            throw PACSError(
                .unreachable,
                "cannot connect to the PACS at \(peer.host):\(peer.port) (AE \(peer.calledAETitle); \(detail)): check "
                    + "--pacs, that the PACS is running and that no firewall blocks its DICOM port")
        case 2:
            let check =
                if detail.contains("calling AE title not recognized") {
                    "add Annulus's AE title \(peer.callingAETitle) (--ae) to the PACS as a DICOM modality"
                } else if detail.contains("called AE title not recognized") {
                    "check the PACS's AE title: Annulus called it \(peer.calledAETitle) (--pacs-ae)"
                } else {
                    "check that its AE title is \(peer.calledAETitle) (--pacs-ae) and that it knows Annulus's AE title "
                        + "\(peer.callingAETitle) as a DICOM modality"
                }
            throw PACSError(.rejected, "the PACS \(pacs) rejected the association (\(detail)): \(check)")
        case 3:
            throw PACSError(
                .notSupported, "the PACS \(pacs) does not offer Study Root query/retrieve (FIND and MOVE): \(detail)")
        case 4:
            throw PACSError(.timedOut, "the PACS \(pacs) stopped answering (\(detail))")
        case 6:
            throw PACSError(.invalidRequest, detail)
        case 7:
            throw PACSError(
                .rejected,
                "the PACS \(pacs) turned the association away for now (\(detail)): it is busy; try again later",
                transient: true)
        default:
            throw PACSError(
                .failed,
                "the exchange with the PACS \(pacs) failed (\(detail)); if it repeats, check the PACS's log "
                    + "(it may refuse Annulus's calling AE title \(peer.callingAETitle))")
        }
    }

    /// Runs the query process with `request`; its output lines, decoded. Kills it past `deadline` seconds.
    func run(_ request: [[String]], peer: PACSPeer, deadline: Double) throws(PACSError) -> [[String]] {
        let child = try spawn()
        defer { close(child.output) }
        let text = request.map(QueryWire.line).joined()
        // A socket, not a pipe: MSG_NOSIGNAL, so that a child that died at once cannot SIGPIPE this process.
        let written = text.withCString { send(child.input, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        close(child.input)
        guard written == text.utf8.count else {
            let reason = String(cString: strerror(errno))
            // A process that died at once (a crash before reading) is reported as such, not as a broken pipe.
            if case .signal(let number) = reap(child.pid, kill: true), number != SIGKILL {
                throw Self.endedBySignal(number, peer: peer)
            }
            throw PACSError(.failed, "cannot hand the request to the query process: \(reason)")
        }
        var output: [UInt8] = []
        let end = Date().addingTimeInterval(deadline)
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let remaining = end.timeIntervalSinceNow
            guard remaining > 0 else {
                _ = reap(child.pid, kill: true)
                throw PACSError(
                    .timedOut,
                    "the PACS \(Self.name(peer)) did not finish within \(Int(deadline)) s; the operation was stopped")
            }
            var poller = pollfd(fd: child.output, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining * 1000, 1000)) + 1)
            if ready < 0 && errno == EINTR { continue }
            if ready == 0 { continue }
            let count = read(child.output, &buffer, buffer.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            output += buffer.prefix(count)
            if output.count > limits.maximumOutputBytes {
                _ = reap(child.pid, kill: true)
                throw PACSError(
                    .failed,
                    "the PACS \(Self.name(peer)) sent more than \(limits.maximumOutputBytes >> 20) MiB of answers")
            }
        }
        let status = reap(child.pid, kill: false)
        let lines = String(decoding: output, as: UTF8.self).split(separator: "\n").map(QueryWire.fields)
        if case .signal(let number) = status { throw Self.endedBySignal(number, peer: peer) }
        return lines
    }

    private static func endedBySignal(_ number: Int32, peer: PACSPeer) -> PACSError {
        PACSError(
            .failed,
            "the query process ended by signal \(number) while talking to the PACS \(name(peer)) (an answer "
                + "DCMTK could not handle?); Annulus itself is unaffected")
    }

    private enum Ending { case exit(Int32), signal(Int32) }

    private func spawn() throws(PACSError) -> (pid: pid_t, input: Int32, output: Int32) {
        var input: [Int32] = [-1, -1]
        var output: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &input) == 0 else {
            throw PACSError(.cannotStart, "socketpair: \(String(cString: strerror(errno)))")
        }
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &output) == 0 else {
            close(input[0])
            close(input[1])
            throw PACSError(.cannotStart, "socketpair: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        SpawnedDescriptors.closeAll(from: 3, in: &actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        SpawnedSignals.reset([SIGPIPE, SIGTERM, SIGINT, SIGCHLD, SIGSEGV, SIGABRT, SIGBUS], in: &attributes)
        var environment = ["PATH=/usr/bin:/bin"]
        if let dictionary = ProcessInfo.processInfo.environment["DCMDICTPATH"] {
            environment.append("DCMDICTPATH=\(dictionary)")
        }
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(executable), nil]
        let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(input[0])
        close(output[1])
        guard status == 0 else {
            close(input[1])
            close(output[0])
            throw PACSError(.cannotStart, "cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return (pid, input[1], output[0])
    }

    private func reap(_ pid: pid_t, kill shouldKill: Bool) -> Ending {
        if shouldKill { kill(pid, SIGKILL) }
        var status: Int32 = 0
        var reaped: pid_t
        repeat { reaped = waitpid(pid, &status, 0) } while reaped < 0 && errno == EINTR
        let signal = status & 0x7F
        return signal == 0 ? .exit((status >> 8) & 0xFF) : .signal(signal)
    }
}
