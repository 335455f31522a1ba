import Accounts
import AnnulusServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Store
import Testing

/// What the reading room needs from the server besides the API: its files under the security headers, the idle
/// time in the session, a sign-in that a dead cookie cannot block, anchors on findings, the worklist's studies.
@Suite struct ReadingRoomRouteTests {
    static let csrf = HTTPField.Name("X-Annulus-CSRF")!

    @Test func pageAndModulesAreServedUnderTheContentSecurityPolicy() async throws {
        let fixture = try await ServerFixture()
        try await fixture.server.application.test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                let html = String(buffer: response.body)
                #expect(html.contains(#"<script type="module" src="/js/main.js"></script>"#))
                // No inline script or style anywhere in the page: the policy would refuse it.
                #expect(!html.contains("<script>"))
                #expect(!html.contains("style="))
                Self.expectSecurityHeaders(response.headers)
            }
            try await client.execute(uri: "/js/main.js", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "text/javascript")
                #expect(response.headers[.cacheControl] == "no-cache")
                Self.expectSecurityHeaders(response.headers)
            }
            // Errors carry the headers too (they are thrown past the route), and stay JSON.
            for uri in ["/no-such-file.js", "/api/no-such-route"] {
                try await client.execute(uri: uri, method: .get) { response in
                    #expect(response.status == .notFound)
                    #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                    Self.expectSecurityHeaders(response.headers)
                }
            }
            try await client.execute(uri: "/api/studies", method: .get) { response in
                #expect(response.status == .unauthorized)
                Self.expectSecurityHeaders(response.headers)
            }
            // Nothing outside the page's folder: a climbing path is refused.
            try await client.execute(uri: "/js/../../openapi.json", method: .get) { response in
                #expect(response.status != .ok)
            }
        }
    }

    static func expectSecurityHeaders(_ headers: HTTPFields) {
        let policy = headers[.contentSecurityPolicy] ?? ""
        #expect(policy.contains("script-src 'self'"))
        #expect(policy.contains("style-src 'self'"))
        #expect(policy.contains("frame-ancestors 'none'"))
        #expect(!policy.contains("unsafe-inline"))
        #expect(headers[.xContentTypeOptions] == "nosniff")
        #expect(headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
    }

    @Test func sessionTellsTheIdleTimeAndADeadCookieDoesNotBlockSigningIn() async throws {
        let fixture = try await ServerFixture()
        try await fixture.server.application.test(.router) { client in
            let (cookie, csrf) = try await ServerFixture.signIn(client, "dr.okafor")
            try await client.execute(uri: "/api/session", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "Session") == nil)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                #expect(json?["idleTimeoutSeconds"] as? Int == 1800)
            }
            try await client.execute(
                uri: "/api/session", method: .delete, headers: [.cookie: cookie, Self.csrf: csrf]
            ) { #expect($0.status == .noContent) }
            // The ended session's cookie is refused, and the refusal tells the browser to forget it…
            try await client.execute(uri: "/api/studies", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.setCookie]?.contains("Max-Age=0") == true)
            }
            // …and signing in again with it still attached works (no anti-CSRF header, no 401).
            let body = ByteBuffer(string: #"{"name":"dr.okafor","password":"\#(ServerFixture.password)"}"#)
            try await client.execute(uri: "/api/session", method: .post, headers: [.cookie: cookie], body: body) {
                #expect($0.status == .ok)
            }
        }
    }

    @Test func findingsCarryTheirAnchorInPatientCoordinates() async throws {
        let fixture = try await ServerFixture()
        let study = try AnnotationRouteTests.study(fixture)
        let series = try #require(
            try fixture.store.series(ofStudy: study).first { $0.seriesNumber == 1 })
        let image = try #require(try fixture.store.instances(ofSeries: series.seriesInstanceUID).first)
        try await fixture.server.application.test(.router) { client in
            let (cookie, csrf) = try await ServerFixture.signIn(client, "dr.okafor")
            let headers: HTTPFields = [.cookie: cookie, Self.csrf: csrf, .contentType: "application/json"]
            func add(_ anchor: String) -> ByteBuffer {
                ByteBuffer(
                    string: #"{"level":"L4-L5","kind":"pfirrmann","fields":["grade=3"],"anchor":\#(anchor),"#
                        + #""levelOutsideStudy":"checked on the image"}"#)
            }
            let good = #"{"sopInstanceUID":"\#(image.sopInstanceUID)","frame":0,"points":[[10,20],[12.5,22]]}"#
            try await client.execute(
                uri: "/api/studies/\(study)/annotations", method: .post, headers: headers, body: add(good)
            ) { response in
                #expect(response.status == .created)
                #expect(OpenAPISchemas.problems(response.body, schema: "AnnotationResult") == nil)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let document = (json?["annotation"] as? [String: Any])?["annotation"] as? [String: Any]
                let anchor = try #require(document?["anchor"] as? [String: Any])
                #expect(anchor["sopInstanceUID"] as? String == image.sopInstanceUID)
                #expect((anchor["points"] as? [Any])?.count == 2)
                #expect((anchor["patientPositions"] as? [[Double]])?.first?.count == 3)
            }
            let refused: [(anchor: String, code: String)] = [
                (#"{"sopInstanceUID":"\#(image.sopInstanceUID)","points":[]}"#, "bad-anchor"),
                (#"{"sopInstanceUID":"\#(image.sopInstanceUID)","points":[[1,2,3]]}"#, "bad-anchor"),
                (#"{"sopInstanceUID":"\#(image.sopInstanceUID)","frame":-1,"points":[[1,2]]}"#, "bad-anchor"),
                (#"{"sopInstanceUID":"\#(image.sopInstanceUID)","points":[[100000,2]]}"#, "point-outside-image"),
                (#"{"sopInstanceUID":"1.2.3","points":[[1,2]]}"#, "unknown-instance"),
                // Frames are numbered from 0 over the API, in the refusal too.
                (#"{"sopInstanceUID":"\#(image.sopInstanceUID)","frame":3,"points":[[1,2]]}"#, "invalid-frame"),
            ]
            for (anchor, code) in refused {
                try await client.execute(
                    uri: "/api/studies/\(study)/annotations", method: .post, headers: headers, body: add(anchor)
                ) { response in
                    #expect(response.status == .badRequest, "\(anchor)")
                    let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                    let error = json?["error"] as? [String: Any]
                    #expect(error?["code"] as? String == code, "\(anchor): \(error ?? [:])")
                    if code == "invalid-frame" {
                        #expect(error?["value"] as? String == "3")
                        #expect(error?["allowed"] as? [String] == ["0…0"])
                    }
                }
            }
        }
    }

    @Test func worklistEntriesNameTheirStudiesAndArrivals() async throws {
        let fixture = try await ServerFixture()
        let allStudies = Set(try fixture.store.studies().map(\.studyInstanceUID))
        try await fixture.server.application.test(.router) { client in
            let (cookie, _) = try await ServerFixture.signIn(client, "dr.okafor")
            try await client.execute(uri: "/api/worklist", method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "Worklist") == nil)
                let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
                let entries = try #require(json?["entries"] as? [[String: Any]])
                let studies = entries.flatMap { ($0["studies"] as? [[String: Any]]) ?? [] }
                let uids = Set(studies.compactMap { $0["studyInstanceUID"] as? String })
                #expect(uids == allStudies)
                #expect(studies.allSatisfy { $0["arrivedAt"] is String })
                #expect(entries.allSatisfy { $0["newestArrival"] is String && $0["missing"] is [String] })
            }
        }
    }
}
