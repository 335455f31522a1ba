import Accounts
import AnnulusServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Store
import Testing

@Suite struct AnnotationRouteTests {
    static let csrf = HTTPField.Name("X-Annulus-CSRF")!

    /// The MR study of patient 1 (accession ACC-MR-0001).
    static func study(_ fixture: ServerFixture) throws -> String {
        try #require(try fixture.store.studies().first { $0.accessionNumber == "ACC-MR-0001" }).studyInstanceUID
    }

    static func json(_ body: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:]
    }

    @Test func clinicianAddsAmendsSignsAndRetracts() async throws {
        let fixture = try await ServerFixture()
        let study = try Self.study(fixture)
        try await fixture.server.application.test(.router) { client in
            let (cookie, csrf) = try await ServerFixture.signIn(client, "dr.okafor")
            let headers: HTTPFields = [.cookie: cookie, Self.csrf: csrf, .contentType: "application/json"]
            let add = ByteBuffer(string: #"{"level":"L4-L5","kind":"pfirrmann","fields":["grade=3"]}"#)
            let id = try await client.execute(
                uri: "/api/studies/\(study)/annotations", method: .post, headers: headers, body: add
            ) { response in
                #expect(response.status == .created)
                #expect(OpenAPISchemas.problems(response.body, schema: "AnnotationResult") == nil)
                let annotation = Self.json(response.body)["annotation"] as? [String: Any]
                #expect(annotation?["author"] as? String == "dr.okafor")
                return try #require(annotation?["id"] as? String)
            }
            let amend = ByteBuffer(string: #"{"fields":["grade=4"],"reason":"re-read"}"#)
            try await client.execute(
                uri: "/api/annotations/\(id)/amend", method: .post, headers: headers, body: amend
            ) { response in
                #expect(response.status == .ok)
                #expect((Self.json(response.body)["annotation"] as? [String: Any])?["version"] as? Int == 2)
            }
            try await client.execute(uri: "/api/annotations/\(id)/sign", method: .post, headers: headers) { response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "AnnotationList") == nil)
                let signed = (Self.json(response.body)["annotations"] as? [[String: Any]])?.first
                #expect(signed?["signedBy"] as? String == "dr.okafor")
            }
            try await client.execute(uri: "/api/annotations/\(id)/sign", method: .post, headers: headers) {
                #expect($0.status == .conflict)
            }
            try await client.execute(uri: "/api/annotations/\(id)/history", method: .get, headers: headers) {
                response in
                #expect(OpenAPISchemas.problems(response.body, schema: "AnnotationList") == nil)
                #expect((Self.json(response.body)["annotations"] as? [Any])?.count == 3)
            }
            let retract = ByteBuffer(string: #"{"reason":"wrong study"}"#)
            try await client.execute(
                uri: "/api/annotations/\(id)/retract", method: .post, headers: headers, body: retract
            ) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/studies/\(study)/annotations", method: .get, headers: headers) {
                response in
                #expect(OpenAPISchemas.problems(response.body, schema: "AnnotationList") == nil)
                #expect((Self.json(response.body)["annotations"] as? [Any])?.count == 0)
            }
            try await client.execute(uri: "/api/vocabulary", method: .get, headers: headers) { response in
                #expect(OpenAPISchemas.problems(response.body, schema: "Vocabulary") == nil)
                #expect(String(buffer: response.body).contains(#""kind":"pfirrmann""#))
                // The intake form's fields and the facts each finding kind records (for triage's "missing" links).
                let json = Self.json(response.body)
                let intake = json["intakeFields"] as? [[String: Any]] ?? []
                let age = intake.first { $0["key"] as? String == "age" }
                #expect(age?["type"] as? String == "number")
                #expect(age?["maximum"] as? Double == 120)
                #expect(age?["facts"] as? [String] == ["intake.age"])
                let care = intake.first { $0["key"] as? String == "care" }
                #expect((care?["allowed"] as? [String])?.contains("physical-therapy") == true)
                let kinds = json["findingKinds"] as? [[String: Any]] ?? []
                let discography = kinds.first { $0["kind"] as? String == "discography" }
                #expect((discography?["facts"] as? [String])?.contains("level.discography.response") == true)
                #expect(discography?["title"] as? String != nil)
            }
        }
    }

    @Test func invalidFindingsAreStructured400s() async throws {
        let fixture = try await ServerFixture()
        let study = try Self.study(fixture)
        try await fixture.server.application.test(.router) { client in
            let (cookie, csrf) = try await ServerFixture.signIn(client, "dr.okafor")
            let headers: HTTPFields = [.cookie: cookie, Self.csrf: csrf]
            let cases: [(String, String)] = [
                (#"{"level":"L4-L6","kind":"pfirrmann","fields":["grade=3"]}"#, "level"),
                (#"{"level":"L4-L5","kind":"pfirman","fields":["grade=3"]}"#, "kind"),
                (#"{"level":"L4-L5","kind":"pfirrmann","fields":["grade=3"],"colour":"red"}"#, "colour"),
                (#"{"kind":"pfirrmann"}"#, "level"),
                (#"{"level":5,"kind":"pfirrmann"}"#, "level"),
            ]
            for (body, field) in cases {
                try await client.execute(
                    uri: "/api/studies/\(study)/annotations", method: .post, headers: headers,
                    body: ByteBuffer(string: body)
                ) { response in
                    #expect(response.status == .badRequest, "\(body)")
                    #expect(OpenAPISchemas.problems(response.body, schema: "Error") == nil)
                    let error = Self.json(response.body)["error"] as? [String: Any]
                    #expect(error?["field"] as? String == field, "\(body): \(String(buffer: response.body))")
                }
            }
            try await client.execute(
                uri: "/api/studies/\(study)/annotations", method: .post, headers: headers,
                body: ByteBuffer(string: #"{"level":"L4-L5","kind":"pfirman","fields":["grade=3"]}"#)
            ) { response in
                let error = Self.json(response.body)["error"] as? [String: Any]
                #expect(error?["suggestion"] as? String == "pfirrmann")
                #expect((error?["allowed"] as? [String])?.contains("pfirrmann") == true)
            }
            for bad in ["123", "ABCDEF00-0000-0000-0000-000000000000", "../../etc/passwd"] {
                try await client.execute(uri: "/api/annotations/\(bad)", method: .get, headers: headers) {
                    #expect($0.status == .badRequest || $0.status == .notFound, "\(bad)")
                }
            }
            try await client.execute(
                uri: "/api/annotations/00000000-0000-0000-0000-000000000000", method: .get, headers: headers
            ) { #expect($0.status == .notFound) }
        }
    }

    @Test func readerCannotSignAndTheRefusalIsAudited() async throws {
        let fixture = try await ServerFixture()
        let study = try Self.study(fixture)
        let token = fixture.token
        try await fixture.server.application.test(.router) { client in
            let (clinician, clinicianCSRF) = try await ServerFixture.signIn(client, "dr.okafor")
            let id = try await client.execute(
                uri: "/api/studies/\(study)/annotations", method: .post,
                headers: [.cookie: clinician, Self.csrf: clinicianCSRF],
                body: ByteBuffer(string: #"{"level":"L5-S1","kind":"pfirrmann","fields":["grade=2"]}"#)
            ) { try #require((Self.json($0.body)["annotation"] as? [String: Any])?["id"] as? String) }
            let (reader, readerCSRF) = try await ServerFixture.signIn(client, "reader")
            try await client.execute(
                uri: "/api/annotations/\(id)/sign", method: .post, headers: [.cookie: reader, Self.csrf: readerCSRF]
            ) { #expect($0.status == .forbidden) }
            try await client.execute(
                uri: "/api/annotations/\(id)/sign", method: .post, headers: [.authorization: "Bearer \(token)"]
            ) { #expect($0.status == .forbidden) }
            // Without the anti-CSRF header even the clinician's own cookie cannot sign.
            try await client.execute(uri: "/api/annotations/\(id)/sign", method: .post, headers: [.cookie: clinician]) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/annotations/\(id)", method: .get, headers: [.cookie: reader]) {
                response in
                #expect((Self.json(response.body)["annotation"] as? [String: Any])?["status"] as? String == "draft")
            }
        }
        let rows = try fixture.auditRows().filter { $0.action == "POST /api/annotations/{annotationID}/sign" }
        #expect(rows.contains { $0.actor == "reader" && $0.outcome == .forbidden && $0.resourceIDs == [id(rows)] })
        #expect(rows.contains { $0.actor == "ehr" && $0.outcome == .forbidden })
    }

    private func id(_ rows: [AuditRecord]) -> String { rows.first?.resourceIDs.first ?? "" }
}
