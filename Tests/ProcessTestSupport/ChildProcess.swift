import DicomIO
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A long-lived child process (the watcher, storescp, a local HTTP server) started with posix_spawn.
///
/// Not Foundation's `Process`: on Linux it answers every SIGCHLD with a blocking `waitpid` on each child it
/// launched, so one long-lived child it knows about stalls the reaping of every other (the short `annulus` runs
/// of other tests would never be seen to exit). Output goes to files, never pipes.
public final class ChildProcess {
    /// The child's process id.
    public let pid: pid_t
    private var reaped: Int32?

    /// Starts `arguments[0]` (an absolute path) with stdin from /dev/null, stdout and stderr appended to
    /// `output` (or /dev/null), an empty signal mask and the current environment plus `environment`.
    public init(_ arguments: [String], environment: [String: String] = [:], output: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        let target = output ?? "/dev/null"
        posix_spawn_file_actions_addopen(&actions, 1, target, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Files other tests have open (without O_CLOEXEC) must not stay open in a long-lived child.
        SpawnedDescriptors.closeAll(from: 3, in: &actions)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        SpawnedSignals.reset([SIGTERM, SIGINT, SIGPIPE], in: &attributes)
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "ANNULUS_LOG_LEVEL")
        for (key, value) in environment { merged[key] = value }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, envp)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        self.pid = pid
    }

    /// Sends a signal.
    public func signal(_ number: Int32) { Glibc.kill(pid, number) }

    /// Waits up to `timeout` seconds; returns the wait status (nil when still running).
    @discardableResult
    public func wait(timeout: Double) -> Int32? {
        if let reaped { return reaped }
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                reaped = status
                return status
            }
            usleep(10_000)
        } while Date() < deadline
        return nil
    }

    /// The exit code when it exited normally.
    public static func exitCode(_ status: Int32) -> Int32? { (status & 0x7f) == 0 ? (status >> 8) & 0xff : nil }

    /// Kills (SIGKILL) and reaps it.
    public func kill() {
        guard reaped == nil else { return }
        signal(SIGKILL)
        wait(timeout: 10)
    }

    deinit { kill() }
}
