import AnnulusApp
import DicomIO
import Foundation
import QueryRetrieve
import Logging
import Synchronization
import TextSafety

/// What the DICOM entrance has done since the server started.
public struct DicomReceiverStatistics: Sendable, Equatable {
    /// Associations accepted.
    public var associationsAccepted = 0
    /// Associations rejected (calling or called AE not recognised, too many, no acceptable context).
    public var associationsRejected = 0
    /// Objects answered with Success (durable and indexed).
    public var objectsStored = 0
    /// Objects answered with a failure status.
    public var objectsRefused = 0
    /// Association processes that ended abnormally (a signal, the deadline, a failure), each ending its own
    /// association only.
    public var associationProcessFailures = 0
    /// Connections closed unanswered because the hard cap on processes was reached.
    public var connectionsOverCap = 0
    /// Times the receiver process itself was restarted.
    public var receiverRestarts = 0

    /// No activity.
    public init() {}
}

/// The DICOM Storage SCP of `annulus serve --dicom-port` (docs/conformance.md): binds the port, runs the receiver
/// process (`annulus-dicom-receiver`, which forks one process per association: DCMTK's network code never runs in
/// the server) and restarts it when it dies, and answers each association's objects from the shared receive
/// pipeline: Success only once an object is durable and indexed.
///
/// Logs name peers by address and calling AE title (escaped), never a patient.
public final class DicomReceiver: Sendable {
    /// The settings.
    public let settings: DicomListenerSettings
    /// The port bound.
    public var port: Int { socket.port }

    private let socket: ListeningSocket
    private let queue: ReceiveQueue
    private let executable: String
    private let logger: Logger
    private let counters = DicomReceiverCounters()
    private let onAssociation: (@Sendable (AssociationSummary) -> Void)?
    private let running = Mutex<(pid: pid_t, control: Int32)?>(nil)
    private let stopping = Atomic<Bool>(false)

    /// Binds the port now (so that a clash is an error at start); `run()` starts accepting. `onAssociation` hears
    /// of every association once it ends or is rejected (the server writes it to the audit trail).
    public init(
        settings: DicomListenerSettings, receiving: ReceiveQueue, executable: String? = nil, logger: Logger,
        onAssociation: (@Sendable (AssociationSummary) -> Void)? = nil
    ) throws(DicomNetworkError) {
        self.onAssociation = onAssociation
        let problems = settings.problems()
        guard problems.isEmpty else { throw .badSettings(problems) }
        self.settings = settings
        self.queue = receiving
        if let executable {
            self.executable = executable
        } else {
            self.executable = try Self.locateExecutable()
        }
        self.logger = logger
        socket = try ListeningSocket(host: settings.host, port: settings.port)
    }

    /// The counts so far.
    public var statistics: DicomReceiverStatistics { counters.state.withLock { $0 } }

    /// Runs the receiver process until `stop()`, restarting it (after 0.5 s, doubling to 30 s; back to 0.5 s after
    /// ten minutes up) whenever it ends. Blocks: run it on its own thread.
    public func run() throws(DicomNetworkError) {
        var backoff = 0.5
        while !stopping.load(ordering: .acquiring) {
            let started = Date()
            let (pid, control) = try start()
            running.withLock { $0 = (pid, control) }
            if stopping.load(ordering: .acquiring) { shutdown(control, Int32(SHUT_RDWR)) }
            logger.info(
                "DICOM storage SCP listening",
                metadata: ["port": "\(port)", "ae": "\(settings.aeTitle.terminalSafe)", "pid": "\(pid)"])
            readControl(control)
            let status = reap(pid)
            running.withLock { $0 = nil }
            close(control)
            if stopping.load(ordering: .acquiring) { break }
            counters.state.withLock { $0.receiverRestarts += 1 }
            if Date().timeIntervalSince(started) > 600 { backoff = 0.5 }
            logger.error(
                "the DICOM receiver process ended; associations in progress continue, restarting",
                metadata: ["status": "\(status)", "retryIn": "\(backoff)s"])
            Thread.sleep(forTimeInterval: backoff)
            backoff = min(backoff * 2, 30)
        }
        logger.info("DICOM storage SCP stopped")
    }

