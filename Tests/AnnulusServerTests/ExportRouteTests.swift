import AnnulusServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import ProcessTestSupport
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

@Suite struct DeliveryRouteTests {
    /// The reading room's hand-off: the study's Bundle delivered to the endpoint of `--fhir-endpoint` (a real local
    /// HTTP server), a first failure left pending and retried, every attempt recorded and listed.
    @Test func deliversTheBundleToTheConfiguredEndpointAndRetries() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fhir-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let fhir = try FlakyFHIRServer(failures: 1, status: 503, folder: folder)
        defer { fhir.stop() }
        let endpoint = fhir.url
        let fixture = try await ServerFixture {
            $0.fhirEndpoint = URL(string: endpoint)
            $0.deliveryToken = "endpoint-token"
        }
        let study = try AnnotationRouteTests.study(fixture)
        let token: HTTPFields = [.authorization: "Bearer \(fixture.token)"]
        try await fixture.server.application.test(.router) { client in
            let deliveryID = try await client.execute(
                uri: "/api/studies/\(study)/deliveries", method: .post, headers: token, body: ByteBuffer(string: "{}")
            ) { response in
                #expect(response.status == .created)
                #expect(OpenAPISchemas.problems(response.body, schema: "RetryResult") == nil)
                let json = AnnotationRouteTests.json(response.body)
                #expect(json["outcome"] as? String == "retry")
                #expect(json["attempts"] as? Int == 1)
                return try #require(json["deliveryID"] as? String)
            }
            try await client.execute(uri: "/api/deliveries?study=\(study)", method: .get, headers: token) { response in
                let deliveries = AnnotationRouteTests.json(response.body)["deliveries"] as? [[String: Any]]
                #expect(deliveries?.count == 1)
                #expect(deliveries?.first?["state"] as? String == "pending")
                #expect(deliveries?.first?["url"] as? String == endpoint)
            }
            try await client.execute(uri: "/api/deliveries/\(deliveryID)/retry", method: .post, headers: token) {
                response in
                #expect(response.status == .ok)
                let json = AnnotationRouteTests.json(response.body)
                #expect(json["outcome"] as? String == "delivered")
                #expect(json["attempts"] as? Int == 2)
            }
            // Strict bodies: a format (only FHIR is delivered) or a wrong type is refused naming the field.
            for body in [#"{"format":"fhir"}"#, #"{"includeDrafts":"yes"}"#] {
                try await client.execute(
                    uri: "/api/studies/\(study)/deliveries", method: .post, headers: token,
                    body: ByteBuffer(string: body)
                ) { #expect($0.status == .badRequest) }
            }
            let (reader, csrf) = try await ServerFixture.signIn(client, "reader")
            try await client.execute(
                uri: "/api/studies/\(study)/deliveries", method: .post,
                headers: [.cookie: reader, AnnotationRouteTests.csrf: csrf], body: ByteBuffer(string: "{}")
            ) { #expect($0.status == .forbidden) }
        }
        let requests = fhir.requests()
        #expect(requests.count == 2)
        #expect(requests.allSatisfy { $0["authorization"] as? String == "Bearer endpoint-token" })
        #expect(requests.allSatisfy { $0["resourceType"] as? String == "Bundle" })
    }

    @Test func withoutAnEndpointDeliveryIsRefusedSayingHowToConfigureOne() async throws {
        let fixture = try await ServerFixture()
        let study = try AnnotationRouteTests.study(fixture)
        let token: HTTPFields = [.authorization: "Bearer \(fixture.token)"]
        try await fixture.server.application.test(.router) { client in
            try await client.execute(
                uri: "/api/studies/\(study)/deliveries", method: .post, headers: token, body: ByteBuffer(string: "{}")
            ) { response in
                #expect(response.status == .conflict)
                let error = AnnotationRouteTests.json(response.body)["error"] as? [String: Any]
                #expect(error?["code"] as? String == "no-endpoint")
                #expect((error?["message"] as? String)?.contains("--fhir-endpoint") == true)
            }
        }
    }
}
