import Foundation
import ProcessTestSupport
import Testing

@Suite("annulus deliveries: every delivery, its state and attempts", .serialized)
struct DeliveriesCommandTests {
    /// The objects `deliveries --json` prints.
    static func objects(_ result: CLI.Result) -> [[String: Any]] {
        result.lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    @Test("delivered, failed and pending deliveries are listed with each attempt; --status and --study filter")
    func listsDeliveries() throws {
        let (fixture, token) = try ExportDeliveryTests.fixture()
        defer { fixture.remove() }
        func post(_ url: String) throws -> CLI.Result {
            try fixture.run([
                "export", "ACC-MR-0001", "--post", url, "--token-file", token, "--backoff", "0.05",
                "--max-attempts", "2",
            ])
        }
        let flaky = try FlakyFHIRServer(failures: 1, status: 503, folder: fixture.folder)
        defer { flaky.stop() }
        #expect(try post(flaky.url).status == 0)
        let refusing = try FlakyFHIRServer(failures: 5, status: 400, folder: fixture.folder)
        defer { refusing.stop() }
        #expect(try post(refusing.url).status == 1)
        let down = "http://127.0.0.1:\(FlakyFHIRServer.unusedPort())/fhir"
        #expect(try post(down).status == 1)

        let json = try fixture.run(["deliveries", "--json"])
        #expect(json.status == 0, "\(json.stderr)")
        let deliveries = Self.objects(json)
        #expect(deliveries.map { $0["state"] as? String } == ["delivered", "failed", "pending"])
        #expect(deliveries.map { $0["url"] as? String } == [flaky.url, refusing.url, down])
        #expect(deliveries.allSatisfy { $0["accession"] as? String == "ACC-MR-0001" })
        let attempts = deliveries.map { $0["attempts"] as? [[String: Any]] ?? [] }
        #expect(attempts.map(\.count) == [2, 1, 2])
        #expect(attempts[0].map { $0["httpStatus"] as? Int } == [503, 200])
        #expect(attempts[0].map { $0["outcome"] as? String } == ["retry", "delivered"])
        #expect((attempts[1].first?["message"] as? String)?.contains("simulated failure 1") == true)
        #expect(attempts[2].allSatisfy { $0["httpStatus"] is NSNull }, "no response: httpStatus is null")
        #expect(attempts[2].allSatisfy { ($0["message"] as? String)?.hasPrefix("no response") == true })
        let outbox = try #require(deliveries[2]["outbox"] as? String)
        #expect(outbox.hasPrefix(fixture.folder + "/outbox/"), "the outbox is in the data folder: \(outbox)")

        let text = try fixture.run(["deliveries"])
        #expect(text.status == 0)
        #expect(
            text.stdout.contains("study ACC-MR-0001  delivered after 2 attempt(s)  to \(flaky.url)"), "\(text.stdout)")
        #expect(text.stdout.contains("failed after 1 attempt(s), not retried"))
        #expect(text.stdout.contains("pending after 2 attempt(s)"))
        #expect(text.stdout.contains("HTTP 503: "))
        #expect(text.stdout.contains("1 pending: `annulus export --retry-pending --token-file FILE`"))
        for output in [text.stdout, json.stdout] {
            #expect(!output.contains("ANNULUS-SAMPLE"), "no patient ID")
            #expect(!output.contains("s3cret-token"), "no token")
        }

        let pending = try fixture.run(["deliveries", "--status", "pending", "--json"])
        #expect(Self.objects(pending).map { $0["url"] as? String } == [down])
        let otherStudy = try fixture.run(["deliveries", "--study", "ACC-RF-0001"])
        #expect(otherStudy.status == 0 && otherStudy.stdout == "no delivery matches\n")
        let badStatus = try fixture.run(["deliveries", "--status", "lost"])
        #expect(badStatus.status == 2)
        #expect(badStatus.stderr.contains("--status must be pending, delivered or failed (got 'lost')"))
        let unknownStudy = try fixture.run(["deliveries", "--study", "ACC-NOPE"])
        #expect(unknownStudy.status == 2)
    }

    @Test("an endpoint's answer is shown escaped, on one line, with an echoed Patient ID replaced")
    func hostileAnswer() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let none = try fixture.run(["deliveries"])
        #expect(none.status == 0 && none.stdout.contains("no deliveries yet"))
        let studies = try fixture.run(["studies", "--json"])
        let study = try #require(
            studies.lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
                .first { $0["accessionNumber"] as? String == "ACC-MR-0001" }?["studyInstanceUID"] as? String)
        // What an endpoint might answer: an OperationOutcome quoting the Patient ID, a line break, an ESC sequence.
        let message = "HTTP 422: patient ANNULUS-SAMPLE-0001 unknown' || char(10) || 'next line ' || char(27) || '[2J"
        try ExitStatusTests.sqlite3(
            fixture.store,
            "INSERT INTO delivery_attempts (delivery_id, attempt, study_uid, url, outbox_path, http_status, outcome,"
                + " message, attempted_at) VALUES ('0badc0de-0000-4000-8000-000000000000', 1, '\(study)',"
                + " 'https://user:secret@ehr.example/fhir', '/x/outbox/0badc0de.fhir.json', 422, 'failed', '"
                + message + "', '2026-01-01T00:00:00.000Z')")
        let text = try fixture.run(["deliveries"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("patient [patient ID] unknown next line \\e[2J"), "\(text.stdout)")
        #expect(
            !text.stdout.contains("\u{1B}") && !text.stdout.contains("ANNULUS-SAMPLE")
                && !text.stdout.contains("secret"))
        #expect(text.stdout.contains("to https://user:***@ehr.example/fhir"))
        let json = Self.objects(try fixture.run(["deliveries", "--json"]))
        let attempt = try #require((json.first?["attempts"] as? [[String: Any]])?.first)
        #expect(attempt["message"] as? String == "HTTP 422: patient [patient ID] unknown\nnext line \u{1B}[2J")
    }
}
