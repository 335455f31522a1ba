import Accounts
import AnnulusApp
import DicomIO
import Foundation
import ProcessTestSupport
import SpineModel
import Store
import Testing

/// The DICOM SR hand-off end to end with the real command: export → dciodvfy → import into a fresh store gives the
/// same findings; sent to Orthanc (Debian's) by C-STORE and found there by its REST API; a retraction supersedes
/// the report; a PACS that is down leaves the delivery pending until `--retry-pending`.
@Suite(.serialized) struct SRHandoffTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let study = "ACC-MR-0001"

    /// A data folder with SampleStudies indexed and three signed findings on ACC-MR-0001 (two marked on an image,
    /// one a polyline, one not marked).
    final class Clinic: Sendable {
        let root: String
        let data: String

        private init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-sr-\(UUID().uuidString)").path
            data = root + "/data"
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        }

        /// A data folder with SampleStudies indexed and, with `findings`, three signed findings on ACC-MR-0001.
        static func make(findings: Bool = true) async throws -> Clinic {
            let clinic = try Clinic()
            try await clinic.populate(findings: findings)
            return clinic
        }

        private func populate(findings: Bool) async throws {
            try await expectSuccess(["ingest", SRHandoffTests.packageRoot + "/SampleStudies"])
            guard findings else { return }
            try await expectSuccess([
                "annotate", "add", SRHandoffTests.study, "--level", "L4-L5", "--finding", "annular-fissure",
                "type=radial", "zones=central,subarticular", "side=left", "--series", "1", "--instance", "8", "--point",
                "120.3,140.7", "--note", "posterior annulus", "--sign",
            ])
            try await expectSuccess([
                "annotate", "add", SRHandoffTests.study, "--level", "L5-S1", "--finding", "pfirrmann", "grade=4",
                "--series", "1", "--instance", "8", "--point", "100,150", "--point", "120,152", "--sign",
            ])
            try await expectSuccess([
                "annotate", "add", SRHandoffTests.study, "--level", "L3-L4", "--finding", "hiz", "present=yes",
                "position=posterior", "--sign",
            ])
        }

        deinit { try? FileManager.default.removeItem(atPath: root) }

        /// `annulus ARGUMENTS --data DATA` as the clinician "rita": exit code and output.
        @discardableResult
        func annulus(_ arguments: [String], timeout: Double = 180) throws -> (code: Int32, output: String) {
            let output = root + "/out-\(UUID().uuidString).txt"
            let child = try ChildProcess(
                [GracefulShutdownTests.executable] + arguments + ["--data", data],
                environment: ["ANNULUS_USER": "rita"],
                output: output)
            let code = child.wait(timeout: timeout).flatMap(ChildProcess.exitCode) ?? -1
            if code == -1 { child.kill() }
            return (code, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
        }

        func expectSuccess(_ arguments: [String]) throws {
            let (code, output) = try annulus(arguments)
            try #require(code == 0, "annulus \(arguments.joined(separator: " ")): \(output)")
        }

        /// The study's latest findings (level, finding, mark, note, numbering), without their identities.
        func findings() throws -> Set<LevelAnnotation> {
            let store = try DataFolder(path: data).openStore()
            let uid = try store.resolveStudy(SRHandoffTests.study).studyInstanceUID
            return Set(try store.annotations(studyUID: uid).map { try LevelAnnotation.decode($0.payload) })
        }

        /// How many findings (annotations, not distinct contents) the study has.
        func findingCount() throws -> Int {
            let store = try DataFolder(path: data).openStore()
            return try store.annotations(studyUID: store.resolveStudy(SRHandoffTests.study).studyInstanceUID).count
        }
    }

    /// Runs blocking work (a child process's wait) on a thread of its own and awaits it.
    static func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }

    /// `ChildProcess.run` off the pool.
    static func run(_ path: String, _ arguments: [String], output: String? = nil, timeout: Double = 30) async throws
        -> Int32
    {
        try await offPool { try ChildProcess.run(path, arguments, output: output, timeout: timeout) }
    }

    static func which(_ tool: String) -> String? {
        ["/usr/bin/", "/usr/local/bin/"].map { $0 + tool }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test("export --format sr → dciodvfy without errors → import into a fresh store gives the same findings")
    func roundTrip() async throws {
        let clinic = try await Clinic.make()
        let out = clinic.root + "/export"
        let export = try await clinic.annulus(["export", Self.study, "--format", "sr", "--out", out])
        try #require(export.code == 0, "\(export.output)")
        #expect(export.output.contains("3 finding(s), verified: every finding signed"), "\(export.output)")
        let report = out + "/\(Self.study).sr.dcm"
        let keyImages = out + "/\(Self.study).kos.dcm"
        #expect(FileManager.default.fileExists(atPath: keyImages))
        if let dciodvfy = Self.which("dciodvfy") {
            for file in [report, keyImages] {
                let log = clinic.root + "/dciodvfy.txt"
                _ = try await Self.run(dciodvfy, [file], output: log)
                let text = try String(contentsOfFile: log, encoding: .utf8)
                #expect(!text.split(separator: "\n").contains { $0.hasPrefix("Error") }, "\(file): \(text)")
            }
        } else {
            Issue.record("dciodvfy is missing: scripts/install-deps installs dicom3tools")
        }
        // Unchanged content: the same document again, byte for byte.
        let first = try Data(contentsOf: URL(fileURLWithPath: report))
        let again = try await clinic.annulus(["export", Self.study, "--format", "sr", "--out", out])
        #expect(again.output.contains("unchanged since the last export"), "\(again.output)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: report)) == first)

        let fresh = try await Clinic.make(findings: false)
        let imported = try await fresh.annulus(["annotate", "import", "--sr", report, "--importer", "pacs-import"])
        #expect(imported.code == 0, "\(imported.output)")
        #expect(imported.output.contains("3 draft finding(s) imported"), "\(imported.output)")
        let (exported, reimported) = (try clinic.findings(), try fresh.findings())
        #expect(
            reimported == exported,
            "only exported: \(exported.subtracting(reimported)); only imported: \(reimported.subtracting(exported))")
        #expect(try fresh.findings().count == 3)

        // Read back into the store that exported it: every group is a finding it has; nothing is duplicated.
        let before = try clinic.findings()
        let back = try await clinic.annulus(["annotate", "import", "--sr", report, "--importer", "pacs-import"])
        #expect(back.code == 0, "\(back.output)")
        #expect(back.output.contains("0 draft finding(s) imported"), "\(back.output)")
        #expect(back.output.contains("3 already in this store"), "\(back.output)")
        #expect(back.output.split(separator: "\n").filter { $0.hasPrefix("ALREADY ") }.count == 3, "\(back.output)")
        let json = try await clinic.annulus(
            ["annotate", "import", "--sr", report, "--importer", "pacs-import", "--json"])
        #expect(json.output.components(separatedBy: #""status":"already-present""#).count == 4, "\(json.output)")
        #expect(json.output.contains(#""already-present":3"#), "\(json.output)")
        #expect(try clinic.findings() == before)
        #expect(try clinic.findingCount() == 3)
    }

    @Test("Every finding retracted: a report that withdraws them supersedes the last one; nothing left, nothing made")
    func everyFindingRetracted() async throws {
        let clinic = try await Clinic.make()
        let out = clinic.root + "/export"
        try await clinic.expectSuccess(["export", Self.study, "--format", "sr", "--out", out])
        let list = try await clinic.annulus(["annotate", "list", Self.study]).output.split(separator: "\n")
        let ids = list.filter { $0.contains(" signed ") }.compactMap { $0.split(separator: " ").first.map(String.init) }
        try #require(ids.count == 3, "\(list)")
        for id in ids { try await clinic.expectSuccess(["annotate", "retract", id, "--reason", "wrong study"]) }
        let withdrawn = try await clinic.annulus(["export", Self.study, "--format", "sr", "--out", out])
        #expect(withdrawn.code == 0, "\(withdrawn.output)")
        #expect(withdrawn.output.contains("(instance 2, supersedes "), "\(withdrawn.output)")
        #expect(withdrawn.output.contains("0 finding(s)"), "\(withdrawn.output)")
        let dump = clinic.root + "/dump.txt"
        _ = try await Self.run(
            Self.which("dsrdump") ?? "/usr/bin/dsrdump", [out + "/\(Self.study).sr.dcm"], output: dump)
        let text = try String(contentsOfFile: dump, encoding: .utf8)
        #expect(text.components(separatedBy: "Withdrawn finding").count == 4, "\(text)")
        #expect(!text.contains("Tracking Identifier"))
        // A study that never had a report and has no findings: refused, nothing written.
        let empty = try await Clinic.make(findings: false)
        let refused = try await empty.annulus(["export", Self.study, "--format", "sr", "--out", empty.root + "/export"])
        #expect(refused.code == 2 && refused.output.contains("no signed findings to report"), "\(refused.output)")
        #expect(!FileManager.default.fileExists(atPath: empty.root + "/export"))
    }

    @Test(
        "Sent to Orthanc by C-STORE: found by its REST API in the study; a retraction sends a superseding report",
        .enabled(if: OrthancPeer.available, OrthancPeer.skipMessage))
    func sentToOrthanc() async throws {
        let orthanc = try OrthancPeer(modalities: [:])
        let clinic = try await Clinic.make()
        let pacs = ["--pacs", "127.0.0.1:\(orthanc.dicomPort)", "--pacs-ae", OrthancPeer.aeTitle]
        let sent = try await clinic.annulus(["export", Self.study, "--format", "sr"] + pacs)
        try #require(sent.code == 0, "\(sent.output)")
        #expect(sent.output.contains("delivered to dicom://ORTHANC@127.0.0.1:\(orthanc.dicomPort)"), "\(sent.output)")
        let store = try DataFolder(path: clinic.data).openStore()
        let studyUID = try store.resolveStudy(Self.study).studyInstanceUID
        let first = try #require(try store.latestStructuredReport(studyUID: studyUID, kind: .report))
        let keyImages = try #require(try store.latestStructuredReport(studyUID: studyUID, kind: .keyObjects))

        let tags = try await Self.instanceTags(orthanc, sopInstanceUID: first.sopInstanceUID)
        #expect(tags["Modality"] as? String == "SR")
        #expect(tags["StudyInstanceUID"] as? String == studyUID)
        #expect(tags["VerificationFlag"] as? String == "VERIFIED")
        let text = String(decoding: try JSONSerialization.data(withJSONObject: tags), as: UTF8.self)
        for expected in ["L4-L5 annular fissure", "L5-S1 pfirrmann grade", "84020006", "RDES281", "Candidacy"] {
            #expect(text.contains(expected), "Orthanc's copy lacks \(expected)")
        }
        let kos = try await Self.instanceTags(orthanc, sopInstanceUID: keyImages.sopInstanceUID)
        #expect(kos["SOPClassUID"] as? String == "1.2.840.10008.5.1.4.1.1.88.59")

        // Retract one finding: a new report supersedes the first (Predecessor Documents Sequence), both kept.
        let list = try await clinic.annulus(["annotate", "list", Self.study])
        let hiz = try #require(
            list.output.split(separator: "\n").first { $0.contains(" hiz ") }?.split(separator: " ").first)
        try await clinic.expectSuccess(["annotate", "retract", String(hiz), "--reason", "a vessel, not an HIZ"])
        let resent = try await clinic.annulus(["export", Self.study, "--format", "sr"] + pacs)
        try #require(resent.code == 0, "\(resent.output)")
        #expect(resent.output.contains("supersedes \(first.sopInstanceUID)"), "\(resent.output)")
        let second = try #require(try store.latestStructuredReport(studyUID: studyUID, kind: .report))
        #expect(second.instanceNumber == 2 && second.sopInstanceUID != first.sopInstanceUID)
        let superseding = try await Self.instanceTags(orthanc, sopInstanceUID: second.sopInstanceUID)
        let supersedingText = String(decoding: try JSONSerialization.data(withJSONObject: superseding), as: UTF8.self)
        #expect(supersedingText.contains(first.sopInstanceUID), "no Predecessor Documents Sequence naming the first")
        #expect(supersedingText.contains("Withdrawn finding") && !supersedingText.contains("L3-L4 high-intensity"))
        _ = try await Self.instanceTags(orthanc, sopInstanceUID: first.sopInstanceUID)
    }

    @Test(
        "A PACS that is down leaves the delivery pending; --retry-pending delivers it once the PACS is up",
        .enabled(if: OrthancPeer.available, OrthancPeer.skipMessage))
    func pendingUntilThePACSIsUp() async throws {
        let clinic = try await Clinic.make()
        let port = try OrthancPeer.freePort()
        let pacs = ["--pacs", "127.0.0.1:\(port)", "--pacs-ae", OrthancPeer.aeTitle]
        let down = try await clinic.annulus(
            ["export", Self.study, "--format", "sr", "--max-attempts", "2", "--backoff", "0"] + pacs)
        #expect(down.code == 1, "\(down.output)")
        #expect(down.output.contains("attempt 2: retry"), "\(down.output)")
        #expect(down.output.contains("--retry-pending --pacs HOST:PORT --pacs-ae AE"), "\(down.output)")
        // Without the PACS named, the pending delivery is reported, not sent elsewhere.
        let unnamed = try await clinic.annulus(["export", "--retry-pending"])
        #expect(unnamed.code == 1 && unnamed.output.contains("give that PACS"), "\(unnamed.output)")

        let orthanc = try OrthancPeer(modalities: [:], dicomPort: port)
        let retried = try await clinic.annulus(["export", "--retry-pending"] + pacs)
        #expect(retried.code == 0, "\(retried.output)")
        #expect(retried.output.contains("attempt 3: delivered"), "\(retried.output)")
        let store = try DataFolder(path: clinic.data).openStore()
        let studyUID = try store.resolveStudy(Self.study).studyInstanceUID
        let report = try #require(try store.latestStructuredReport(studyUID: studyUID, kind: .report))
        _ = try await Self.instanceTags(orthanc, sopInstanceUID: report.sopInstanceUID)
        #expect(
            try await clinic.annulus(["export", "--retry-pending"] + pacs).output.contains("no delivery is pending"))
    }

    @Test("Another tool's TID 1500 report (written by highdicom): what maps is imported with its mark, the rest named")
    func importsAnotherToolsReport() async throws {
        let python = Self.packageRoot + "/.build/peers-venv/bin/python"
        let venv = try await Self.run(Self.packageRoot + "/scripts/peers-venv", [], timeout: 600)
        guard venv == 0, FileManager.default.isExecutableFile(atPath: python) else {
            print("skipped: highdicom is not available (scripts/peers-venv could not install it from PyPI)")
            return
        }
        let clinic = try await Clinic.make(findings: false)
        let image = Self.packageRoot + "/SampleStudies/patient1-lumbar-mr/series-01-sag-t2/IM0008.dcm"
        let report = clinic.root + "/foreign.dcm"
        let made = try await Self.run(
            python, [Self.packageRoot + "/Tests/AnnulusServerTests/make_foreign_sr.py", image, report],
            output: clinic.root + "/make.txt")
        try #require(made == 0, "\((try? String(contentsOfFile: clinic.root + "/make.txt", encoding: .utf8)) ?? "")")
        let imported = try await clinic.annulus(["annotate", "import", "--sr", report, "--importer", "tool-x"])
        #expect(imported.code == 1, "some items are not mapped: \(imported.output)")
        #expect(imported.output.contains("IMPORTED") && imported.output.contains("L4-L5 annular-fissure (fissure 1)"))
        #expect(imported.output.contains("UNMAPPED group 2 (osteophyte 1): finding (F-002, 99TOOLX, \"Osteophyte\")"))
        #expect(imported.output.contains("\"confidence\"): CODE item is not a field of annular-fissure"))
        let findings = try clinic.findings()
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding.level == .L4L5)
        #expect(finding.finding == (try Finding.parse(kind: "annular-fissure", assignments: ["type=radial"])))
        #expect(finding.anchor?.sopInstanceUID == (try DicomFile(path: image).dataset.string(.sopInstanceUID)))
        #expect(finding.anchor?.frame == 1 && finding.anchor?.points == [PixelPoint(x: 88, y: 131.5)])
    }

    @Test(
        "annulus serve --send-sr-on-sign: a clinician signs in the reading room's API, the SR reaches Orthanc",
        .enabled(if: OrthancPeer.available, OrthancPeer.skipMessage))
    func serverSendsOnSign() async throws {
        let orthanc = try OrthancPeer(modalities: [:])
        let clinic = try await Clinic.make(findings: false)
        try await clinic.expectSuccess([
            "annotate", "add", Self.study, "--level", "L4-L5", "--finding", "annular-fissure", "type=radial",
            "--series", "1", "--instance", "8", "--point", "120,140",
        ])
        let store = try DataFolder(path: clinic.data).openStore()
        let studyUID = try store.resolveStudy(Self.study).studyInstanceUID
        let draft = try #require(try store.annotations(studyUID: studyUID).first)
        _ = try AccountDirectory(store: store, hasher: try PasswordHasher(cost: 4)).create(
            name: "dr.okafor", displayName: "Ada Okafor", role: .clinician, password: Password(ServerFixture.password))
        let server = try SpawnedServer(
            data: clinic.data,
            arguments: [
                "--pacs", "127.0.0.1:\(orthanc.dicomPort)", "--pacs-ae", OrthancPeer.aeTitle, "--send-sr-on-sign",
            ])
        defer { server.child.kill() }
        let session = try RawHTTPConnection(port: server.port).request(
            "POST", "/api/session", body: #"{"name":"dr.okafor","password":"\#(ServerFixture.password)"}"#)
        try #require(session.status == 200)
        let cookie = String(try #require(session.headers["set-cookie"]).split(separator: ";")[0])
        let csrf = try #require(session.json?["csrfToken"] as? String)
        let signed = try RawHTTPConnection(port: server.port).request(
            "POST", "/api/annotations/\(draft.annotationID)/sign", headers: ["Cookie": cookie, "X-Annulus-CSRF": csrf])
        try #require(signed.status == 200, "\(String(decoding: signed.body, as: UTF8.self))")
        // The report goes out in the background: wait for Orthanc to hold it.
        var held: [String] = []
        let deadline = Date().addingTimeInterval(60)
        while held.isEmpty && Date() < deadline {
            held =
                (try await orthanc.json("/tools/find", post: ["Level": "Instance", "Query": ["Modality": "SR"]]))
                as? [String] ?? []
            if held.isEmpty { try await Task.sleep(for: .milliseconds(200)) }
        }
        try #require(held.count == 1, "Orthanc holds no SR after the signature; server log: \(server.log)")
        let tags = try #require(try await orthanc.json("/instances/\(held[0])/simplified-tags") as? [String: Any])
        #expect(tags["StudyInstanceUID"] as? String == studyUID)
        #expect(tags["VerificationFlag"] as? String == "VERIFIED")
        let text = String(decoding: try JSONSerialization.data(withJSONObject: tags), as: UTF8.self)
        #expect(text.contains("Okafor^Ada"), "the verifying observer is the signing clinician")
        let report = try #require(try store.latestStructuredReport(studyUID: studyUID, kind: .report))
        #expect(tags["SOPInstanceUID"] as? String == report.sopInstanceUID)
        #expect(try store.deliveries(studyUID: studyUID).first?.state == .delivered)
    }

    /// Orthanc's tags of the instance with that SOP Instance UID (it must hold exactly one).
    static func instanceTags(_ orthanc: OrthancPeer, sopInstanceUID: String) async throws -> [String: Any] {
        let found = try await orthanc.json(
            "/tools/find", post: ["Level": "Instance", "Query": ["SOPInstanceUID": sopInstanceUID]])
        let ids = try #require(found as? [String], "\(found)")
        try #require(ids.count == 1, "Orthanc holds \(ids.count) instances \(sopInstanceUID)")
        return try #require(try await orthanc.json("/instances/\(ids[0])/simplified-tags") as? [String: Any])
    }
}
