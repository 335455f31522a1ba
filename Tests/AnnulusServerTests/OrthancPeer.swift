import Accounts
import AnnulusApp
import Foundation
import ProcessTestSupport
import Store
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A throwaway Orthanc (Debian's `/usr/sbin/Orthanc`, installed by scripts/install-deps) as the PACS peer of
/// `annulus pull`: loopback only, its own storage folder, free ports, a config JSON, Nagle off (`TCP_NODELAY=1`).
/// Stopped (SIGTERM, then waited for) when released.
final class OrthancPeer {
    static let binary = "/usr/sbin/Orthanc"
    static let available =
        FileManager.default.isExecutableFile(atPath: binary)
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/findscu")
    static let skipMessage: Comment =
        "Orthanc or DCMTK is missing: run scripts/install-deps (Debian packages orthanc, orthanc-dicomweb, dcmtk)"
    static let aeTitle = "ORTHANC"

    let root: String
    let httpPort: Int
    let dicomPort: Int
    let child: ChildProcess

    /// Starts Orthanc knowing `modalities` (name → AE title and port on 127.0.0.1) and waits until its REST API
    /// answers. With `allowStrangers`, it answers C-FIND and C-MOVE from AE titles it does not know. `dicomPort`
    /// chooses its DICOM port (a free one otherwise).
    init(modalities: [String: (ae: String, port: Int)], allowStrangers: Bool = false, dicomPort: Int? = nil) throws {
        root =
            FileManager.default.temporaryDirectory.appendingPathComponent("annulus-orthanc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/db", withIntermediateDirectories: true)
        httpPort = try Self.freePort()
        self.dicomPort = try dicomPort ?? Self.freePort()
        let config: [String: Any] = [
            "Name": "annulus-test-pacs", "StorageDirectory": root + "/db", "IndexDirectory": root + "/db",
            "HttpPort": httpPort, "DicomPort": self.dicomPort, "DicomAet": Self.aeTitle, "DicomCheckCalledAet": true,
            "RemoteAccessAllowed": false, "AuthenticationEnabled": false, "SaveJobs": false, "Plugins": [],
            "DicomAlwaysAllowFind": allowStrangers, "DicomAlwaysAllowMove": allowStrangers,
            "DicomModalities": modalities.mapValues { ["AET": $0.ae, "Host": "127.0.0.1", "Port": $0.port] },
        ]
        let configPath = root + "/orthanc.json"
        try JSONSerialization.data(withJSONObject: config).write(to: URL(fileURLWithPath: configPath))
        child = try ChildProcess(
            [Self.binary, configPath], environment: ["TCP_NODELAY": "1"], output: root + "/orthanc.log")
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if (try? RawHTTPConnection(port: httpPort, timeout: 2).request("GET", "/system"))?.status == 200 { return }
            if child.wait(timeout: 0.1) != nil { break }
        }
        child.kill()
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "Orthanc did not start: \(log)"])
    }

    deinit {
        child.signal(SIGTERM)
        if child.wait(timeout: 20) == nil { child.kill() }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Orthanc's log so far.
    var log: String { (try? String(contentsOfFile: root + "/orthanc.log", encoding: .utf8)) ?? "" }

    /// A free loopback port (bound and released: another process could take it in between; good enough here).
    static func freePort() throws -> Int {
        let (socket, port) = try loopbackSocket(listening: false)
        close(socket)
        return port
    }

    /// A TCP socket bound to a free loopback port (and listening, without ever accepting, when `listening`): the
    /// descriptor (the caller closes it) and the port.
    static func loopbackSocket(listening: Bool) throws -> (descriptor: Int32, port: Int) {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && (!listening || listen(socket, 8) == 0)
                    && getsockname(socket, $0, &length) == 0
            }
        }
        if !bound { close(socket) }
        try #require(bound, "cannot bind a loopback port")
        return (socket, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// Uploads DICOM files by REST (`POST /instances`); the Orthanc ids of their studies.
    func upload(_ files: [String]) async throws -> Set<String> {
        var studies = Set<String>()
        for file in files {
            var request = URLRequest(url: url("/instances"))
            request.httpMethod = "POST"
            request.setValue("application/dicom", forHTTPHeaderField: "Content-Type")
            request.httpBody = try Data(contentsOf: URL(fileURLWithPath: file))
            let (data, response) = try await URLSession.shared.data(for: request)
            #expect((response as? HTTPURLResponse)?.statusCode == 200, "\(String(decoding: data, as: UTF8.self))")
            let answer = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            studies.insert(try #require(answer["ParentStudy"] as? String))
        }
        return studies
    }

    /// `GET path` (or `POST` with a JSON body) as JSON.
    func json(_ path: String, post body: [String: Any]? = nil) async throws -> Any {
        var request = URLRequest(url: url(path))
        if let body {
            request.httpMethod = "POST"
            request.httpBody = try JSONSerialization.data(withJSONObject: body)
        }
        let (data, response) = try await URLSession.shared.data(for: request)
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        try #require(status == 200, "\(path): \(status) \(String(decoding: data, as: UTF8.self))")
        return try JSONSerialization.jsonObject(with: data)
    }

    /// The SOP Instance UIDs Orthanc holds under the DICOM study `uid`.
    func sopInstanceUIDs(study uid: String) async throws -> Set<String> {
        let found = try #require(
            try await json(
                "/tools/find", post: ["Level": "Instance", "Query": ["StudyInstanceUID": uid], "Expand": true])
                as? [[String: Any]])
        return Set(found.compactMap { ($0["MainDicomTags"] as? [String: Any])?["SOPInstanceUID"] as? String })
    }

    private func url(_ path: String) -> URL { URL(string: "http://127.0.0.1:\(httpPort)\(path)")! }
}

