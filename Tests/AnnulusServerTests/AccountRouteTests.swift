import Accounts
import AnnulusServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AccountRouteTests {
    static func json(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    static func object(_ body: ByteBuffer) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any]) ?? [:]
    }

    static func headers(_ cookie: String, _ csrf: String) -> HTTPFields {
        [.cookie: cookie, HTTPField.Name("X-Annulus-CSRF")!: csrf, .contentType: "application/json"]
    }

    @Test("an admin adds, lists, disables and re-enables an account and resets its password; others are refused")
    func administration() async throws {
        let fixture = try await ServerFixture()
        let integratorToken = fixture.token
        try await fixture.server.application.test(.router) { client in
            let (admin, csrf) = try await ServerFixture.signIn(client, "admin")
            let adminHeaders = Self.headers(admin, csrf)
            try await client.execute(
                uri: "/api/accounts", method: .post, headers: adminHeaders,
                body: Self.json(#"{"name":"Dr.Rivera","role":"clinician","password":"a long enough secret"}"#)
            ) { response in
                #expect(response.status == .created)
                #expect(OpenAPISchemas.problems(response.body, schema: "Account") == nil)
                let account = Self.object(response.body)
                #expect(account["name"] as? String == "dr.rivera" && account["role"] as? String == "clinician")
                #expect(!String(buffer: response.body).contains("password\":\"a long"))
            }
            // The new account signs in with its password.
            try await client.execute(
                uri: "/api/session", method: .post,
                body: Self.json(#"{"name":"dr.rivera","password":"a long enough secret"}"#)
            ) { #expect($0.status == .ok) }
            // Refusals: a taken name (409), a weak password and an unknown role (400 with the field), an unknown
            // field, an unknown account (404), a malformed name in the path (400).
            try await client.execute(
                uri: "/api/accounts", method: .post, headers: adminHeaders,
                body: Self.json(#"{"name":"DR.RIVERA","role":"reader","password":"a long enough secret"}"#)
            ) { #expect($0.status == .conflict) }
            try await client.execute(
                uri: "/api/accounts", method: .post, headers: adminHeaders,
                body: Self.json(#"{"name":"x","role":"reader","password":"short"}"#)
            ) { #expect($0.status == .badRequest) }
            try await client.execute(
                uri: "/api/accounts", method: .post, headers: adminHeaders,
                body: Self.json(#"{"name":"x","role":"superuser","password":"a long enough secret"}"#)
            ) { #expect($0.status == .badRequest) }
            try await client.execute(
                uri: "/api/accounts", method: .post, headers: adminHeaders,
                body: Self.json(#"{"name":"x","role":"reader","password":"a long enough secret","admin":true}"#)
            ) { response in
                #expect(response.status == .badRequest)
                #expect(String(buffer: response.body).contains("unknown-field"))
            }
            try await client.execute(uri: "/api/accounts/nobody", method: .get, headers: adminHeaders) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/api/accounts/bad%20name", method: .get, headers: adminHeaders) {
                #expect($0.status == .badRequest)
            }
            try await client.execute(uri: "/api/accounts", method: .get, headers: adminHeaders) { response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "AccountList") == nil)
                let names = (Self.object(response.body)["accounts"] as? [[String: Any]])?.compactMap {
                    $0["name"] as? String
                }
                #expect(Set(names ?? []) == ["admin", "dr.okafor", "dr.rivera", "ehr", "reader"])
            }
            // Disable: its sign-in is refused; an admin cannot disable themself.
            try await client.execute(
                uri: "/api/accounts/dr.rivera", method: .patch, headers: adminHeaders,
                body: Self.json(#"{"disabled":true}"#)
            ) { response in
                #expect(response.status == .ok)
                #expect(Self.object(response.body)["disabled"] as? Bool == true)
            }
            try await client.execute(
                uri: "/api/session", method: .post,
                body: Self.json(#"{"name":"dr.rivera","password":"a long enough secret"}"#)
            ) { #expect($0.status == .unauthorized) }
            try await client.execute(
                uri: "/api/accounts/admin", method: .patch, headers: adminHeaders,
                body: Self.json(#"{"disabled":true}"#)
            ) { response in
                #expect(response.status == .conflict)
                #expect(String(buffer: response.body).contains("disable-self"))
            }
            try await client.execute(
                uri: "/api/accounts/dr.rivera", method: .patch, headers: adminHeaders,
                body: Self.json(#"{"disabled":false}"#)
            ) { #expect($0.status == .ok) }
            try await client.execute(
                uri: "/api/accounts/dr.rivera/password", method: .put, headers: adminHeaders,
                body: Self.json(#"{"password":"another long secret"}"#)
            ) { #expect($0.status == .noContent) }
            try await client.execute(
                uri: "/api/session", method: .post,
                body: Self.json(#"{"name":"dr.rivera","password":"another long secret"}"#)
            ) { #expect($0.status == .ok) }
            // A clinician, a reader and an integrator's token may not manage accounts.
            let (clinician, clinicianCSRF) = try await ServerFixture.signIn(client, "dr.okafor")
            try await client.execute(uri: "/api/accounts", method: .get, headers: [.cookie: clinician]) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(
                uri: "/api/accounts", method: .post, headers: Self.headers(clinician, clinicianCSRF),
                body: Self.json(#"{"name":"mallory","role":"admin","password":"a long enough secret"}"#)
            ) { #expect($0.status == .forbidden) }
            try await client.execute(
                uri: "/api/accounts", method: .get, headers: [.authorization: "Bearer \(integratorToken)"]
            ) { #expect($0.status == .forbidden) }
            // A cross-site request: the admin's cookie without the anti-CSRF header.
            try await client.execute(
                uri: "/api/accounts", method: .post, headers: [.cookie: admin, .contentType: "application/json"],
                body: Self.json(#"{"name":"mallory","role":"admin","password":"a long enough secret"}"#)
            ) { #expect($0.status == .forbidden) }
        }
        let names = try AccountDirectory(store: fixture.store, hasher: try PasswordHasher(cost: 4)).list().map(\.name)
        #expect(!names.contains("mallory"))
        let rows = try fixture.auditRows()
        #expect(rows.contains { $0.action == "POST /api/accounts" && $0.outcome == .ok && $0.actor == "admin" })
        #expect(
            rows.contains { $0.action == "POST /api/accounts" && $0.outcome == .forbidden && $0.actor == "dr.okafor" })
        #expect(rows.contains { $0.action == "PATCH /api/accounts/{accountName}" && $0.resourceIDs == ["dr.rivera"] })
    }

    @Test("tokens: created for an integrator and shown once, listed without the secret, revoked, then refused")
    func tokens() async throws {
        let fixture = try await ServerFixture()
        try await fixture.server.application.test(.router) { client in
            let (admin, csrf) = try await ServerFixture.signIn(client, "admin")
            let headers = Self.headers(admin, csrf)
            let created = try await client.execute(
                uri: "/api/accounts/ehr/tokens", method: .post, headers: headers,
                body: Self.json(#"{"name":"lab interface","lifetimeDays":30}"#)
            ) { response in
                #expect(response.status == .created)
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(OpenAPISchemas.problems(response.body, schema: "Token") == nil)
                return Self.object(response.body)
            }
            let token = try #require(created["token"] as? String)
            let id = try #require(created["id"] as? Int)
            #expect(token.hasPrefix("ann_"))
            try await client.execute(
                uri: "/api/studies", method: .get, headers: [.authorization: "Bearer \(token)"]
            ) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/accounts/ehr/tokens", method: .get, headers: headers) { response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "TokenList") == nil)
                #expect(!String(buffer: response.body).contains(token))
                #expect(String(buffer: response.body).contains("lab interface"))
            }
            // Only integrators hold tokens.
            try await client.execute(
                uri: "/api/accounts/dr.okafor/tokens", method: .post, headers: headers,
                body: Self.json(#"{"name":"nope"}"#)
            ) { #expect($0.status == .forbidden) }
            try await client.execute(uri: "/api/tokens/\(id)", method: .delete, headers: headers) { response in
                #expect(response.status == .ok)
                #expect(Self.object(response.body)["revokedAt"] is String)
                #expect(Self.object(response.body)["state"] as? String == "revoked")
            }
            try await client.execute(
                uri: "/api/studies", method: .get, headers: [.authorization: "Bearer \(token)"]
            ) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/tokens/999999", method: .delete, headers: headers) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/api/tokens/-1", method: .delete, headers: headers) {
                #expect($0.status == .badRequest)
            }
        }
    }

    @Test("a signed-in account changes its own password: the current one is checked, every session ends")
    func ownPassword() async throws {
        let fixture = try await ServerFixture()
        let integratorToken = fixture.token
        try await fixture.server.application.test(.router) { client in
            let (reader, csrf) = try await ServerFixture.signIn(client, "reader")
            let headers = Self.headers(reader, csrf)
            try await client.execute(
                uri: "/api/session/password", method: .put, headers: headers,
                body: Self.json(#"{"currentPassword":"wrong","newPassword":"a brand new secret"}"#)
            ) { response in
                #expect(response.status == .forbidden)
                #expect(String(buffer: response.body).contains("currentPassword"))
            }
            try await client.execute(
                uri: "/api/session/password", method: .put, headers: headers,
                body: Self.json(#"{"currentPassword":"\#(ServerFixture.password)","newPassword":"short"}"#)
            ) { #expect($0.status == .badRequest) }
            try await client.execute(
                uri: "/api/session/password", method: .put, headers: headers,
                body: Self.json(#"{"currentPassword":"\#(ServerFixture.password)","newPassword":"a brand new secret"}"#)
            ) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            try await client.execute(uri: "/api/session", method: .get, headers: [.cookie: reader]) {
                #expect($0.status == .unauthorized)
            }
            try await client.execute(
                uri: "/api/session", method: .post,
                body: Self.json(#"{"name":"reader","password":"a brand new secret"}"#)
            ) { #expect($0.status == .ok) }
            // An API token cannot change a password.
            try await client.execute(
                uri: "/api/session/password", method: .put,
                headers: [.authorization: "Bearer \(integratorToken)", .contentType: "application/json"],
                body: Self.json(#"{"currentPassword":"x","newPassword":"a brand new secret"}"#)
            ) { #expect($0.status == .unauthorized) }
        }
    }

    @Test("requests without an account write one audit row per route and address per minute, counting the rest")
    func anonymousRefusalsAreThrottled() async throws {
        let fixture = try await ServerFixture()
        let study = try fixture.sampleInstance().study
        let started = Date()
        try await fixture.server.application.test(.router) { client in
            for _ in 0..<25 {
                try await client.execute(uri: "/api/studies/\(study)", method: .get) {
                    #expect($0.status == .unauthorized)
                }
                try await client.execute(
                    uri: "/api/session", method: .post, body: Self.json(#"{"name":"admin","password":"guess"}"#)
                ) { #expect([.unauthorized, .tooManyRequests].contains($0.status)) }
            }
        }
        // One row per minute-long window: one in all when the 50 requests take less than a minute, one more for each
        // further minute when a loaded machine (the whole suite beside it) makes them slower than that.
        let windows = 1 + Int(Date().timeIntervalSince(started) / 60)
        let rows = try fixture.auditRows()
        let studyRows = rows.filter { $0.action == "GET /api/studies/{studyUID}" && $0.actor == "anonymous" }.count
        let signInRows = rows.filter { $0.action == AuditAction.signIn && $0.outcome != .ok }.count
        #expect((1...windows).contains(studyRows), "\(studyRows) rows for 25 refusals in \(windows) window(s)")
        #expect((1...windows).contains(signInRows), "\(signInRows) rows for 25 refusals in \(windows) window(s)")
    }
}
