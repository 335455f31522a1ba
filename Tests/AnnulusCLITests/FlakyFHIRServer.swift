import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real local HTTP server (Fixtures/flaky_fhir_server.py) that answers the first POSTs with a chosen failure
/// status and later ones with 200. It talks to the test through files only: its port and a request log.
///
/// Started with posix_spawn, not Foundation's `Process`: on Linux, Foundation answers every SIGCHLD by calling a
/// blocking `waitpid` on each child it launched, so a long-lived child it knows about stalls the reaping of every
/// other child (the `annulus` runs of the test would never be seen to exit).
final class FlakyFHIRServer {
    let pid: pid_t
    let port: Int
    let logPath: String

    /// Starts the server and waits (up to 20 s) until it listens.
    init(failures: Int, status: Int, folder: String, port requestedPort: Int = 0) throws {
        let portPath = folder + "/server-\(UUID().uuidString).port"
        logPath = folder + "/server-\(UUID().uuidString).log"
        pid = try Self.spawn([
            "/usr/bin/env", "python3", CLI.packageRoot + "/Tests/AnnulusCLITests/Fixtures/flaky_fhir_server.py",
            "\(failures)", "\(status)", logPath, portPath, "\(requestedPort)",
        ])
        let deadline = Date().addingTimeInterval(20)
        var exited = false
        while Date() < deadline && !exited {
            if let text = try? String(contentsOfFile: portPath, encoding: .utf8), let port = Int(text) {
                self.port = port
                return
            }
            var status: Int32 = 0
            exited = waitpid(pid, &status, WNOHANG) == pid
            usleep(20_000)
        }
        if !exited { Self.killAndReap(pid) }
        throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: portPath])
    }

    /// posix_spawn with stdio on /dev/null and an empty signal mask (the script closes inherited descriptors itself).
    private static func spawn(_ arguments: [String]) throws -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for descriptor: Int32 in 0...2 {
            posix_spawn_file_actions_addopen(
                &actions, descriptor, "/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY, 0)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
        let argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        return pid
    }

    private static func killAndReap(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
    }

    /// The FHIR base the server pretends to be.
    var url: String { "http://127.0.0.1:\(port)/fhir" }

    /// One JSON object per request received, in order.
    func requests() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// Kills the server and reaps it.
    func stop() { Self.killAndReap(pid) }

    /// A local port nothing listens on (bound, read and released), for "the endpoint is down".
    static func unusedPort() -> Int {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketFD) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(socketFD, pointer, length)
                return getsockname(socketFD, pointer, &length)
            }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
