import AnnulusServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct DiscRouteTests {
    /// The phantom's disc centres as pixels on the mid-sagittal T2 (series 1, instance 8) of ACC-MR-0001, as
    /// `SampleDiscs` in the use-case tests computes them from the generator's geometry.
    static let centres = ["L5-S1": (251.75, 409.57), "L4-L5": (247.32, 351.21), "L3-L4": (245.76, 290.13)]

    /// The SOP Instance UID of series 1, instance 8.
    static func midSagittal(_ fixture: ServerFixture, study: String) throws -> String {
        let series = try #require(try fixture.store.series(ofStudy: study).first { $0.seriesNumber == 1 })
        return try #require(
            try fixture.store.instances(ofSeries: series.seriesInstanceUID).first { $0.instanceNumber == 8 }
        ).sopInstanceUID
    }

    /// A `labels` entry of a PUT body.
    static func label(_ level: String, sop: String, at point: (Double, Double)? = nil) -> String {
        let (x, y) = point ?? centres[level] ?? (0, 0)
        return #"{"level":"\#(level)","anchor":{"sopInstanceUID":"\#(sop)","frame":0,"points":[[\#(x),\#(y)]]}}"#
    }

    static func error(_ body: ByteBuffer) -> [String: Any] {
        AnnotationRouteTests.json(body)["error"] as? [String: Any] ?? [:]
    }

    @Test func labelShowHistoryAndNearest() async throws {
        let fixture = try await ServerFixture()
        let study = try AnnotationRouteTests.study(fixture)
        let sop = try Self.midSagittal(fixture, study: study)
        try await fixture.server.application.test(.router) { client in
            let (cookie, csrf) = try await ServerFixture.signIn(client, "dr.okafor")
            let headers: HTTPFields = [
                .cookie: cookie, AnnotationRouteTests.csrf: csrf, .contentType: "application/json",
            ]
            try await client.execute(uri: "/api/studies/\(study)/discs", method: .get, headers: headers) { response in
                #expect(response.status == .ok)
                #expect(OpenAPISchemas.problems(response.body, schema: "DiscLabels") == nil)
                let json = AnnotationRouteTests.json(response.body)
                #expect(json["version"] == nil && json["next"] as? String == "L5-S1")
                #expect((json["labels"] as? [Any])?.isEmpty == true && json["basis"] as? String == "unknown")
            }
            let labels = ["L5-S1", "L4-L5", "L3-L4"].map { Self.label($0, sop: sop) }.joined(separator: ",")
            let put = ByteBuffer(
                string: #"{"basis":"from-sacrum","labels":[\#(labels)],"reason":"first read","expectedVersion":0}"#)
            try await client.execute(uri: "/api/studies/\(study)/discs", method: .put, headers: headers, body: put) {
                response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                #expect(OpenAPISchemas.problems(response.body, schema: "DiscLabels") == nil)
                let json = AnnotationRouteTests.json(response.body)
                #expect(json["version"] as? Int == 1 && json["author"] as? String == "dr.okafor")
                #expect(json["basis"] as? String == "from-sacrum" && json["next"] as? String == "L2-L3")
                let listed = json["labels"] as? [[String: Any]] ?? []
                #expect(listed.compactMap { $0["level"] as? String } == ["L3-L4", "L4-L5", "L5-S1"])
                let image = listed.first?["image"] as? [String: Any]
                #expect(image?["sopInstanceUID"] as? String == sop && image?["frame"] as? Int == 0)
                #expect((listed.first?["position"] as? [Double])?.count == 3)
            }
            // The click of issue 15, "L4-L5 at 300,270", is on the L3-L4 disc.
            let click = ByteBuffer(string: #"{"anchor":{"sopInstanceUID":"\#(sop)","points":[[300,270]]}}"#)
            try await client.execute(
                uri: "/api/studies/\(study)/discs/nearest", method: .post, headers: headers, body: click
            ) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                #expect(OpenAPISchemas.problems(response.body, schema: "NearestDisc") == nil)
                let json = AnnotationRouteTests.json(response.body)
                #expect(json["level"] as? String == "L3-L4" && json["labelsVersion"] as? Int == 1)
                #expect((json["runnerUp"] as? [String: Any])?["level"] as? String == "L4-L5")
                #expect((json["distanceMm"] as? Double).map { $0 > 25 && $0 < 45 } == true, "\(json)")
            }
            // A finding marked there as L4-L5 is refused, then accepted with the reason and listed with its warning.
            let finding =
                #"{"level":"L4-L5","kind":"hiz","fields":["present=yes"],"anchor":{"sopInstanceUID":"\#(sop)","points":[[300,270]]}"#
            try await client.execute(
                uri: "/api/studies/\(study)/annotations", method: .post, headers: headers,
                body: ByteBuffer(string: finding + "}")
            ) { response in
                #expect(response.status == .badRequest)
                let error = Self.error(response.body)
                #expect(error["code"] as? String == "level-nearer-other-disc" && error["field"] as? String == "level")
                #expect((error["message"] as? String)?.contains("from the labelled L3-L4 disc but") == true)
            }
            try await client.execute(
                uri: "/api/studies/\(study)/annotations", method: .post, headers: headers,
                body: ByteBuffer(string: finding + #","levelOutsideStudy":"read on the axial"}"#)
            ) { response in
                #expect(response.status == .created, "\(String(buffer: response.body))")
                let annotation = AnnotationRouteTests.json(response.body)["annotation"] as? [String: Any]
                let warning = annotation?["levelWarning"] as? [String: Any]
                #expect((warning?["override"] as? [String: Any])?["reason"] as? String == "read on the axial")
            }
            try await client.execute(
                uri: "/api/studies/\(study)/annotations", method: .post, headers: headers,
                body: ByteBuffer(
                    string: finding.replacingOccurrences(of: "\"points\"", with: "\"frme\":0,\"points\"") + "}")
            ) { response in
                #expect(response.status == .badRequest)
                #expect(Self.error(response.body)["field"] as? String == "anchor.frme")
            }
            try await client.execute(uri: "/api/studies/\(study)/discs/history", method: .get, headers: headers) {
                response in
                #expect(OpenAPISchemas.problems(response.body, schema: "DiscLabelHistory") == nil)
                let versions = AnnotationRouteTests.json(response.body)["versions"] as? [[String: Any]]
                #expect(versions?.map { $0["version"] as? Int } == [1])
                #expect(versions?.first?["reason"] as? String == "first read")
            }
            try await client.execute(uri: "/api/studies/\(study)/discs", method: .put, headers: headers, body: put) {
                response in
                #expect(response.status == .conflict)
                #expect(OpenAPISchemas.problems(response.body, schema: "Error") == nil)
                #expect(Self.error(response.body)["code"] as? String == "version-changed")
            }

            let (reader, readerCSRF) = try await ServerFixture.signIn(client, "reader")
            let readerHeaders: HTTPFields = [
                .cookie: reader, AnnotationRouteTests.csrf: readerCSRF, .contentType: "application/json",
            ]
            try await client.execute(uri: "/api/studies/\(study)/discs", method: .get, headers: readerHeaders) {
                #expect($0.status == .ok)
            }
            try await client.execute(
                uri: "/api/studies/\(study)/discs/nearest", method: .post, headers: readerHeaders, body: click
            ) { #expect($0.status == .ok) }
            try await client.execute(
                uri: "/api/studies/\(study)/discs", method: .put, headers: readerHeaders, body: put
            ) { #expect($0.status == .forbidden) }
        }
    }

    @Test func refusalsNameTheField() async throws {
        let fixture = try await ServerFixture()
        let study = try AnnotationRouteTests.study(fixture)
        let sop = try Self.midSagittal(fixture, study: study)
        try await fixture.server.application.test(.router) { client in
            let (cookie, csrf) = try await ServerFixture.signIn(client, "dr.okafor")
            let headers: HTTPFields = [
                .cookie: cookie, AnnotationRouteTests.csrf: csrf, .contentType: "application/json",
            ]
            let l5s1 = Self.label("L5-S1", sop: sop)
            let cases: [(body: String, code: String, field: String?)] = [
                (
                    #"{"labels":[\#(l5s1),\#(Self.label("L5-S1", sop: sop, at: (247, 351)))]}"#, "duplicate-level",
                    "labels[1].level"
                ),
                (
                    #"{"labels":[{"level":"L5-S1","anchor":{"sopInstanceUID":"\#(sop)","frme":0,"points":[[1,2]]}}]}"#,
                    "unknown-field", "labels[0].anchor.frme"
                ),
                (
                    #"{"labels":[{"level":"L5-S1","anchor":{"sopInstanceUID":"\#(sop)","points":[[1,2,3]]}}]}"#,
                    "bad-anchor", nil
                ),
                (
                    #"{"labels":[{"level":"L5-S1","anchor":{"sopInstanceUID":"\#(sop)","frame":-1,"points":[[1,2]]}}]}"#,
                    "bad-anchor", nil
                ),
                (
                    #"{"labels":[{"level":"L5-S1","anchor":{"sopInstanceUID":"\#(sop)","frame":3,"points":[[1,2]]}}]}"#,
                    "invalid-frame", "labels[0].anchor.frame"
                ),
                (#"{"labels":[{"level":"L5-S1"}]}"#, "missing-field", "labels[0].anchor"),
                (
                    #"{"labels":[{"level":"L4-L6","anchor":{"sopInstanceUID":"\#(sop)","points":[[1,2]]}}]}"#,
                    "unknown-level", "labels[0].level"
                ),
                (#"{"basis":"from-sacrun","labels":[]}"#, "bad-value", "basis"),
                (#"{"labels":[],"colour":"red"}"#, "unknown-field", "colour"),
            ]
            for test in cases {
                try await client.execute(
                    uri: "/api/studies/\(study)/discs", method: .put, headers: headers,
                    body: ByteBuffer(string: test.body)
                ) { response in
                    #expect(response.status == .badRequest, "\(test.body)")
                    let error = Self.error(response.body)
                    #expect(error["code"] as? String == test.code, "\(test.body): \(error)")
                    #expect(error["field"] as? String == test.field, "\(test.body): \(error)")
                }
            }
            let click = ByteBuffer(string: #"{"anchor":{"sopInstanceUID":"\#(sop)","points":[[300,270]]}}"#)
            try await client.execute(
                uri: "/api/studies/\(study)/discs/nearest", method: .post, headers: headers, body: click
            ) { response in
                #expect(response.status == .conflict)
                #expect(Self.error(response.body)["code"] as? String == "no-disc-labels")
            }
            try await client.execute(uri: "/api/studies/\(study)/discs/history", method: .get, headers: headers) {
                #expect((AnnotationRouteTests.json($0.body)["versions"] as? [Any])?.isEmpty == true)
            }
        }
    }
}