    /// Stops accepting: the receiver process ends; associations in progress finish on their own processes
    /// (their objects are answered while the receive pipeline runs).
    public func stop() {
        stopping.store(true, ordering: .releasing)
        if let control = running.withLock({ $0?.control }) { shutdown(control, Int32(SHUT_RDWR)) }
    }

    /// `annulus-dicom-receiver`: `ANNULUS_DICOM_RECEIVER`, else beside this executable.
    public static func locateExecutable(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(DicomNetworkError) -> String
    {
        switch SiblingExecutable.locate(
            "annulus-dicom-receiver", variable: "ANNULUS_DICOM_RECEIVER", environment: environment)
        {
        case .success(let path): return path
        case .failure(let error): throw .cannotStart(error.message)
        }
    }

    // MARK: - The receiver process

    private func start() throws(DicomNetworkError) -> (pid_t, Int32) {
        var pair: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_SEQPACKET.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &pair) == 0 else {
            throw .cannotStart("socketpair: \(String(cString: strerror(errno)))")
        }
        // Out of the way of descriptors 3 and 4 before they are set up in the child.
        let listening = fcntl(socket.descriptor, F_DUPFD_CLOEXEC, 100)
        let control = fcntl(pair[1], F_DUPFD_CLOEXEC, 100)
        close(pair[1])
        defer {
            close(listening)
            close(control)
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, listening, 3)
        posix_spawn_file_actions_adddup2(&actions, control, 4)
        SpawnedDescriptors.closeAll(from: 5, in: &actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        SpawnedSignals.reset(
            [SIGPIPE, SIGTERM, SIGINT, SIGALRM, SIGCHLD, SIGXFSZ, SIGSEGV, SIGABRT, SIGBUS], in: &attributes)
        let arguments =
            [executable] + settings.receiverArguments(staging: queue.staging.folder)
        let argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        let envp: [UnsafeMutablePointer<CChar>?] = [strdup("PATH=/usr/bin:/bin"), nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard status == 0 else {
            close(pair[0])
            throw .cannotStart("cannot start \(executable): \(String(cString: strerror(status)))")
        }
        return (pid, pair[0])
    }

    private func reap(_ pid: pid_t) -> String {
        kill(pid, SIGTERM)
        var status: Int32 = 0
        var reaped: pid_t
        repeat { reaped = waitpid(pid, &status, 0) } while reaped < 0 && errno == EINTR
        guard reaped == pid else { return "unknown" }
        let signal = status & 0x7F
        return signal == 0 ? "exit \((status >> 8) & 0xFF)" : "signal \(signal)"
    }

    /// Reads the receiver's control socket until it closes: each association's channel (answered on its own
    /// thread) and the listener's reports.
    private func readControl(_ control: Int32) {
        while let (fields, descriptor) = SeqPacket.receive(from: control) {
            switch fields.first {
            case "HELLO" where descriptor >= 0 && fields.count >= 3:
                guard let pid = pid_t(fields[1]), pid > 0 else {
                    close(descriptor)
                    continue
                }
                let channel = AssociationChannel(
                    descriptor: descriptor, pid: pid, peer: fields[2], staging: queue.staging.folder, queue: queue,
                    logger: logger, counters: counters, onAssociation: onAssociation)
                let thread = Thread { channel.serve() }
                thread.name = "dicom-association"
                thread.start()
            case "EXIT" where fields.count >= 4:
                counters.state.withLock { $0.associationProcessFailures += 1 }
                logger.warning(
                    "DICOM association process ended abnormally; only its association was affected",
                    metadata: [
                        "pid": "\(fields[1].terminalSafe)", "peer": "\(fields[2].terminalSafe)",
                        "how": "\(fields[3].terminalSafe)",
                    ])
            case "CAP" where fields.count >= 2:
                counters.state.withLock { $0.connectionsOverCap += 1 }
                logger.warning(
                    "DICOM connection turned away (rejected, local limit exceeded): too many association processes",
                    metadata: ["peer": "\(fields[1].terminalSafe)"])
            default:
                if descriptor >= 0 { close(descriptor) }
            }
        }
    }
}

/// The receiver's counts, shared with its association channels.
final class DicomReceiverCounters: Sendable {
    let state = Mutex(DicomReceiverStatistics())
}
