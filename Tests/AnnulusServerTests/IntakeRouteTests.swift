import AnnulusServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct IntakeRouteTests {
    @Test func intakeSetCurrentHistoryAndRefusals() async throws {
        let fixture = try await ServerFixture()
        let study = try AnnotationRouteTests.study(fixture)
        try await fixture.server.application.test(.router) { client in
            let (cookie, csrf) = try await ServerFixture.signIn(client, "dr.okafor")
            let headers: HTTPFields = [.cookie: cookie, AnnotationRouteTests.csrf: csrf]
            try await client.execute(uri: "/api/studies/\(study)/intake", method: .get, headers: headers) { response in
                #expect(response.status == .ok)
                #expect(AnnotationRouteTests.json(response.body)["latest"] == nil)
            }
            let facts = ByteBuffer(string: #"{"facts":["age=45","pain-months=14"],"reason":"first visit"}"#)
            try await client.execute(
                uri: "/api/studies/\(study)/intake", method: .post, headers: headers, body: facts
            ) { response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "Intake") == nil)
                let latest = AnnotationRouteTests.json(response.body)["latest"] as? [String: Any]
                #expect(latest?["author"] as? String == "dr.okafor")
                #expect(String(buffer: response.body).contains("45"))
            }
            let misspelt = ByteBuffer(string: #"{"facts":["agee=45"]}"#)
            try await client.execute(
                uri: "/api/studies/\(study)/intake", method: .post, headers: headers, body: misspelt
            ) { response in
                #expect(response.status == .badRequest)
                let error = AnnotationRouteTests.json(response.body)["error"] as? [String: Any]
                #expect(error?["suggestion"] as? String == "age", "\(String(buffer: response.body))")
            }
            try await client.execute(uri: "/api/studies/\(study)/intake/history", method: .get, headers: headers) {
                response in
                #expect(OpenAPISchemas.problems(response.body, schema: "IntakeHistory") == nil)
                #expect((AnnotationRouteTests.json(response.body)["versions"] as? [Any])?.count == 1)
            }
            let (reader, readerCSRF) = try await ServerFixture.signIn(client, "reader")
            try await client.execute(
                uri: "/api/studies/\(study)/intake", method: .post,
                headers: [.cookie: reader, AnnotationRouteTests.csrf: readerCSRF], body: facts
            ) { #expect($0.status == .forbidden) }
        }
    }
}
