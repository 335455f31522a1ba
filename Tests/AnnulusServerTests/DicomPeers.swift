import AnnulusApp
import Foundation
import ProcessTestSupport
import Store
import Testing

/// `annulus serve --dicom-port 0 …` on a fresh data folder, and the peers that talk to it: DCMTK's tools
/// (`echoscu`, `storescu`) and pynetdicom (`Tests/Peers/dicom/peer.py`, an independent implementation).
final class DicomServer {
    let root: String
    let data: String
    var server: SpawnedServer
    var dicomPort: Int

    /// The venv python with pynetdicom (`scripts/peers-venv`), or nil when it has not been set up.
    static let python: String? = {
        let path = ServerFixture.packageRoot + "/.build/peers-venv/bin/python"
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }()
    static let peerScript = ServerFixture.packageRoot + "/Tests/Peers/dicom/peer.py"
    static let dcmtkAvailable = FileManager.default.isExecutableFile(atPath: "/usr/bin/storescu")
    static let skipMessage: Comment =
        "the DICOM peers are missing: run scripts/peers-venv (pynetdicom from PyPI) and install dcmtk (scripts/install-deps)"

    /// Starts a server on a new, empty data folder with `extra` options (after `--dicom-port 0`).
    /// With `tmpfs` (mount's size syntax, `8m`), the data folder is a tmpfs of that size (root only), for full disks.
    init(allow: String = "PYNET,STORESCU,ECHOSCU", extra: [String] = [], tmpfs: String? = nil) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-dicom-\(UUID().uuidString)").path
        data = root + "/data"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        if let tmpfs {
            try #require(Tmpfs.mount(at: data, size: tmpfs), "mount -t tmpfs -o size=\(tmpfs)")
            mounted = true
        }
        _ = try DataFolder(path: data).openStore(creating: true)
        let arguments = ["--dicom-port", "0", "--dicom-allow", allow] + extra
        server = try SpawnedServer(data: data, arguments: arguments)
        dicomPort = try Self.dicomPort(in: server)
        self.arguments = arguments
    }

    private let arguments: [String]
    private var mounted = false

    /// Starts the server again on the same data folder (after a kill).
    func restart() throws {
        server = try SpawnedServer(data: data, arguments: arguments)
        dicomPort = try Self.dicomPort(in: server)
    }

    private static func dicomPort(in server: SpawnedServer) throws -> Int {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let log = server.log
            if let line = log.split(separator: "\n").first(where: { $0.contains("DICOM storage SCP listening") }),
                let range = line.range(of: "port="),
                let port = Int(line[range.upperBound...].prefix { $0.isNumber })
            {
                return port
            }
            Thread.sleep(forTimeInterval: 0.05)
        }
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "no DICOM port: \(server.log)"])
    }

    deinit {
        server.child.kill()
        if mounted { Tmpfs.unmount(data) }
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Runs a pynetdicom scenario against the server; its JSON lines.
    func peer(_ scenario: String, _ arguments: [String] = [], called: String = "ANNULUS", timeout: Double = 60) throws
        -> [[String: Any]]
    {
        let python = try #require(Self.python)
        let output = root + "/peer-\(UUID().uuidString).txt"
        let code = try ChildProcess.run(
            python, [Self.peerScript, "127.0.0.1", String(dicomPort), called, scenario] + arguments, output: output,
            timeout: timeout)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(code == 0, "peer \(scenario) exited \(code): \(text)")
        return text.split(separator: "\n").compactMap {
            guard $0.hasPrefix("{") else { return nil }
            return try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// Runs a DCMTK tool (`echoscu`, `storescu`) as `tool options host port files`; exit code and output.
    func dcmtk(_ tool: String, _ options: [String], files: [String] = [], timeout: Double = 120) throws -> (
        code: Int32, output: String
    ) {
        let output = root + "/\(tool)-\(UUID().uuidString).txt"
        let code = try ChildProcess.run(
            "/usr/bin/" + tool, options + ["127.0.0.1", String(dicomPort)] + files, output: output, timeout: timeout)
        return (code, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
    }

    /// The store, opened read-only from the test (a real second process's view is the same: WAL).
    func store() throws -> AnnulusStore { try DataFolder(path: data).openStore() }

    /// The instances indexed under the study `uid` (0 when it is not indexed).
    func instanceCount(study uid: String) throws -> Int { try store().study(uid: uid)?.instanceCount ?? 0 }

    /// The files waiting in the staging folder.
    var staged: [String] { (try? FileManager.default.contentsOfDirectory(atPath: data + "/received")) ?? [] }

    /// The files in the quarantine (without their reason files).
    var quarantined: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: data + "/quarantine")) ?? []).filter {
            !$0.hasSuffix(".reason.txt")
        }
    }
}
