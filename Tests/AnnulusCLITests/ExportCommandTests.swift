import Foundation
import ProcessTestSupport
import SchemaTestSupport
import Testing

@Suite("annulus export: atomic FHIR and native files")
struct ExportCommandTests {
    static func annotatedFixture() throws -> AnnotatedStore {
        let fixture = try AnnotatedStore()
        let add = try fixture.run([
            "annotate", "add", "ACC-MR-0001", "--level", "L4-L5", "--finding", "pfirrmann", "grade=III", "--json",
        ])
        if let id = AnnotatedStore.object(add)["id"] as? String {
            _ = try fixture.run(["annotate", "sign", id], user: "dr.okafor")
        }
        return fixture
    }

    @Test("export writes a final FHIR Bundle and the native document; re-export keeps the identifiers")
    func exportFiles() throws {
        let fixture = try Self.annotatedFixture()
        defer { fixture.remove() }
        let out = fixture.folder + "/export"
        let first = try fixture.run(["export", "ACC-MR-0001", "--format", "fhir", "--out", out])
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        let bundlePath = out + "/ACC-MR-0001.fhir.json"
        let bundle = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bundlePath))) as? [String: Any]
        )
        #expect(bundle["resourceType"] as? String == "Bundle" && bundle["type"] as? String == "transaction")
        let entries = (bundle["entry"] as? [[String: Any]]) ?? []
        let report = entries.compactMap { $0["resource"] as? [String: Any] }.first {
            $0["resourceType"] as? String == "DiagnosticReport"
        }
        #expect(report?["status"] as? String == "final")
        let urls = entries.compactMap { $0["fullUrl"] as? String }
        _ = try fixture.run(["export", "ACC-MR-0001", "--format", "fhir", "--out", out])
        let again = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bundlePath))) as? [String: Any]
        )
        let urlsAgain = ((again["entry"] as? [[String: Any]]) ?? []).compactMap { $0["fullUrl"] as? String }
        // Every resource keeps its id except the Provenance, which records each export.
        #expect(Set(urls).intersection(urlsAgain).count == urls.count - 1)
        let native = try fixture.run(["export", "ACC-MR-0001", "--format", "findings", "--out", out])
        #expect(native.status == 0)
        #expect(FileManager.default.fileExists(atPath: out + "/ACC-MR-0001.findings.json"))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "no temporary files remain")
    }
    @Test(
        "the annotated, triaged sample patient exports a Bundle HL7's R4 schema accepts and a valid native document",
        .enabled(if: SchemaValidator.hasFHIRSchema, "HL7's R4 schema (../shared/fhir) or python3 is missing"))
    func annotatedPatientExportsValidDocuments() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        #expect(try fixture.run(["intake", "set", "ACC-MR-0001"] + TriageCommandTests.intake).status == 0)
        let findings: [(String, [String])] = [
            (
                "ACC-MR-0001",
                [
                    "--level", "L4-L5", "--finding", "annular-fissure", "type=radial", "zones=central,paracentral",
                    "side=left", "--series", "1", "--instance", "8", "--point", "300,270",
                ]
            ),
            (
                "ACC-MR-0001",
                ["--level", "L4-L5", "--finding", "hiz", "present=yes", "position=posterior", "side=left"]
            ),
            ("ACC-MR-0001", ["--level", "L4-L5", "--finding", "pfirrmann", "grade=III"]),
            ("ACC-MR-0001", ["--level", "L4-L5", "--finding", "modic", "upper=0", "lower=1"]),
            ("ACC-MR-0001", ["--level", "L5-S1", "--finding", "pfirrmann", "grade=II"]),
            (
                "ACC-RF-0001",
                ["--level", "L4-L5", "--finding", "discography", "grade=3", "response=concordant", "pain=7"]
            ),
        ]
        for (study, arguments) in findings {
            let id = try TriageCommandTests.add(fixture, study, arguments)
            #expect(try fixture.run(["annotate", "sign", id], user: "dr.okafor").status == 0)
        }
        let out = fixture.folder + "/export"
        for format in ["fhir", "findings"] {
            let result = try fixture.run(["export", "ACC-MR-0001", "--format", format, "--out", out])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        }
        let bundleData = try Data(contentsOf: URL(fileURLWithPath: out + "/ACC-MR-0001.fhir.json"))
        let problems = SchemaValidator.problems(in: bundleData, schema: SchemaValidator.fhirSchema, draft: "6")
        #expect(problems == nil, "\(problems ?? "")")
        let nativeData = try Data(contentsOf: URL(fileURLWithPath: out + "/ACC-MR-0001.findings.json"))
        let nativeProblems = SchemaValidator.problems(
            in: nativeData, schema: SchemaValidator.findingsSchema, draft: "2020-12")
        #expect(nativeProblems == nil, "\(nativeProblems ?? "")")

        let bundle = try #require(try JSONSerialization.jsonObject(with: bundleData) as? [String: Any])
        let resources = ((bundle["entry"] as? [[String: Any]]) ?? []).compactMap { $0["resource"] as? [String: Any] }
        func all(_ type: String) -> [[String: Any]] { resources.filter { $0["resourceType"] as? String == type } }
        // Five MR findings, the discography of the patient's fluoroscopy study (a supporting study: the candidacy
        // rests on it) and the candidacy Observation.
        #expect(all("Observation").count == 5 + 1 + 1)
        #expect(all("ImagingStudy").count == 2)
        #expect(all("Patient").count == 1 && all("Device").count == 1 && all("Provenance").count == 1)
        let report = try #require(all("DiagnosticReport").first)
        #expect(report["status"] as? String == "final")
        let conclusion = report["conclusion"] as? String ?? ""
        #expect(conclusion.contains("L4-L5 candidate") && conclusion.contains("L5-S1 needs-more-information"))
        #expect((report["result"] as? [Any])?.count == 5 + 1, "the study's own findings and the candidacy")
        let candidacy = try #require(
            all("Observation").first {
                (($0["code"] as? [String: Any])?["text"] as? String)?.hasPrefix("Candidacy") == true
            })
        #expect((candidacy["derivedFrom"] as? [Any])?.count == 6, "the candidacy cites all six findings")
        let native = try #require(try JSONSerialization.jsonObject(with: nativeData) as? [String: Any])
        let supporting = (native["supportingStudies"] as? [[String: Any]]) ?? []
        #expect(supporting.count == 1)
        #expect(((supporting.first?["study"] as? [String: Any])?["accessionNumber"] as? String) == "ACC-RF-0001")
        #expect(String(decoding: bundleData, as: UTF8.self).contains("dr.okafor"), "the signer is credited")
        let fissure = all("Observation").first {
            (($0["code"] as? [String: Any])?["text"] as? String) == "Annular fissure"
        }
        let notes = ((fissure?["note"] as? [[String: Any]]) ?? []).compactMap { $0["text"] as? String }
        #expect(
            notes.contains {
                $0.hasPrefix("Marked on image ") && $0.hasSuffix("frame 1, at pixel (column, row) (300, 270)")
            }, "\(notes)")
    }

    @Test("after a retraction the re-export withdraws the finding (entered-in-error) under the same fullUrl")
    func retractionIsExported() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let id = try TriageCommandTests.add(
            fixture, "ACC-MR-0001", ["--level", "L4-L5", "--finding", "hiz", "present=yes", "position=posterior"])
        #expect(try fixture.run(["annotate", "sign", id], user: "dr.okafor").status == 0)
        let out = fixture.folder + "/export"
        let path = out + "/ACC-MR-0001.fhir.json"
        func observation() throws -> [String: Any]? {
            let bundle = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path)))
            let entries = ((bundle as? [String: Any])?["entry"] as? [[String: Any]]) ?? []
            return entries.first {
                let resource = $0["resource"] as? [String: Any]
                return ((resource?["identifier"] as? [[String: Any]])?.first?["value"] as? String) == id
            }
        }
        #expect(try fixture.run(["export", "ACC-MR-0001", "--out", out]).status == 0)
        let signed = try #require(try observation())
        #expect((signed["resource"] as? [String: Any])?["status"] as? String == "final")
        let retract = try fixture.run(["annotate", "retract", id, "--reason", "motion artefact"])
        #expect(retract.status == 0, "\(retract.stdout) \(retract.stderr)")
        #expect(try fixture.run(["export", "ACC-MR-0001", "--out", out]).status == 0)
        let withdrawn = try #require(try observation())
        #expect(withdrawn["fullUrl"] as? String == signed["fullUrl"] as? String)
        let resource = withdrawn["resource"] as? [String: Any]
        #expect(resource?["status"] as? String == "entered-in-error")
        let note = (resource?["note"] as? [[String: Any]])?.first?["text"] as? String
        #expect(note?.hasPrefix("Retracted by dr.rivera at ") == true && note?.hasSuffix(": motion artefact") == true)
    }

    @Test("a reader polling the export folder during ten re-exports never sees a partial file")
    func atomicForConcurrentReaders() throws {
        let fixture = try Self.annotatedFixture()
        defer { fixture.remove() }
        let out = fixture.folder + "/export"
        let path = out + "/ACC-MR-0001.fhir.json"
        nonisolated(unsafe) var statuses: [Int32] = []
        let writer = Thread {
            for _ in 0..<10 {
                statuses.append(
                    (try? fixture.run(["export", "ACC-MR-0001", "--format", "fhir", "--out", out]))?.status ?? -1)
            }
        }
        writer.start()
        var complete = 0
        var partial: [Int] = []
        while !writer.isFinished {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            if (try? JSONSerialization.jsonObject(with: data)) != nil {
                complete += 1
            } else {
                partial.append(data.count)
            }
        }
        #expect(statuses == Array(repeating: 0, count: 10))
        #expect(complete > 0, "the reader saw the file")
        #expect(partial.isEmpty, "\(partial.count) partial reads, sizes \(partial.prefix(8))")
    }
}

