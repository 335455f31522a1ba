import Foundation
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
}
