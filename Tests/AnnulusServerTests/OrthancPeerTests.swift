import Accounts
import AnnulusApp
import Foundation
import Hummingbird
import ProcessTestSupport
import Store
import Testing

/// Annulus and a real PACS (Orthanc 1.10 from Debian) on loopback: Orthanc pushing studies to `annulus serve
/// --dicom-port`, and `annulus pull` / `POST /api/pulls` finding (C-FIND) and retrieving (C-MOVE) them; DCMTK's
/// `findscu` and `movescu` as cross-checks (docs/operations.md, "Fetching priors from PACS").
@Suite(.serialized, .enabled(if: OrthancPeer.available, OrthancPeer.skipMessage))
struct OrthancPeerTests {
    static let samples = ServerFixture.packageRoot + "/SampleStudies"
    /// patient2-lumbar-mr: 30 instances, patient ID ANNULUS-SAMPLE-0002.
    static let priorMR = "2.25.88656785103808057249997699264727020521"
    static let priorPatient = "ANNULUS-SAMPLE-0002"

    static func files(_ folder: String) -> [String] {
        let root = samples + "/" + folder
        return FileManager.default.enumerator(atPath: root)!.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".dcm") }.sorted().map { root + "/" + $0 }
    }

    /// The Study Instance UID of a sample file (dcmdump, a tool apart from Annulus's reader).
    static func studyUID(_ file: String) throws -> String {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("dump-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: output) }
        _ = try ChildProcess.run("/usr/bin/dcmdump", ["+P", "StudyInstanceUID", file], output: output)
        let text = try String(contentsOfFile: output, encoding: .utf8)
        return String(try #require(text.split(separator: "[").dropFirst().first?.split(separator: "]").first))
    }

    @Test("Orthanc pushes (REST store and movescu's C-MOVE) to annulus serve: every instance indexed")
    func orthancPushesToAnnulus() async throws {
        let dicomPort = try OrthancPeer.freePort()
        let orthanc = try OrthancPeer(modalities: ["annulus": ("ANNULUS", dicomPort)], allowStrangers: true)
        let annulus = try PullServer(dicomPort: dicomPort, pacsPort: orthanc.dicomPort)
        // 1. Uploaded to Orthanc by REST, then sent by Orthanc (its C-STORE SCU) to Annulus.
        let mr = Self.files("patient1-lumbar-mr")
        let mrStudy = try Self.studyUID(mr[0])
        let started = Date()
        for id in try await orthanc.upload(mr) {
            let answer = try await orthanc.json(
                "/modalities/annulus/store", post: ["Resources": [id], "Synchronous": true])
            #expect((answer as? [String: Any])?["FailedInstancesCount"] as? Int == 0, "\(answer)")
        }
        let pushed = Date().timeIntervalSince(started)
        let expected = try await orthanc.sopInstanceUIDs(study: mrStudy)
        #expect(expected.count == mr.count)
        let indexed = try annulus.sopInstanceUIDs(study: mrStudy)
        #expect(Set(indexed) == expected && indexed.count == expected.count)
        // 2. DCMTK's movescu asks Orthanc to move the fluoroscopy study to Annulus (a C-MOVE Annulus did not send).
        let fluoroscopy = Self.files("patient1-fluoroscopy")
        let fluoroscopyStudy = try Self.studyUID(fluoroscopy[0])
        _ = try await orthanc.upload(fluoroscopy)
        let output = annulus.root + "/movescu.txt"
        let code = try ChildProcess.run(
            "/usr/bin/movescu",
            [
                "-v", "-S", "-aet", "MOVESCU", "-aec", OrthancPeer.aeTitle, "-aem", "ANNULUS", "-k",
                "QueryRetrieveLevel=STUDY", "-k", "StudyInstanceUID=\(fluoroscopyStudy)", "127.0.0.1",
                String(orthanc.dicomPort),
            ], output: output, timeout: 120)
        let movescu = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(code == 0, "\(movescu)")
        let moved = try annulus.sopInstanceUIDs(study: fluoroscopyStudy)
        let heldFluoroscopy = try await orthanc.sopInstanceUIDs(study: fluoroscopyStudy)
        #expect(Set(moved) == heldFluoroscopy)
        #expect(moved.count == fluoroscopy.count)
        print(
            "Orthanc → Annulus: \(mr.count) MR instances stored in \(String(format: "%.2f", pushed)) s; movescu moved \(moved.count) fluoroscopy instance(s)"
        )
    }

    @Test("annulus pull finds the prior (as findscu does), moves it, indexes every instance once; again adds nothing")
    func annulusPullsFromOrthanc() async throws {
        let dicomPort = try OrthancPeer.freePort()
        let orthanc = try OrthancPeer(modalities: ["annulus": ("ANNULUS", dicomPort)])
        let annulus = try PullServer(dicomPort: dicomPort, pacsPort: orthanc.dicomPort)
        let mr = Self.files("patient2-lumbar-mr")
        _ = try await orthanc.upload(mr + Self.files("patient1-lumbar-mr"))
        let pacs = ["--pacs", "127.0.0.1:\(orthanc.dicomPort)", "--pacs-ae", OrthancPeer.aeTitle]
        // Find only: the one study of that patient, listed; nothing moved.
        let find = try annulus.annulus(["pull", "--find-only", "--patient-id", Self.priorPatient] + pacs)
        #expect(find.code == 0, "\(find.output)")
        #expect(find.output.contains(Self.priorMR) && find.output.contains("1 study found"), "\(find.output)")
        #expect(find.output.contains("MR LUMBAR SPINE WO CONTRAST") && find.output.contains("30"))
        #expect(try annulus.sopInstanceUIDs(study: Self.priorMR).isEmpty)
        // DCMTK's findscu sees the same study for the same key.
        let dump = annulus.root + "/findscu.txt"
        let findscu = try ChildProcess.run(
            "/usr/bin/findscu",
            [
                "-v", "-S", "-aet", "ANNULUS", "-aec", OrthancPeer.aeTitle, "-k", "QueryRetrieveLevel=STUDY", "-k",
                "PatientID=\(Self.priorPatient)", "-k", "StudyInstanceUID", "127.0.0.1", String(orthanc.dicomPort),
            ], output: dump)
        let findscuText = (try? String(contentsOfFile: dump, encoding: .utf8)) ?? ""
        #expect(findscu == 0, "\(findscuText)")
        // One pending response (one match), holding the study's UID (UI values are padded with a NUL byte).
        #expect(findscuText.contains("[\(Self.priorMR)"))
        #expect(findscuText.components(separatedBy: "(Pending)").count - 1 == 1, "one study: \(findscuText)")
        // JSON: the same study, with validated fields.
        let json = try annulus.annulus(["pull", "--find-only", "--json", "--patient-id", Self.priorPatient] + pacs)
        #expect(json.output.contains(#""studyInstanceUID":"\#(Self.priorMR)""#), "\(json.output)")
        // Pull: moved, every instance indexed once.
        let pull = try annulus.annulus(["pull", "--patient-id", Self.priorPatient, "--modality", "MR"] + pacs)
        #expect(pull.code == 0, "\(pull.output)")
        #expect(
            pull.output.contains("RETRIEVED") && pull.output.contains("30 instances sent, 30 indexed"), "\(pull.output)"
        )
        let indexed = try annulus.sopInstanceUIDs(study: Self.priorMR)
        let held = try await orthanc.sopInstanceUIDs(study: Self.priorMR)
        #expect(indexed.count == 30 && Set(indexed) == held)
        // Only that patient's study came.
        #expect(try annulus.store().studies().count == 1)
        // Again: Orthanc sends it all again, each a duplicate; still 30, nothing staged.
        let again = try annulus.annulus(["pull", "--patient-id", Self.priorPatient] + pacs)
        #expect(again.code == 0, "\(again.output)")
        #expect(try annulus.sopInstanceUIDs(study: Self.priorMR).count == 30)
        #expect(try annulus.store().studies().count == 1)
        let staged = (try? FileManager.default.contentsOfDirectory(atPath: annulus.data + "/received")) ?? []
        #expect(staged.isEmpty, "\(staged)")
        // No patient name or ID in the server's log (the pull's own log lines name the PACS and counts).
        #expect(!annulus.server.log.contains("SAMPLE^NORMAL") && !annulus.server.log.contains(Self.priorPatient))
        print(
            "annulus pull: find \(String(format: "%.2f", find.seconds)) s, pull of 30 instances \(String(format: "%.2f", pull.seconds)) s, again \(String(format: "%.2f", again.seconds)) s"
        )
    }

    @Test("A PACS that does not know Annulus as a move destination: the error names the fix")
    func moveDestinationUnknown() async throws {
        let dicomPort = try OrthancPeer.freePort()
        // Orthanc answers anyone's C-FIND and C-MOVE but knows no modality to send to.
        let orthanc = try OrthancPeer(modalities: [:], allowStrangers: true)
        let annulus = try PullServer(dicomPort: dicomPort, pacsPort: orthanc.dicomPort)
        _ = try await orthanc.upload(Self.files("patient2-lumbar-mr"))
        let pull = try annulus.annulus(
            [
                "pull", "--patient-id", Self.priorPatient, "--pacs", "127.0.0.1:\(orthanc.dicomPort)", "--pacs-ae",
                "ORTHANC",
            ])
        #expect(pull.code == 1, "\(pull.output)")
        #expect(pull.output.contains("FAILED"), "\(pull.output)")
        #expect(pull.output.contains("does not know the move destination ANNULUS"), "\(pull.output)")
        #expect(pull.output.contains("register ANNULUS in the PACS as a DICOM modality"), "\(pull.output)")
        #expect(try annulus.sopInstanceUIDs(study: Self.priorMR).isEmpty)
    }

    @Test("Text from the PACS reaches the terminal with its control characters escaped")
    func hostileTextIsEscaped() async throws {
        let dicomPort = try OrthancPeer.freePort()
        let orthanc = try OrthancPeer(modalities: ["annulus": ("ANNULUS", dicomPort)])
        let annulus = try PullServer(dicomPort: dicomPort, pacsPort: orthanc.dicomPort)
        // A copy of a sample whose description would turn a terminal red and clear it.
        let copy = annulus.root + "/hostile.dcm"
        try FileManager.default.copyItem(atPath: Self.files("patient1-fluoroscopy")[0], toPath: copy)
        let modified = try ChildProcess.run(
            "/usr/bin/dcmodify",
            ["-nb", "-m", "StudyDescription=EVIL\u{1b}[31mRED\u{1b}[2J", "-m", "PatientID=HOSTILE-1", copy])
        #expect(modified == 0)
        _ = try await orthanc.upload([copy])
        let find = try annulus.annulus(
            [
                "pull", "--find-only", "--patient-id", "HOSTILE-1", "--pacs", "127.0.0.1:\(orthanc.dicomPort)",
                "--pacs-ae", OrthancPeer.aeTitle,
            ])
        #expect(find.code == 0, "\(find.output)")
        #expect(!find.output.contains("\u{1b}"), "no raw escape character reaches the terminal")
        #expect(find.output.contains("EVIL\\e[31mRED\\e[2J"), "\(find.output)")
        let json = try annulus.annulus(
            [
                "pull", "--find-only", "--json", "--patient-id", "HOSTILE-1", "--pacs",
                "127.0.0.1:\(orthanc.dicomPort)", "--pacs-ae", OrthancPeer.aeTitle,
            ])
        #expect(!json.output.contains("\u{1b}") && json.output.contains(#"EVIL\u001b[31mRED"#), "\(json.output)")
    }

    @Test("A PACS that is down or silent: a clear error within the timeout")
    func pacsDownOrSilent() async throws {
        let dicomPort = try OrthancPeer.freePort()
        let closed = try OrthancPeer.freePort()
        let annulus = try PullServer(dicomPort: dicomPort, pacsPort: closed)
        let down = try annulus.annulus(
            ["pull", "--patient-id", "X1", "--pacs", "127.0.0.1:\(closed)", "--pacs-ae", "PACS", "--pacs-timeout", "3"])
        #expect(down.code == 1, "\(down.output)")
        #expect(down.output.contains("cannot connect to the PACS at 127.0.0.1:\(closed)"), "\(down.output)")
        #expect(down.seconds < 10)
        // A port that accepts connections and never says a word: the association times out.
        let (silent, port) = try OrthancPeer.loopbackSocket(listening: true)
        defer { close(silent) }
        let quiet = try annulus.annulus(
            ["pull", "--patient-id", "X1", "--pacs", "127.0.0.1:\(port)", "--pacs-ae", "PACS", "--pacs-timeout", "2"])
        #expect(quiet.code == 1, "\(quiet.output)")
        #expect(quiet.output.contains("stopped answering"), "\(quiet.output)")
        #expect(quiet.seconds < 12, "bounded: \(quiet.seconds) s")
        print(
            "PACS down: \(String(format: "%.2f", down.seconds)) s; silent PACS (2 s timeout): \(String(format: "%.2f", quiet.seconds)) s"
        )
    }

    @Test("POST /api/pulls: a clinician pulls (audited); a reader is refused 403; a PACS down answers 502")
    func apiPulls() async throws {
        let dicomPort = try OrthancPeer.freePort()
        let orthanc = try OrthancPeer(modalities: ["annulus": ("ANNULUS", dicomPort)])
        let annulus = try PullServer(dicomPort: dicomPort, pacsPort: orthanc.dicomPort)
        _ = try await orthanc.upload(Self.files("patient2-lumbar-mr"))
        let body = #"{"patientID":"\#(Self.priorPatient)","modalities":["MR"]}"#
        let (cookie, csrf) = try annulus.server.signIn("dr.okafor")
        let headers = ["Cookie": cookie, "X-Annulus-CSRF": csrf, "Content-Type": "application/json"]
        let connection = try RawHTTPConnection(port: annulus.server.port, timeout: 120)
        let find = try connection.request("POST", "/api/pulls/find", headers: headers, body: body)
        #expect(find.status == 200, "\(String(decoding: find.body, as: UTF8.self))")
        #expect(OpenAPISchemas.problems(ByteBuffer(bytes: find.body), schema: "PullFindResult") == nil)
        let found = try #require(find.json?["studies"] as? [[String: Any]])
        #expect(found.map { $0["studyInstanceUID"] as? String } == [Self.priorMR])
        #expect(found.first?["numberOfInstances"] as? Int == 30)
        let pull = try connection.request("POST", "/api/pulls", headers: headers, body: body)
        #expect(pull.status == 200, "\(String(decoding: pull.body, as: UTF8.self))")
        #expect(OpenAPISchemas.problems(ByteBuffer(bytes: pull.body), schema: "PullResult") == nil)
        let results = try #require(pull.json?["results"] as? [[String: Any]])
        #expect(results.count == 1)
        #expect(results.first?["outcome"] as? String == "retrieved")
        #expect(results.first?["completed"] as? Int == 30 && results.first?["indexedInstances"] as? Int == 30)
        #expect(try annulus.sopInstanceUIDs(study: Self.priorMR).count == 30)
        // A bad key is refused before any network work.
        let bad = try connection.request(
            "POST", "/api/pulls/find", headers: headers, body: #"{"patientID":"X","studyDate":"2020-01-01"}"#)
        #expect(bad.status == 400 && bad.json.map { "\($0)" }?.contains("studyDate") == true)
        // A reader may not pull.
        let (readerCookie, readerCSRF) = try annulus.server.signIn("reader")
        let refused = try RawHTTPConnection(port: annulus.server.port).request(
            "POST", "/api/pulls", headers: ["Cookie": readerCookie, "X-Annulus-CSRF": readerCSRF], body: body)
        #expect(refused.status == 403)
        // Audited: the clinician's pull and the reader's refusal.
        let rows = try AuditTrail(store: annulus.store()).records()
        #expect(rows.contains { $0.action == "POST /api/pulls" && $0.actor == "dr.okafor" && $0.outcome == .ok })
        #expect(rows.contains { $0.action == "POST /api/pulls" && $0.actor == "reader" && $0.outcome == .forbidden })
        // The PACS gone: 502 with the reason.
        orthanc.child.kill()
        let gone = try RawHTTPConnection(port: annulus.server.port).request(
            "POST", "/api/pulls/find", headers: headers, body: body)
        #expect(gone.status == 502, "\(String(decoding: gone.body, as: UTF8.self))")
        #expect(OpenAPISchemas.problems(ByteBuffer(bytes: gone.body), schema: "Error") == nil)
        #expect(String(decoding: gone.body, as: UTF8.self).contains("pacs-unreachable"))
    }
}
