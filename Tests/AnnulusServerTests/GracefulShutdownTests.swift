import Accounts
import AnnulusApp
import Foundation
import Store
import Testing

/// The real binary: SIGTERM while a request is in flight lets the request finish, and the process exits 0.
@Suite struct GracefulShutdownTests {
    static let executable = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        .appendingPathComponent("annulus").path

    @Test func sigtermDuringASlowRequestFinishesItAndExitsZero() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let data = DataFolder(path: root.path + "/data")
        let store = try data.openStore(creating: true)
        // Cost 13: a sign-in takes a bcrypt verification of about half a second, the slow request of this test.
        _ = try AccountDirectory(store: store, hasher: try PasswordHasher(cost: 13)).create(
            name: "reader", displayName: nil, role: .reader, password: Password(ServerFixture.password))

        let server = Process()
        server.executableURL = URL(fileURLWithPath: Self.executable)
        server.arguments = ["serve", "--data", data.path, "--listen", "127.0.0.1:0"]
        let output = Pipe()
        server.standardOutput = output
        server.standardError = output
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        let port = try #require(Self.listeningPort(output.fileHandleForReading))

        // The request is sent on a connection of this process and SIGTERM follows once the server has read it
        // (its receive queue is empty): a fixed sleep after starting curl lost the race under load (curl had not
        // connected yet, and the stopping server rightly refused it).
        let connection = try RawHTTPConnection(port: port, timeout: 60)
        try connection.send(
            "POST", "/api/session", body: #"{"name":"reader","password":"\#(ServerFixture.password)"}"#)
        #expect(connection.waitUntilServerRead(serverPort: port, timeout: 30), "the server never read the request")
        let signalled = ContinuousClock.now
        kill(server.processIdentifier, SIGTERM)
        let status = try? connection.readResponse(method: "POST").status
        server.waitUntilExit()
        #expect(status == 200, "the in-flight sign-in must complete")
        #expect(server.terminationReason == .exit && server.terminationStatus == 0)
        #expect(ContinuousClock.now - signalled < .seconds(10))
    }

    @Test func watchIngestsBesideTheServerAndStopsCleanly() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-serve-\(UUID().uuidString)")
        let inbox = root.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let data = root.path + "/data"
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Self.executable)
        server.arguments = ["serve", "--data", data, "--listen", "127.0.0.1:0", "--watch", inbox.path]
        let output = Pipe()
        server.standardOutput = output
        server.standardError = output
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        _ = try #require(Self.listeningPort(output.fileHandleForReading))
        try FileManager.default.copyItem(
            atPath: ServerFixture.packageRoot + "/SampleStudies/patient1-fluoroscopy",
            toPath: inbox.path + "/patient1-fluoroscopy")
        let store = try DataFolder(path: data).openStore()
        var studies = 0
        for _ in 0..<100 where studies == 0 {
            try await Task.sleep(for: .milliseconds(100))
            studies = try store.studies().count
        }
        #expect(studies == 1, "the watcher inside annulus serve indexes what arrives")
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        #expect(server.terminationReason == .exit && server.terminationStatus == 0)
    }

    @Test func tlsServesHTTPSAndMarksTheCookieSecure() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let (cert, key) = (root.path + "/cert.pem", root.path + "/key.pem")
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = [
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost", "-addext",
            "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", cert,
        ]
        openssl.standardError = FileHandle.nullDevice
        try openssl.run()
        openssl.waitUntilExit()
        let data = DataFolder(path: root.path + "/data")
        let store = try data.openStore(creating: true)
        _ = try AccountDirectory(store: store, hasher: try PasswordHasher(cost: 4)).create(
            name: "reader", displayName: nil, role: .reader, password: Password(ServerFixture.password))
        let server = Process()
        server.executableURL = URL(fileURLWithPath: Self.executable)
        server.arguments = [
            "serve", "--data", data.path, "--listen", "127.0.0.1:0", "--tls-certificate", cert, "--tls-key", key,
        ]
        let output = Pipe()
        server.standardOutput = output
        server.standardError = output
        try server.run()
        defer { if server.isRunning { server.terminate() } }
        let port = try #require(Self.listeningPort(output.fileHandleForReading))
        let curl = Process()
        curl.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        curl.arguments = [
            "-s", "-D", "-", "-o", "/dev/null", "--cacert", cert, "-H", "content-type: application/json", "-d",
            #"{"name":"reader","password":"\#(ServerFixture.password)"}"#, "https://127.0.0.1:\(port)/api/session",
        ]
        let curlOutput = Pipe()
        curl.standardOutput = curlOutput
        try curl.run()
        curl.waitUntilExit()
        let headers = String(decoding: curlOutput.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(headers.hasPrefix("HTTP/1.1 200"), "\(headers)")
        let cookie = headers.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie:") } ?? ""
        #expect(cookie.contains("Secure") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"))
        kill(server.processIdentifier, SIGTERM)
        server.waitUntilExit()
        #expect(server.terminationStatus == 0)
    }

    /// Reads the server's log until HummingbirdCore says where it listens.
    static func listeningPort(_ handle: FileHandle) -> Int? {
        var text = ""
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let chunk = handle.availableData
            if chunk.isEmpty { return nil }
            text += String(decoding: chunk, as: UTF8.self)
            if let range = text.range(of: "listening on 127.0.0.1:") {
                let digits = text[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits), text[range.upperBound...].dropFirst(digits.count).first != nil {
                    return port
                }
            }
        }
        return nil
    }
}
