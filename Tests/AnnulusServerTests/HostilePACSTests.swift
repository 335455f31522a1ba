import Foundation
import ProcessTestSupport
import Testing

/// `annulus pull` against PACS answers no real PACS should send (a pynetdicom C-FIND SCP,
/// Tests/Peers/dicom/fake_pacs.py) and against a query process that crashes or floods: bounded, validated, a clear
/// error, and the server unaffected.
@Suite(.serialized, .enabled(if: DicomServer.python != nil, DicomServer.skipMessage))
struct HostilePACSTests {
    static let script = ServerFixture.packageRoot + "/Tests/Peers/dicom/fake_pacs.py"

    /// Starts the fake PACS in `mode`; the process and its port.
    static func fakePACS(_ mode: [String], log: String) throws -> (ChildProcess, Int) {
        let child = try ChildProcess([try #require(DicomServer.python), script] + mode, output: log)
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("listening ") }),
                let port = Int(line.dropFirst("listening ".count))
            {
                return (child, port)
            }
            if child.wait(timeout: 0.05) != nil { break }
        }
        child.kill()
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "fake PACS did not start"])
    }

    @Test("1500 matches: the first 1000 are listed, the query is cancelled, the result says more matched")
    func matchesAreCapped() throws {
        let annulus = try PullServer(dicomPort: try OrthancPeer.freePort(), pacsPort: 9)
        let (pacs, port) = try Self.fakePACS(["many", "1500"], log: annulus.root + "/fake.log")
        defer { pacs.kill() }
        let find = try annulus.annulus(
            ["pull", "--find-only", "--patient-id", "FAKE-1", "--pacs", "127.0.0.1:\(port)", "--pacs-ae", "FAKEPACS"])
        #expect(find.code == 0, "\(find.output)")
        #expect(find.output.contains("1000 studies found (more matched"), "\(find.output.suffix(300))")
        #expect(find.output.contains("2.25.1000") && !find.output.contains("2.25.1001 "))
        // The PACS was sent a C-CANCEL after match 1000; how soon it stops is its own affair (pynetdicom's handler
        // may already have queued every match), and the SCU reads past the cap without keeping anything.
        #expect(find.seconds < 30)
    }

    @Test("Matches with bad or repeated UIDs are dropped; bad dates, lengths and counts are left out; text escaped")
    func hostileMatchesAreValidated() throws {
        let annulus = try PullServer(dicomPort: try OrthancPeer.freePort(), pacsPort: 9)
        let (pacs, port) = try Self.fakePACS(["hostile"], log: annulus.root + "/fake.log")
        defer { pacs.kill() }
        let pacsOptions = ["--pacs", "127.0.0.1:\(port)", "--pacs-ae", "FAKEPACS"]
        let find = try annulus.annulus(["pull", "--find-only", "--patient-id", "FAKE-1"] + pacsOptions)
        #expect(find.code == 0, "\(find.output)")
        #expect(find.output.contains("2 studies found; 2 match(es) ignored"), "\(find.output)")
        #expect(!find.output.contains("\u{1b}") && find.output.contains("EVIL\\e[31mRED\\e[2J"))
        let json = try annulus.annulus(["pull", "--find-only", "--json", "--patient-id", "FAKE-1"] + pacsOptions)
        let objects = json.output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: [String: Any]]
        }
        let found = objects.compactMap { $0["found"] }
        #expect(found.map { $0["studyInstanceUID"] as? String } == ["2.25.7", "2.25.8"])
        // 2.25.7's date was 2024-01-01 (not DA); 2.25.8's description, patient ID and count were out of bounds.
        #expect(found[0]["studyDate"] == nil && found[0]["studyDescription"] as? String == "EVIL\u{1b}[31mRED\u{1b}[2J")
        #expect(found[1]["studyDescription"] == nil && found[1]["patientID"] == nil)
        #expect(found[1]["numberOfInstances"] == nil && found[1]["studyDate"] as? String == "20240101")
    }

    @Test("A query process that crashes or floods: an error naming it, bounded; the server answers after")
    func misbehavingQueryProcess() throws {
        let annulus = try PullServer(dicomPort: try OrthancPeer.freePort(), pacsPort: 9)
        let crash = annulus.root + "/crash.sh"
        let flood = annulus.root + "/flood.sh"
        try "#!/bin/sh\nkill -SEGV $$\n".write(toFile: crash, atomically: true, encoding: .utf8)
        try "#!/bin/sh\nexec yes match\n".write(toFile: flood, atomically: true, encoding: .utf8)
        chmod(crash, 0o755)
        chmod(flood, 0o755)
        let query = ["pull", "--find-only", "--patient-id", "X1", "--pacs", "127.0.0.1:9", "--pacs-ae", "PACS"]
        let crashed = try annulus.annulus(query, environment: ["ANNULUS_DICOM_QUERY": crash])
        #expect(crashed.code == 1 && crashed.output.contains("ended by signal 11"), "\(crashed.output)")
        let flooded = try annulus.annulus(query, environment: ["ANNULUS_DICOM_QUERY": flood])
        #expect(flooded.code == 1 && flooded.output.contains("more than 32 MiB"), "\(flooded.output)")
        #expect(flooded.seconds < 30)
        #expect(
            (try? RawHTTPConnection(port: annulus.server.port).request("GET", "/health"))?.status == 200,
            "the server is unaffected")
    }
}
