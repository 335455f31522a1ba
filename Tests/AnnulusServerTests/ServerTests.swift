import Accounts
import AnnulusServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct ServerTests {
    @Test func healthAndDocumentNeedNoSignIn() async throws {
        let fixture = try await ServerFixture()
        try await fixture.server.application.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "Health") == nil)
            }
            try await client.execute(uri: "/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                let document = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(document?["openapi"] as? String == "3.1.0")
            }
            try await client.execute(uri: "/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(OpenAPISchemas.problems(response.body, schema: "Error") == nil)
            }
        }
    }

    @Test func missingOrMalformedCredentialsAre401() async throws {
        let fixture = try await ServerFixture()
        try await fixture.server.application.test(.router) { client in
            try await client.execute(uri: "/api/studies", method: .get) { #expect($0.status == .unauthorized) }
            for cookie in [
                "annulus_session=", "annulus_session=%%%", "annulus_session=" + String(repeating: "A", count: 43),
            ] {
                try await client.execute(uri: "/api/studies", method: .get, headers: [.cookie: cookie]) { response in
                    #expect(response.status == .unauthorized, "cookie \(cookie)")
                }
            }
            for authorization in [
                "Bearer ", "Bearer nonsense", "Basic abc", "Bearer ann_" + String(repeating: "x", count: 40),
            ] {
                try await client.execute(
                    uri: "/api/studies", method: .get, headers: [.authorization: authorization]
                ) { response in
                    #expect(response.status == .unauthorized, "authorization \(authorization)")
                }
            }
            let wrong = ByteBuffer(string: #"{"name":"reader","password":"not the password"}"#)
            try await client.execute(uri: "/api/session", method: .post, body: wrong) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(uri: "/api/session", method: .post, body: ByteBuffer(string: "{")) {
                #expect($0.status == .badRequest)
            }
            let tooLarge = ByteBuffer(
                string: #"{"name":"a","password":""# + String(repeating: "x", count: 300_000) + #""}"#)
            try await client.execute(uri: "/api/session", method: .post, body: tooLarge) { response in
                #expect(response.status == .contentTooLarge)
                #expect(OpenAPISchemas.problems(response.body, schema: "Error") == nil)
            }
            let unknownField = ByteBuffer(string: #"{"name":1,"password":"x"}"#)
            try await client.execute(uri: "/api/session", method: .post, body: unknownField) {
                #expect($0.status == .badRequest)
            }
        }
    }

    @Test func signInSetsStrictCookieAndCSRFGuardsChanges() async throws {
        let fixture = try await ServerFixture()
        try await fixture.server.application.test(.router) { client in
            let body = ByteBuffer(string: #"{"name":"reader","password":"\#(ServerFixture.password)"}"#)
            try await client.execute(uri: "/api/session", method: .post, body: body) { response in
                let setCookie = try #require(response.headers[.setCookie])
                #expect(setCookie.hasPrefix("annulus_session="))
                #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
                #expect(!setCookie.contains("Secure"))
                #expect(OpenAPISchemas.problems(response.body, schema: "Session") == nil)
            }
            let (cookie, csrf) = try await ServerFixture.signIn(client, "reader")
            try await client.execute(uri: "/api/session", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
                #expect(String(buffer: response.body).contains(csrf))
            }
            // A cross-site form post carries the cookie but cannot know the token.
            try await client.execute(uri: "/api/session", method: .delete, headers: [.cookie: cookie]) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains(#""code":"csrf""#))
            }
            let csrfHeader = HTTPField.Name("X-Annulus-CSRF")!
            try await client.execute(
                uri: "/api/session", method: .delete, headers: [.cookie: cookie, csrfHeader: String(csrf.reversed())]
            ) { #expect($0.status == .forbidden) }
            try await client.execute(
                uri: "/api/session", method: .delete, headers: [.cookie: cookie, csrfHeader: csrf]
            ) {
                #expect($0.status == .noContent)
            }
            try await client.execute(uri: "/api/studies", method: .get, headers: [.cookie: cookie]) {
                #expect($0.status == .unauthorized)
            }
        }
        let actions = try fixture.auditRows().map(\.action)
        #expect(actions.contains(AuditAction.signIn) && actions.contains(AuditAction.signOut))
    }

    @Test func studiesSearchPagingAndDetail() async throws {
        let fixture = try await ServerFixture()
        let (studyUID, instanceUID) = try fixture.sampleInstance()
        try await fixture.server.application.test(.router) { client in
            let (cookie, _) = try await ServerFixture.signIn(client, "reader")
            let first = try await client.execute(uri: "/api/studies?limit=1", method: .get, headers: [.cookie: cookie])
            {
                response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "StudyPage") == nil)
                let page = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect((page?["studies"] as? [Any])?.count == 1)
                #expect(page?["total"] as? Int == 3)
                return try #require(page?["nextCursor"] as? String)
            }
            try await client.execute(
                uri: "/api/studies?limit=5&cursor=\(first)", method: .get, headers: [.cookie: cookie]
            ) { response in
                let page = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect((page?["studies"] as? [Any])?.count == 2)
                #expect(page?["nextCursor"] == nil)
            }
            try await client.execute(uri: "/api/studies?modality=rf", method: .get, headers: [.cookie: cookie]) {
                response in
                let page = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(page?["total"] as? Int == 1)
            }
            for bad in ["limit=0", "limit=x", "dateFrom=2024", "cursor=zz", "dateFrom=20240102&dateTo=20240101"] {
                try await client.execute(uri: "/api/studies?\(bad)", method: .get, headers: [.cookie: cookie]) {
                    response in
                    #expect(response.status == .badRequest, "\(bad)")
                    #expect(OpenAPISchemas.problems(response.body, schema: "Error") == nil)
                }
            }
            try await client.execute(uri: "/api/studies/\(studyUID)", method: .get, headers: [.cookie: cookie]) {
                response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "StudyDetail") == nil)
                #expect(!String(buffer: response.body).contains("\"path\""))
            }
            try await client.execute(uri: "/api/instances/\(instanceUID)", method: .get, headers: [.cookie: cookie]) {
                response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "Instance") == nil)
            }
            for bad in ["1.2.x", "..", "1..2", "01.2", String(repeating: "1", count: 65), "%2e%2e%2fetc"] {
                try await client.execute(uri: "/api/studies/\(bad)", method: .get, headers: [.cookie: cookie]) {
                    response in
                    #expect(response.status == .badRequest || response.status == .notFound, "\(bad)")
                    #expect(response.status != .ok)
                }
            }
            try await client.execute(uri: "/api/studies/1.2.3", method: .get, headers: [.cookie: cookie]) {
                #expect($0.status == .notFound)
            }
        }
        let reads = try fixture.auditRows().filter { $0.action == "GET /api/studies/{studyUID}" }
        #expect(reads.contains { $0.actor == "reader" && $0.resourceIDs == [studyUID] && $0.outcome == .ok })
    }

    @Test func roleWithoutPermissionIs403AndAudited() async throws {
        let fixture = try await ServerFixture()
        let token = fixture.token
        try await fixture.server.application.test(.router) { client in
            let (cookie, _) = try await ServerFixture.signIn(client, "admin")
            try await client.execute(uri: "/api/studies", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .forbidden)
            }
            try await client.execute(uri: "/api/studies", method: .get, headers: [.authorization: "Bearer \(token)"]) {
                #expect($0.status == .ok)
            }
        }
        let rows = try fixture.auditRows().filter { $0.action == "GET /api/studies" }
        #expect(rows.contains { $0.actor == "admin" && $0.outcome == .forbidden && $0.statusCode == 403 })
        #expect(rows.contains { $0.actor == "ehr" && $0.outcome == .ok })
    }

    @Test func renderedFrameIsCachedWithETagAnd304() async throws {
        let fixture = try await ServerFixture()
        let (_, instanceUID) = try fixture.sampleInstance()
        try await fixture.server.application.test(.router) { client in
            let (cookie, _) = try await ServerFixture.signIn(client, "reader")
            let uri = "/api/instances/\(instanceUID)/frames/0/rendered?window=preset:mr&size=256"
            let tag = try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/png")
                #expect(response.body.getBytes(at: 0, length: 4) == [0x89, 0x50, 0x4E, 0x47])
                return try #require(response.headers[.eTag])
            }
            try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie, .ifNoneMatch: tag]) {
                response in
                #expect(response.status == .notModified)
                #expect(response.body.readableBytes == 0)
            }
            try await client.execute(uri: uri, method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.headers[.eTag] == tag)
            }
            try await client.execute(
                uri: "/api/instances/\(instanceUID)/thumbnail", method: .get, headers: [.cookie: cookie]
            ) {
                #expect($0.status == .ok)
            }
            for bad in [
                "frames/99999/rendered", "frames/0/rendered?window=bogus", "frames/0/rendered?size=5",
                "frames/-1/rendered",
            ] {
                try await client.execute(
                    uri: "/api/instances/\(instanceUID)/\(bad)", method: .get, headers: [.cookie: cookie]
                ) {
                    response in
                    #expect(response.status == .badRequest, "\(bad)")
                }
            }
        }
        let cached = FileManager.default.enumerator(atPath: fixture.dataFolder.path + "/frame-cache")?.allObjects ?? []
        #expect(cached.contains { ($0 as? String)?.hasSuffix(".png") == true })
    }

    @Test func saturatedPoolAnswers503WithRetryAfter() async throws {
        // One thread and no queue: of several concurrent renderings at least one is refused, none fails otherwise.
        let fixture = try await ServerFixture(threads: 1, queue: 0)
        let (_, instanceUID) = try fixture.sampleInstance()
        try await fixture.server.application.test(.ahc(.http)) { client in
            let (cookie, _) = try await ServerFixture.signIn(client, "reader")
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for size in 0..<8 {
                    group.addTask {
                        try await client.execute(
                            uri: "/api/instances/\(instanceUID)/frames/0/rendered?size=\(1000 + size)", method: .get,
                            headers: [.cookie: cookie]
                        ) { ($0.status.code, $0.headers[.retryAfter]) }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.allSatisfy { $0.0 == 200 || ($0.0 == 503 && $0.1 == "1") }, "\(statuses)")
            #expect(statuses.contains { $0.0 == 503 }, "\(statuses)")
            #expect(statuses.contains { $0.0 == 200 }, "\(statuses)")
        }
    }
}
