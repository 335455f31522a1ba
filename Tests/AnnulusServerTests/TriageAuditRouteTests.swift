import AnnulusServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct TriageAuditRouteTests {
    @Test func triageWorklistAndTheAuditTrailByRole() async throws {
        let fixture = try await ServerFixture()
        let study = try AnnotationRouteTests.study(fixture)
        try await fixture.server.application.test(.router) { client in
            let (reader, _) = try await ServerFixture.signIn(client, "reader")
            try await client.execute(uri: "/api/studies/\(study)/triage", method: .get, headers: [.cookie: reader]) {
                response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "Evaluation") == nil)
            }
            try await client.execute(uri: "/api/worklist", method: .get, headers: [.cookie: reader]) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/audit", method: .get, headers: [.cookie: reader]) {
                #expect($0.status == .forbidden)
            }
            let (clinician, _) = try await ServerFixture.signIn(client, "dr.okafor")
            try await client.execute(uri: "/api/worklist", method: .get, headers: [.cookie: clinician]) { response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "Worklist") == nil)
            }
            let (admin, _) = try await ServerFixture.signIn(client, "admin")
            try await client.execute(uri: "/api/audit?actor=reader", method: .get, headers: [.cookie: admin]) {
                response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "AuditList") == nil)
                let text = String(buffer: response.body)
                #expect(text.contains("GET /api/studies/{studyUID}/triage") && text.contains(study))
                #expect(text.contains(#""outcome":"forbidden""#))
            }
            try await client.execute(uri: "/api/audit?limit=0", method: .get, headers: [.cookie: admin]) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/api/studies/\(study)/triage", method: .get, headers: [.cookie: admin]) {
                #expect($0.status == .forbidden)
            }
        }
    }
}
