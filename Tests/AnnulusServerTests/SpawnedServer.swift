import AnnulusApp
import Foundation
import ProcessTestSupport
import Synchronization
import Testing

/// The real `annulus serve` binary over a data folder, started with posix_spawn, its log in a file.
final class SpawnedServer {
    let child: ChildProcess
    let port: Int
    let logPath: String

    /// Starts `annulus serve --data DATA --listen 127.0.0.1:0 EXTRA…` and waits (up to 30 s) until it listens.
    init(data: String, arguments extra: [String] = []) throws {
        logPath = data + "/serve-\(UUID().uuidString).log"
        child = try ChildProcess(
            [GracefulShutdownTests.executable, "serve", "--data", data, "--listen", "127.0.0.1:0"] + extra,
            output: logPath)
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let range = log.range(of: "listening on 127.0.0.1:") {
                let digits = log[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits), log[range.upperBound...].dropFirst(digits.count).first != nil {
                    self.port = port
                    return
                }
            }
            if child.wait(timeout: 0.02) != nil { break }
        }
        child.kill()
        let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "annulus serve did not start: \(log)"])
    }

    /// Signs `name` in over a connection of its own: the `Cookie` header value and the anti-CSRF token.
    func signIn(_ name: String) throws -> (cookie: String, csrf: String) {
        let connection = try RawHTTPConnection(port: port)
        let response = try connection.request(
            "POST", "/api/session", body: #"{"name":"\#(name)","password":"\#(ServerFixture.password)"}"#)
        let cookie = try #require(response.headers["set-cookie"]).split(separator: ";")[0]
        return (String(cookie), try #require(response.json?["csrfToken"] as? String))
    }

    /// The server's log so far.
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
}

extension SpawnedServer {
    /// `annulus check --full` over the data folder: its exit code and output.
    static func checkStore(_ data: String) throws -> (code: Int32, output: String) {
        let output = data + "/check-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let code = try ChildProcess.run(
            GracefulShutdownTests.executable, ["check", "--full", "--data", data], output: output, timeout: 120)
        return (code, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    /// Runs SQL with the sqlite3 tool (a real SQLite, not the store's code): its exit code and output.
    static func sqlite3(_ store: String, _ sql: String) throws -> (code: Int32, output: String) {
        let output = store + "-sqlite3-\(UUID().uuidString).txt"
        defer { try? FileManager.default.removeItem(atPath: output) }
        let code = try ChildProcess.run("/usr/bin/sqlite3", [store, sql], output: output)
        return (code, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }
}
