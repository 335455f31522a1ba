import Dispatch
import Foundation
import Synchronization

/// A small pool of long-lived `annulus-decoder` worker processes that decode compressed frames and run DCMTK's
/// display pipeline on behalf of this process.
///
/// Codecs from outside (IJG, CharLS, DCMTK's RLE, OpenJPEG, OpenJPH) can abort, raise a signal, loop or allocate
/// without bound on crafted data; no `catch` helps against that. Here such a failure ends a worker, not the caller:
/// the frame fails with `decode-crashed` (the signal named) or `decode-timeout`, the worker is replaced on the next
/// request, and the application goes on. Workers are started once and reused (no process start per frame); a frame
/// crosses the socket as one buffer, and the answer's size is checked against what the caller's own reading of the
/// header expects. At most `capacity` workers run (one per core by default); callers beyond that wait for one.
public final class DecoderPool: Sendable {
    /// The pool `DicomFile` uses when its options ask for worker processes.
    public static let shared = DecoderPool()

    /// Workers running at most.
    public let capacity: Int
    /// A worker is retired after this many jobs (bounds what a slow leak in a codec can accumulate).
    public let jobsPerWorker: Int
    private let environment: [String: String]
    private let explicitExecutable: String?
    private let slots: DispatchSemaphore
    private let idle = Mutex<[DecoderWorkerProcess]>([])

    /// Creates a pool.
    ///
    /// - Parameters:
    ///   - capacity: workers at most (default: the active processor count).
    ///   - executable: the worker program; default ``locateExecutable()``.
    ///   - extraEnvironment: added to this process's environment for the workers.
    public init(
        capacity: Int = ProcessInfo.processInfo.activeProcessorCount, executable: String? = nil,
        extraEnvironment: [String: String] = [:], jobsPerWorker: Int = 10_000
    ) {
        self.capacity = max(1, capacity)
        self.jobsPerWorker = max(1, jobsPerWorker)
        self.explicitExecutable = executable
        // Swift's backtracer would symbolicate a crashed worker for seconds (and print it): the pool needs the
        // ending, not the stack.
        self.environment = ProcessInfo.processInfo.environment.merging(
            ["SWIFT_BACKTRACE": "enable=no"].merging(extraEnvironment) { $1 }
        ) { $1 }
        self.slots = DispatchSemaphore(value: max(1, capacity))
    }

    deinit {
        for worker in idle.withLock({ $0 }) { worker.stop() }
    }

