import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real local HTTP server (flaky_fhir_server.py beside this file) that answers the first POSTs with a chosen
/// failure status and later ones with 200. It talks to the test through files only: its port and a request log.
/// Shared by the CLI and server tests.
public final class FlakyFHIRServer {
    let child: ChildProcess
    /// The port it listens on (loopback).
    public let port: Int
    let logPath: String

    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("flaky_fhir_server.py").path

    /// Starts the server and waits (up to 20 s) until it listens.
    public init(failures: Int, status: Int, folder: String, port requestedPort: Int = 0) throws {
        let portPath = folder + "/server-\(UUID().uuidString).port"
        logPath = folder + "/server-\(UUID().uuidString).log"
        child = try ChildProcess([
            "/usr/bin/env", "python3", Self.script,
            "\(failures)", "\(status)", logPath, portPath, "\(requestedPort)",
        ])
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            if let text = try? String(contentsOfFile: portPath, encoding: .utf8), let port = Int(text) {
                self.port = port
                return
            }
            if child.wait(timeout: 0.02) != nil { break }
        }
        child.kill()
        throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: portPath])
    }

    /// The FHIR base the server pretends to be.
    public var url: String { "http://127.0.0.1:\(port)/fhir" }

    /// One JSON object per request received, in order.
    public func requests() -> [[String: Any]] {
        let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
    }

    /// Kills the server and reaps it.
    public func stop() { child.kill() }

    /// A local port nothing listens on (bound, read and released), for "the endpoint is down".
    public static func unusedPort() -> Int {
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
