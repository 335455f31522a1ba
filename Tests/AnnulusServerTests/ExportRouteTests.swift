import AnnulusServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct ExportRouteTests {
    @Test func integratorExportsAndListsDeliveriesReaderCannot() async throws {
        let fixture = try await ServerFixture()
        let study = try AnnotationRouteTests.study(fixture)
        let token: HTTPFields = [.authorization: "Bearer \(fixture.token)"]
        try await fixture.server.application.test(.router) { client in
            try await client.execute(
                uri: "/api/studies/\(study)/exports", method: .post, headers: token,
                body: ByteBuffer(string: #"{"format":"fhir"}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(AnnotationRouteTests.json(response.body)["resourceType"] as? String == "Bundle")
            }
            try await client.execute(
                uri: "/api/studies/\(study)/exports", method: .post, headers: token,
                body: ByteBuffer(string: #"{"format":"pdf"}"#)
            ) { response in
                #expect(response.status == .badRequest)
                let error = AnnotationRouteTests.json(response.body)["error"] as? [String: Any]
                #expect(error?["allowed"] as? [String] == ["fhir", "findings"])
            }
            try await client.execute(uri: "/api/deliveries?state=pending", method: .get, headers: token) { response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "DeliveryList") == nil)
            }
            try await client.execute(uri: "/api/deliveries?state=lost", method: .get, headers: token) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(
                uri: "/api/deliveries/00000000-0000-0000-0000-000000000000/retry", method: .post, headers: token
            ) { #expect($0.status == .conflict) }
            let (reader, _) = try await ServerFixture.signIn(client, "reader")
            try await client.execute(uri: "/api/deliveries", method: .get, headers: [.cookie: reader]) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/status", method: .get, headers: [.cookie: reader]) { response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "Status") == nil)
            }
        }
    }
}
