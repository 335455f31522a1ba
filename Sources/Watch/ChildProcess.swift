import DicomIO
import Foundation

/// Runs a program to its end with a time limit, its standard output captured (bounded) and its standard error
/// passed through (its log lines join the caller's). Started with posix_spawn: no fork of a large, multi-threaded
/// process, and no `Foundation.Process`, whose SIGCHLD handling blocks on long-lived children.
public enum ChildProcess {
    /// How a run ended.
    public enum Ending: Sendable, Equatable {
        /// Exited with this status.
        case exited(Int32)
        /// Ended by this signal.
        case signalled(Int32)
        /// Still running at the time limit: killed.
        case timedOut
    }

    /// What a run produced.
    public struct Result: Sendable {
        /// How it ended.
        public var ending: Ending
        /// Its standard output (at most `outputLimit` bytes; the rest is read and dropped).
        public var output: [UInt8]
    }

    /// Runs `arguments` (the first is the program's path) and waits at most `timeout` seconds.
    public static func run(
        _ arguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment,
        timeout: Double, outputLimit: Int = 1 << 20
    ) throws -> Result {
        var pipe: [Int32] = [-1, -1]
        let socketType = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        guard socketpair(AF_UNIX, socketType, 0, &pipe) == 0 else {
            throw WatchError.file(arguments.first ?? "", "socketpair: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, pipe[1], 1)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        // Nothing else of this process (files other threads are writing, other children's pipes) goes along.
        SpawnedDescriptors.closeAll(from: 3, in: &actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        SpawnedSignals.reset([SIGPIPE, SIGTERM, SIGINT], in: &attributes)
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        close(pipe[1])
        guard status == 0 else {
            close(pipe[0])
            throw WatchError.file(arguments[0], "cannot start: \(String(cString: strerror(status)))")
        }
        defer { close(pipe[0]) }
        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        let deadline = ContinuousClock.now + .milliseconds(Int(max(0.001, timeout) * 1000))
        var timedOut = false
        reading: while true {
            let left = deadline - ContinuousClock.now
            if left <= .zero {
                timedOut = true
                break
            }
            var poller = pollfd(fd: pipe[0], events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(clamping: left.components.seconds * 1000 + 1))
            if ready < 0 && errno != EINTR { break }
            if ready <= 0 { continue }
            let count = read(pipe[0], &buffer, buffer.count)
            if count < 0 && (errno == EINTR || errno == EAGAIN) { continue }
            if count <= 0 { break reading }
            if output.count < outputLimit { output += buffer.prefix(min(count, outputLimit - output.count)) }
        }
        if timedOut { kill(pid, SIGKILL) }
        var waitStatus: Int32 = 0
        while waitpid(pid, &waitStatus, 0) < 0 && errno == EINTR {}
        if timedOut { return Result(ending: .timedOut, output: output) }
        let signal = waitStatus & 0x7f
        if signal != 0 { return Result(ending: .signalled(signal), output: output) }
        return Result(ending: .exited((waitStatus >> 8) & 0xff), output: output)
    }
}