    /// The worker program: `$ANNULUS_DECODER` when set, else `annulus-decoder` next to this executable.
    public static func locateExecutable(environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(DicomError) -> String
    {
        if let path = environment["ANNULUS_DECODER"], !path.isEmpty {
            guard access(path, X_OK) == 0 else {
                throw DicomError(
                    .decoderUnavailable, path: "",
                    message: "ANNULUS_DECODER names \(path), which is not an executable file")
            }
            return path
        }
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let own = length > 0 ? String(decoding: buffer.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
        let candidate = URL(fileURLWithPath: own).deletingLastPathComponent().appendingPathComponent("annulus-decoder")
            .path
        guard access(candidate, X_OK) == 0 else {
            throw DicomError(
                .decoderUnavailable, path: "",
                message:
                    "the decoder worker \(candidate) is missing: install annulus-decoder next to annulus (swift build "
                    + "builds both), or set ANNULUS_DECODER to its path")
        }
        return candidate
    }

    /// Stored values of frame `frame` of `path`, decoded in a worker; `expectedBytes` comes from the caller's own
    /// validated pixel module, and an answer of any other size is refused.
    func storedFrame(path: String, frame: Int, options: DicomReadOptions, expectedBytes: Int) throws(DicomError)
        -> (bytes: [UInt8], colorModel: String)
    {
        let request = request(.storedFrame, path: path, frame: frame, options: options)
        let (response, bytes) = try perform(request, options: options) { $0.payloadBytes == expectedBytes }
        return (bytes, response.colorModel ?? "")
    }

    /// Frame `frame` of `path` rendered by DCMTK's display pipeline in a worker (`columns` × `rows`, grey or RGB).
    func renderedFrame(path: String, frame: Int, voi: VOISelection, options: DicomReadOptions, rows: Int, columns: Int)
        throws(DicomError) -> RenderedFrame
    {
        var request = request(.renderedFrame, path: path, frame: frame, options: options)
        request.voi = voi
        let (response, bytes) = try perform(request, options: options) { response in
            guard let samples = response.samplesPerPixel, samples == 1 || samples == 3 else { return false }
            return response.payloadBytes == rows * columns * samples
        }
        return RenderedFrame(
            width: columns, height: rows, samplesPerPixel: response.samplesPerPixel ?? 1, pixels: bytes)
    }

    /// Sends a test fault (`crash`, `abort`, `trap`, `hang`, `spin`, `allocate`) to a worker started with
    /// `ANNULUS_DECODER_FAULTS=1` in `extraEnvironment`, and reports how the job ended.
    func injectFault(_ fault: String, options: DicomReadOptions) throws(DicomError) {
        var request = request(.fault, path: "", frame: 0, options: options)
        request.fault = fault
        _ = try perform(request, options: options) { $0.payloadBytes == 0 }
    }

    /// Workers running now (idle ones; busy ones are counted by their callers).
    var idleWorkers: Int { idle.withLock { $0.count } }

    private func request(
        _ operation: DecoderProtocol.Request.Operation, path: String, frame: Int, options: DicomReadOptions
    ) -> DecoderProtocol.Request {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return DecoderProtocol.Request(
            operation: operation, path: absolute, frame: frame, maxSequenceDepth: options.maxSequenceDepth,
            maxDecodedBytes: options.maxDecodedBytes, voi: nil, cpuSeconds: max(1, options.decodeTimeoutSeconds),
            fault: nil)
    }

    /// The address space a worker needs for jobs bounded by `maxDecodedBytes`: the decoded frame, the codec's
    /// working copy and the compressed input, plus the runtime.
    static func memoryBudget(maxDecodedBytes: UInt64) -> UInt64 {
        let bound = min(maxDecodedBytes, 1 << 40)
        return bound * 3 + (1 << 30)
    }

    private func perform(
        _ request: DecoderProtocol.Request, options: DicomReadOptions,
        accepts: (DecoderProtocol.Response) -> Bool
    ) throws(DicomError) -> (DecoderProtocol.Response, [UInt8]) {
        let executable: String
        if let explicitExecutable {
            executable = explicitExecutable
        } else {
            executable = try Self.locateExecutable(environment: environment)
        }
        let memory = Self.memoryBudget(maxDecodedBytes: options.maxDecodedBytes)
        slots.wait()
        defer { slots.signal() }
        var reused = true
        var worker: DecoderWorkerProcess
        if let found = takeIdle(memory: memory) {
            worker = found
        } else {
            worker = try DecoderWorkerProcess.start(
                executable: executable, memoryBytes: memory, environment: environment)
            reused = false
        }
        if !worker.send(request) {
            // An idle worker can have ended since its last job (killed by an administrator, say): start a new one once.
            worker.stop()
            guard reused else { throw worker.failure(for: request, reason: .closed) }
            worker = try DecoderWorkerProcess.start(
                executable: executable, memoryBytes: memory, environment: environment)
            guard worker.send(request) else { throw worker.failure(for: request, reason: .closed) }
        }
        let deadline = ContinuousClock.now + .seconds(max(1, options.decodeTimeoutSeconds))
        do {
            let response = try DecoderProtocol.receive(
                DecoderProtocol.Response.self, from: worker.socket, deadline: deadline)
            if let kindName = response.errorKind {
                putBack(worker)
                let kind = DicomError.Kind(rawValue: kindName) ?? .internal
                throw DicomError(kind, path: request.path, message: response.errorMessage ?? "decoding failed")
            }
            guard accepts(response) else {
                worker.stop()
                throw DicomError(
                    .internal, path: request.path,
                    message: "the decoder worker answered \(response.payloadBytes) bytes for frame \(request.frame), "
                        + "which the header does not allow; the worker was stopped")
            }
            let payload = try DecoderProtocol.readPayload(
                count: response.payloadBytes, from: worker.socket, deadline: deadline)
            putBack(worker)
            return (response, payload)
        } catch let failure as DecoderProtocol.ReadFailure {
            throw worker.failure(for: request, reason: failure, timeoutSeconds: options.decodeTimeoutSeconds)
        } catch let error as DicomError {
            throw error
        } catch {
            worker.stop()
            throw DicomError(.internal, path: request.path, message: "\(error)")
        }
    }

    private func takeIdle(memory: UInt64) -> DecoderWorkerProcess? {
        idle.withLock { workers in
            guard let index = workers.lastIndex(where: { $0.memoryBytes >= memory }) else { return nil }
            return workers.remove(at: index)
        }
    }

    private func putBack(_ worker: DecoderWorkerProcess) {
        guard worker.jobs.add(1, ordering: .relaxed).newValue < jobsPerWorker else {
            worker.stop()
            return
        }
        idle.withLock { workers in
            workers.append(worker)
            // Workers started for a larger bound than later callers use stay; keep at most `capacity`.
            while workers.count > capacity { workers.removeFirst().stop() }
        }
    }
}

/// One running `annulus-decoder`: its process id, the socket requests and answers cross, and the pipe its
/// standard error goes to (read only after it died, for the runtime's last words). One caller uses it at a time
/// (the pool hands it out and takes it back under its lock); the counters are atomic all the same, so that `stop`
/// closes the descriptors once whoever calls it.
final class DecoderWorkerProcess: Sendable {
    let pid: pid_t
    let socket: Int32
    let errors: Int32
    let memoryBytes: UInt64
    /// Jobs served, for retiring the worker.
    let jobs = Atomic<Int>(0)
    private let stopped = Atomic<Bool>(false)

    private init(pid: pid_t, socket: Int32, errors: Int32, memoryBytes: UInt64) {
        self.pid = pid
        self.socket = socket
        self.errors = errors
        self.memoryBytes = memoryBytes
    }

    deinit { stop() }

    /// Starts a worker with posix_spawn (no fork of this possibly large, multi-threaded process).
    static func start(executable: String, memoryBytes: UInt64, environment: [String: String]) throws(DicomError)
        -> DecoderWorkerProcess
    {
        var pair: [Int32] = [-1, -1]
        let socketType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, socketType, 0, &pair) == 0 else {
            throw DicomError(.decoderUnavailable, path: "", message: "socketpair: \(String(cString: strerror(errno)))")
        }
        var errorPipe: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, socketType, 0, &errorPipe) == 0 else {
            close(pair[0])
            close(pair[1])
            throw DicomError(
                .decoderUnavailable, path: "", message: "socketpair: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pair[1], 0)
        posix_spawn_file_actions_adddup2(&actions, pair[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
        // A worker lives for thousands of jobs: it must not hold files other threads have open right now.
        SpawnedDescriptors.closeAll(from: 3, in: &actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The worker starts with no blocked signals and default actions for the ones this process may ignore.
        SpawnedSignals.reset(
            [SIGPIPE, SIGTERM, SIGINT, SIGXCPU, SIGSEGV, SIGABRT, SIGFPE, SIGILL, SIGBUS], in: &attributes)
        let arguments = [executable, "--serve", "--memory-bytes", String(memoryBytes)]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        close(pair[1])
        close(errorPipe[1])
        guard status == 0 else {
            close(pair[0])
            close(errorPipe[0])
            throw DicomError(
                .decoderUnavailable, path: "",
                message: "cannot start the decoder worker \(executable): \(String(cString: strerror(status)))")
        }
        _ = fcntl(errorPipe[0], F_SETFL, fcntl(errorPipe[0], F_GETFL) | O_NONBLOCK)
        return DecoderWorkerProcess(pid: pid, socket: pair[0], errors: errorPipe[0], memoryBytes: memoryBytes)
    }

    func send(_ request: DecoderProtocol.Request) -> Bool { DecoderProtocol.send(request, to: socket) }

    /// Kills (if still running) and reaps the worker; returns its wait status when it could be read.
    @discardableResult
    func stop() -> Int32? {
        guard !stopped.exchange(true, ordering: .acquiringAndReleasing) else { return nil }
        close(socket)
        var status: Int32 = 0
        var reaped = waitpid(pid, &status, WNOHANG)
        if reaped == 0 {
            kill(pid, SIGKILL)
            repeat { reaped = waitpid(pid, &status, 0) } while reaped < 0 && errno == EINTR
        }
        close(errors)
        return reaped == pid ? status : nil
    }

    /// Reaps the worker after it stopped answering and describes how the job ended.
    func failure(
        for request: DecoderProtocol.Request, reason: DecoderProtocol.ReadFailure, timeoutSeconds: Int = 0
    ) -> DicomError {
        let what = request.operation == .fault ? "an injected fault" : "frame \(request.frame)"
        switch reason {
        case .timedOut:
            stop()
            return DicomError(
                .decodeTimeout, path: request.path,
                message: "decoding \(what) took longer than \(timeoutSeconds) s; the decoder worker was stopped")
        case .protocolViolation(let detail):
            stop()
            return DicomError(
                .internal, path: request.path, message: "the decoder worker sent \(detail); it was stopped")
        case .closed:
            // Give the kernel a moment to finish the exit so the status is there to read.
            var status: Int32 = 0
            var reaped: pid_t = 0
            for _ in 0..<200 {
                reaped = waitpid(pid, &status, WNOHANG)
                if reaped != 0 { break }
                usleep(5_000)
            }
            let lastWords = lastErrorLine()
            if reaped == 0 {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
            }
            if !stopped.exchange(true, ordering: .acquiringAndReleasing) {
                close(socket)
                close(errors)
            }
            let ending: String
            if reaped == pid && (status & 0x7f) != 0 {
                let signal = status & 0x7f
                let name = strsignal(signal).map { String(cString: $0) } ?? "signal \(signal)"
                ending =
                    signal == SIGXCPU
                    ? "used up its CPU time (\(timeoutSeconds > 0 ? "\(timeoutSeconds) s" : "limit"))"
                    : "died of \(Self.signalName(signal)) (\(name))"
                if signal == SIGXCPU {
                    return DicomError(
                        .decodeTimeout, path: request.path, message: "decoding \(what): the decoder worker \(ending)")
                }
            } else if reaped == pid {
                ending = "exited with status \((status >> 8) & 0xff)"
            } else {
                ending = "closed its connection"
            }
            let detail = lastWords.isEmpty ? "" : " (\(lastWords))"
            return DicomError(
                .decodeCrashed, path: request.path,
                message: "the decoder worker \(ending) while decoding \(what)\(detail); the file is not decoded")
        }
    }

    /// The last line the worker wrote to standard error (a Swift runtime trap message, say), printable ASCII only.
    private func lastErrorLine() -> String {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(errors, &buffer, buffer.count)
        guard count > 0 else { return "" }
        let text = String(decoding: buffer.prefix(count), as: UTF8.self)
        let lines = text.split(whereSeparator: \.isNewline).filter { !$0.isEmpty }
        let line = lines.last(where: { $0.contains("Fatal error") }) ?? lines.last ?? ""
        let printable = line.unicodeScalars.map { $0.value >= 0x20 && $0.value < 0x7f ? Character($0) : "?" }
        return String(String(printable).prefix(200))
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGFPE: "SIGFPE"
        case SIGILL: "SIGILL"
        case SIGBUS: "SIGBUS"
        case SIGTRAP: "SIGTRAP"
        case SIGKILL: "SIGKILL"
        case SIGXCPU: "SIGXCPU"
        default: "signal \(signal)"
        }
    }
}