@Suite("annulus export --post: delivery to a real local HTTP server", .serialized)
struct ExportDeliveryTests {
    /// A store with a signed finding and a bearer token file.
    static func fixture() throws -> (AnnotatedStore, String) {
        let fixture = try ExportCommandTests.annotatedFixture()
        let tokenPath = fixture.folder + "/token"
        try "s3cret-token\n".write(toFile: tokenPath, atomically: true, encoding: .utf8)
        return (fixture, tokenPath)
    }

    @Test("two 503s are retried with backoff and the third attempt delivers; every attempt is recorded")
    func retryThenDelivered() throws {
        let (fixture, token) = try Self.fixture()
        defer { fixture.remove() }
        let server = try FlakyFHIRServer(failures: 2, status: 503, folder: fixture.folder)
        defer { server.stop() }
        let result = try fixture.run([
            "export", "ACC-MR-0001", "--post", server.url, "--token-file", token, "--backoff", "0.05",
        ])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        let requests = server.requests()
        #expect(requests.map { $0["status"] as? Int } == [503, 503, 200])
        #expect(requests.allSatisfy { $0["authorization"] as? String == "Bearer s3cret-token" })
        #expect(requests.allSatisfy { $0["contentType"] as? String == "application/fhir+json" })
        #expect(requests.allSatisfy { $0["resourceType"] as? String == "Bundle" && ($0["entries"] as? Int ?? 0) > 3 })
        #expect(result.stdout.contains("attempt 1: retry — HTTP 503"))
        #expect(result.stdout.contains("attempt 3: delivered — HTTP 200"))
        #expect(!result.stdout.contains("s3cret-token") && !result.stderr.contains("s3cret-token"))
        let pending = try fixture.run(["export", "--retry-pending"])
        #expect(pending.status == 0 && pending.stdout.contains("no delivery is pending"))
    }