/// `annulus serve` with its DICOM port (a port chosen beforehand: Orthanc's configuration names it) and the PACS,
/// over a data folder that holds accounts and no study.
final class PullServer {
    let root: String
    let data: String
    let dicomPort: Int
    let server: SpawnedServer

    init(dicomPort: Int, pacsPort: Int, allow: String = "ORTHANC,MOVESCU") throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-pull-\(UUID().uuidString)").path
        data = root + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        let store = try DataFolder(path: data).openStore(creating: true)
        let directory = AccountDirectory(store: store, hasher: try PasswordHasher(cost: 4))
        for (name, role) in [("dr.okafor", Role.clinician), ("reader", .reader)] {
            _ = try directory.create(
                name: name, displayName: nil, role: role, password: Password(ServerFixture.password))
        }
        self.dicomPort = dicomPort
        server = try SpawnedServer(
            data: data,
            arguments: [
                "--dicom-port", String(dicomPort), "--dicom-allow", allow, "--pacs", "127.0.0.1:\(pacsPort)",
                "--pacs-ae", OrthancPeer.aeTitle, "--pacs-timeout", "5",
            ])
    }

    deinit {
        server.child.kill()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// `annulus ARGUMENTS --data DATA` (with `environment` added): exit code, output and seconds taken.
    func annulus(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 180) throws -> (
        code: Int32, output: String, seconds: Double
    ) {
        let output = root + "/annulus-\(UUID().uuidString).txt"
        let started = Date()
        let child = try ChildProcess(
            [GracefulShutdownTests.executable] + arguments + ["--data", data], environment: environment, output: output)
        let code = child.wait(timeout: timeout).flatMap(ChildProcess.exitCode) ?? -1
        if code == -1 { child.kill() }
        return (code, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "", Date().timeIntervalSince(started))
    }

    /// The store, read-only from the test.
    func store() throws -> AnnulusStore { try DataFolder(path: data).openStore() }

    /// The SOP Instance UIDs indexed under the study `uid`.
    func sopInstanceUIDs(study uid: String) throws -> [String] {
        let store = try store()
        return try store.series(ofStudy: uid).flatMap { try store.instances(ofSeries: $0.seriesInstanceUID) }
            .map(\.sopInstanceUID)
    }
}
