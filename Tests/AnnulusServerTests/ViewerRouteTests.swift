import AnnulusApp
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The routes the reading room's viewer adds beside the rendered frames: a frame's resolved window (with the file's
/// windows and the presets) and a multi-frame instance's cine timing; their bodies match the OpenAPI document.
@Suite struct ViewerRouteTests {
    /// The first instance of SampleStudies' fluoroscopy.
    static func cineInstance(_ fixture: ServerFixture) throws -> String {
        let study = try #require(try fixture.store.studies().first { $0.modalities.contains("RF") })
        let series = try #require(try fixture.store.series(ofStudy: study.studyInstanceUID).first)
        return try #require(try fixture.store.instances(ofSeries: series.seriesInstanceUID).first).sopInstanceUID
    }

    static func json(_ body: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
    }

    @Test func frameWindowResolvesChoicesAndRefusesBadOnes() async throws {
        let fixture = try await ServerFixture()
        let (_, instanceUID) = try fixture.sampleInstance()
        try await fixture.server.application.test(.router) { client in
            let (cookie, _) = try await ServerFixture.signIn(client, "reader")
            let base = "/api/instances/\(instanceUID)/frames/0/window"
            try await client.execute(uri: base, method: .get, headers: [.cookie: cookie]) { response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "FrameWindow") == nil)
                let body = try Self.json(response.body)
                let window = try #require(body["window"] as? [String: Any])
                #expect(window["center"] as? Double == 1600 && window["width"] as? Double == 3200)
                #expect((body["fileWindows"] as? [Any])?.count == 1)
                #expect((body["presets"] as? [String])?.contains("preset:t2-spine") == true)
            }
            try await client.execute(uri: base + "?window=preset:t2-spine", method: .get, headers: [.cookie: cookie]) {
                response in
                let window = try #require(try Self.json(response.body)["window"] as? [String: Any])
                #expect(window["center"] as? Double == 1600 && window["width"] as? Double == 2800)
            }
            for bad in ["frames/0/window?window=bogus", "frames/0/window?window=file:9", "frames/7/window"] {
                try await client.execute(
                    uri: "/api/instances/\(instanceUID)/\(bad)", method: .get, headers: [.cookie: cookie]
                ) { response in
                    #expect(response.status == .badRequest, "\(bad)")
                    #expect(OpenAPISchemas.problems(response.body, schema: "Error") == nil)
                }
            }
            try await client.execute(
                uri: "/api/instances/1.2.3/frames/0/window", method: .get, headers: [.cookie: cookie]
            ) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: base, method: .get) { #expect($0.status == .unauthorized) }
        }
    }

    @Test func cineTimingComesFromTheHeader() async throws {
        let fixture = try await ServerFixture()
        let cine = try Self.cineInstance(fixture)
        let (_, slice) = try fixture.sampleInstance()
        try await fixture.server.application.test(.router) { client in
            let (cookie, _) = try await ServerFixture.signIn(client, "reader")
            try await client.execute(uri: "/api/instances/\(cine)/cine", method: .get, headers: [.cookie: cookie]) {
                response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "Cine") == nil)
                let body = try Self.json(response.body)
                #expect(body["source"] as? String == "Frame Time")
                #expect(body["frameTimeMs"] as? Double == 100)
                #expect(body["isCine"] as? Bool == true)
                #expect((body["frames"] as? Int ?? 0) > 1)
                #expect(body["frameTimesMs"] == nil)
            }
            try await client.execute(uri: "/api/instances/\(slice)/cine", method: .get, headers: [.cookie: cookie]) {
                response in
                #expect(OpenAPISchemas.problems(response.body, schema: "Cine") == nil)
                let body = try Self.json(response.body)
                #expect(body["isCine"] as? Bool == false && body["frames"] as? Int == 1)
            }
            try await client.execute(uri: "/api/instances/1.2.3/cine", method: .get, headers: [.cookie: cookie]) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/api/instances/1..2/cine", method: .get, headers: [.cookie: cookie]) {
                #expect($0.status == .badRequest)
            }
        }
        let reads = try fixture.auditRows().filter { $0.action == "GET /api/instances/{instanceUID}/cine" }
        #expect(reads.contains { $0.actor == "reader" && $0.outcome == .ok })
    }
}