    @Test("a 400 is given up at once, reported, and not left pending")
    func clientErrorGivesUp() throws {
        let (fixture, token) = try Self.fixture()
        defer { fixture.remove() }
        let server = try FlakyFHIRServer(failures: 5, status: 400, folder: fixture.folder)
        defer { server.stop() }
        let result = try fixture.run([
            "export", "ACC-MR-0001", "--post", server.url, "--token-file", token, "--backoff", "0.05",
        ])
        #expect(result.status == 1)
        #expect(server.requests().count == 1, "a refused Bundle is not sent again")
        #expect(result.stdout.contains("refused"))
        let pending = try fixture.run(["export", "--retry-pending", "--token-file", token])
        #expect(pending.stdout.contains("no delivery is pending"))
    }

    @Test("an unreachable endpoint leaves the delivery pending; --retry-pending sends it once the endpoint is up")
    func unreachableThenRetryPending() throws {
        let (fixture, token) = try Self.fixture()
        defer { fixture.remove() }
        let port = FlakyFHIRServer.unusedPort()
        let url = "http://127.0.0.1:\(port)/fhir"
        let down = try fixture.run([
            "export", "ACC-MR-0001", "--post", url, "--token-file", token, "--max-attempts", "2", "--backoff", "0.05",
        ])
        #expect(down.status == 1)
        #expect(down.stdout.contains("not delivered after 2 attempt(s)"), "\(down.stdout)")
        #expect(down.stdout.contains("attempt 2: retry — no response"))
        let outbox = fixture.folder + "/outbox"
        let kept = try FileManager.default.contentsOfDirectory(atPath: outbox).filter { $0.hasSuffix(".fhir.json") }
        #expect(kept.count == 1, "the Bundle waits in the outbox")

        let server = try FlakyFHIRServer(failures: 0, status: 200, folder: fixture.folder, port: port)
        defer { server.stop() }
        let retried = try fixture.run(["export", "--retry-pending", "--token-file", token, "--backoff", "0.05"])
        #expect(retried.status == 0, "\(retried.stdout) \(retried.stderr)")
        #expect(retried.stdout.contains("attempt 3: delivered — HTTP 200"), "numbering continues: \(retried.stdout)")
        #expect(server.requests().count == 1)
        let nothingLeft = try fixture.run(["export", "--retry-pending", "--token-file", token])
        #expect(nothingLeft.stdout.contains("no delivery is pending"))
    }
}
