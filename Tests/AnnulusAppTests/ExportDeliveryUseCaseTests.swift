import AnnulusApp
import AnnulusRecords
import Findings
import Foundation
import SchemaTestSupport
import Testing

@Suite("Use cases: export, delivery with its outbox, and the deliveries listed without patient IDs", .serialized)
struct ExportDeliveryUseCaseTests {
    static let exportTime = Date(timeIntervalSince1970: 1_772_971_200)

    /// A fixture whose clock stands still, with the sample patient's L4-L5 findings signed.
    static func signedFixture() async throws -> AppFixture {
        let fixture = try await AppFixture(clock: { exportTime })
        let findings = [
            try await fixture.add("ACC-MR-0001", "L4-L5", "pfirrmann", ["grade=III"]),
            try await fixture.add("ACC-RF-0001", "L4-L5", "discography", ["grade=3", "response=concordant", "pain=7"]),
        ]
        _ = try await fixture.useCases.sign(findings.map(\.annotationID), by: AppFixture.clinician)
        return fixture
    }

    @Test("a FHIR export is a transaction Bundle whose references resolve, named by accession, dated by the clock")
    func exportFHIR() async throws {
        let fixture = try await Self.signedFixture()
        let document = try await fixture.useCases.export(
            ExportRequest(study: "ACC-MR-0001", format: .fhir), by: AppFixture.clinician)
        #expect(document.fileName == "ACC-MR-0001.fhir.json")
        #expect(BundleReferenceChecker.problems(in: document.data).isEmpty)
        let bundle = try #require(try JSONSerialization.jsonObject(with: document.data) as? [String: Any])
        #expect(bundle["resourceType"] as? String == "Bundle" && bundle["type"] as? String == "transaction")
        #expect(String(decoding: document.data, as: UTF8.self).contains("2026-03-08T12:00:00.000Z"))

        let native = try await fixture.useCases.export(
            ExportRequest(study: "ACC-MR-0001", format: .findings), by: AppFixture.clinician)
        if SchemaValidator.hasPython {
            #expect(
                SchemaValidator.problems(in: native.data, schema: SchemaValidator.findingsSchema, draft: "2020-12")
                    == nil)
        }
        let path = try native.write(into: fixture.root + "/exports")
        #expect(path == fixture.root + "/exports/ACC-MR-0001.findings.json")
        #expect(FileManager.default.contents(atPath: path) == native.data)
        let unknown = await AppFixture.error {
            try await fixture.useCases.export(ExportRequest(study: "nope", format: .fhir), by: AppFixture.clinician)
        }
        #expect(unknown?.kind == .notFound)
    }

    @Test("an accession that is not a plain name never steers a path: the Study Instance UID names the file")
    func fileStem() {
        let study = StudySummary(
            studyInstanceUID: "1.2.3", accessionNumber: "../x", studyDate: nil, studyTime: nil, studyDescription: nil,
            patientID: "P", modalities: [], seriesCount: 0, instanceCount: 0, draftAnnotations: 0,
            signedAnnotations: 0, retractedAnnotations: 0, lastIndexedAt: nil)
        #expect(ExportDocument.fileStem(study) == "1.2.3")
        #expect(ExportDocument(study: study, format: .fhir, data: Data()).fileName == "1.2.3.fhir.json")
    }

    @Test("delivery: kept in the outbox, retried on 503, delivered on 200 with the bearer token; every attempt kept")
    func deliverWithRetry() async throws {
        let fixture = try await Self.signedFixture()
        let server = try LocalHTTPServer(script: [
            (503, #"{"resourceType": "OperationOutcome"}"#), (200, #"{"resourceType": "Bundle"}"#),
        ])
        defer { server.stop() }
        let document = try await fixture.useCases.export(
            ExportRequest(study: "ACC-MR-0001", format: .fhir), by: AppFixture.clinician)
        let result = try await fixture.useCases.deliver(
            document, to: server.url, token: "s3cret", policy: DeliveryPolicy(maxAttempts: 3, firstBackoff: 0),
            by: AppFixture.clinician)
        #expect(result.last.outcome == .delivered && result.attempts.map(\.outcome) == [.retry, .delivered])
        #expect(result.attempts.map(\.httpStatus) == [503, 200])
        let outbox = result.last.outboxPath
        #expect(
            outbox.hasPrefix(fixture.dataFolder.outbox + "/")
                && FileManager.default.contents(atPath: outbox) == document.data)
        let requests = server.requests
        #expect(requests.count == 2 && requests.allSatisfy { $0.headers["authorization"] == "Bearer s3cret" })
        #expect(requests.first?.body == document.data && requests.first?.requestLine == "POST /fhir HTTP/1.1")
        let listed = try await fixture.useCases.deliveries(study: nil, state: nil, by: AppFixture.clinician)
        #expect(listed.map(\.state) == ["delivered"] && listed.first?.accession == "ACC-MR-0001")
    }

    @Test("a 400 is given up at once (failed); an endpoint that is down leaves it pending until a resend delivers it")
    func refusedAndPending() async throws {
        let fixture = try await Self.signedFixture()
        let document = try await fixture.useCases.export(
            ExportRequest(study: "ACC-MR-0001", format: .fhir), by: AppFixture.clinician)
        let refusing = try LocalHTTPServer(script: [(400, "bad bundle")])
        let refused = try await fixture.useCases.deliver(
            document, to: refusing.url, token: nil, policy: DeliveryPolicy(maxAttempts: 4, firstBackoff: 0),
            by: AppFixture.clinician)
        refusing.stop()
        #expect(refused.last.outcome == .failed && refused.attempts.count == 1)
        #expect(refused.last.message.contains("the endpoint refused the Bundle"))

        let down = try LocalHTTPServer(script: [(200, "")])
        let downURL = down.url
        down.stop()
        let pending = try await fixture.useCases.deliver(
            document, to: downURL, token: nil, policy: DeliveryPolicy(maxAttempts: 2, firstBackoff: 0, timeout: 5),
            by: AppFixture.clinician)
        #expect(pending.last.outcome == .retry && pending.attempts.count == 2 && pending.last.httpStatus == nil)
        let waiting = try await fixture.useCases.pendingDeliveries(by: AppFixture.clinician)
        #expect(waiting.map(\.deliveryID) == [pending.deliveryID])
        let pendingOnly = try await fixture.useCases.deliveries(study: "ACC-MR-0001", state: .pending, by: .watcher)
        #expect(pendingOnly.map(\.id) == [pending.deliveryID])

        // The endpoint comes back on the same port: the resend continues the attempts.
        let back = try #require(try await LocalHTTPServer.onPort(downURL, script: [(201, "{}")]))
        defer { back.stop() }
        let outcome = try await fixture.useCases.resend(
            try #require(waiting.first), token: nil, policy: DeliveryPolicy(firstBackoff: 0), by: .watcher)
        guard case .sent(let result) = outcome else {
            Issue.record("not sent: \(outcome)")
            return
        }
        #expect(result.last.outcome == .delivered && result.attempts.map(\.attempt) == [1, 2, 3])
        #expect(back.requests.count == 1)
    }

    @Test("a pending delivery whose outbox file is gone cannot be resent, and says so")
    func unsendable() async throws {
        let fixture = try await Self.signedFixture()
        let document = try await fixture.useCases.export(
            ExportRequest(study: "ACC-MR-0001", format: .fhir), by: AppFixture.clinician)
        let down = try LocalHTTPServer(script: [(200, "")])
        let url = down.url
        down.stop()
        let pending = try await fixture.useCases.deliver(
            document, to: url, token: nil, policy: DeliveryPolicy(maxAttempts: 1, firstBackoff: 0, timeout: 5),
            by: AppFixture.clinician)
        try FileManager.default.removeItem(atPath: pending.last.outboxPath)
        let outcome = try await fixture.useCases.resend(
            pending.last, token: nil, policy: DeliveryPolicy(firstBackoff: 0), by: .watcher)
        guard case .unsendable(let id, let message) = outcome else {
            Issue.record("expected unsendable, got \(outcome)")
            return
        }
        #expect(id == pending.deliveryID && message.contains("does not exist") && message.hasSuffix("; export again"))
    }

    @Test("listed deliveries show no patient ID an endpoint echoed, and no password of the target")
    func redaction() async throws {
        let fixture = try await Self.signedFixture()
        let patientID = try fixture.store.resolveStudy("ACC-MR-0001").patientID
        let server = try LocalHTTPServer(script: [(422, "patient \(patientID) is unknown\nsecond line")])
        defer { server.stop() }
        let document = try await fixture.useCases.export(
            ExportRequest(study: "ACC-MR-0001", format: .fhir), by: AppFixture.clinician)
        let target = try #require(URL(string: "http://ehr:hunter2@127.0.0.1:\(server.port)/fhir"))
        _ = try await fixture.useCases.deliver(
            document, to: target, token: nil, policy: DeliveryPolicy(firstBackoff: 0), by: AppFixture.clinician)
        let view = try #require(try await fixture.useCases.deliveries(study: nil, state: nil, by: .watcher).first)
        #expect(view.state == "failed" && view.url == "http://ehr:***@127.0.0.1:\(server.port)/fhir")
        let message = try #require(view.attempts.first?.message)
        #expect(!message.contains(patientID) && message.contains("patient [patient ID] is unknown"))
        let json = String(decoding: try JSONEncoder().encode(view), as: UTF8.self)
        #expect(!json.contains("hunter2") && !json.contains(patientID) && json.contains("\"accession\""))
    }
}

extension LocalHTTPServer {
    /// A server on the port of `url` (nil when the port cannot be had again), for "the endpoint comes back".
    static func onPort(_ url: URL, script: [(status: Int, body: String)]) async throws -> LocalHTTPServer? {
        for _ in 0..<50 {
            if let server = try? LocalHTTPServer(script: script, port: url.port ?? 0) { return server }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        return nil
    }
}
