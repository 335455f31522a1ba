import AnnulusApp
import AnnulusServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// QIDO-RS and WADO-RS against the real server over SampleStudies, with the integrator's API token.
@Suite struct DICOMwebRouteTests {
    static func array(_ body: ByteBuffer) throws -> [[String: Any]] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [[String: Any]])
    }

    static func value(_ object: [String: Any], _ tag: String) -> Any? {
        ((object[tag] as? [String: Any])?["Value"] as? [Any])?.first
    }

    /// The parts of a multipart/related response (boundary from its Content-Type).
    static func parts(_ response: TestResponse) throws -> [(headers: [String: String], body: [UInt8])] {
        let type = try #require(response.headers[.contentType])
        let boundary = try #require(MultipartRelatedParser.boundary(ofContentType: type))
        var parser = try MultipartRelatedParser(boundary: boundary)
        var parts: [(headers: [String: String], body: [UInt8])] = []
        for event in try parser.feed(Array(buffer: response.body)) {
            switch event {
            case .partBegins(let headers):
                parts.append((Dictionary(headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }), []))
            case .data(let bytes): parts[parts.count - 1].body += bytes
            case .partEnds: break
            }
        }
        try parser.finish()
        return parts
    }

    @Test func searchesAnswerDICOMJSONWithPagingAndRefuseBadQueries() async throws {
        let fixture = try await ServerFixture()
        let bearer = "Bearer \(fixture.token)"
        let studies = try fixture.store.studies()
        try await fixture.server.application.test(.router) { client in
            try await client.execute(
                uri: "/dicomweb/studies", method: .get,
                headers: [.authorization: bearer, .accept: "application/dicom+json, application/json"]
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/dicom+json")
                #expect(response.headers[HTTPField.Name("Warning")!] == nil)
                let objects = try Self.array(response.body)
                #expect(objects.count == studies.count)
                let uids = objects.compactMap { Self.value($0, "0020000D") as? String }
                #expect(uids == studies.map(\.studyInstanceUID))
                let first = try #require(objects.first)
                #expect(Self.value(first, "00201208") as? Int == studies[0].instanceCount)
                let url = Self.value(first, "00081190") as? String
                #expect(url?.hasSuffix("/dicomweb/studies/\(studies[0].studyInstanceUID)") == true)
            }
            var seen: [String] = []
            for offset in 0...studies.count {
                try await client.execute(
                    uri: "/dicomweb/studies?limit=1&offset=\(offset)", method: .get, headers: [.authorization: bearer]
                ) { response in
                    let objects = try Self.array(response.body)
                    #expect(objects.count == (offset < studies.count ? 1 : 0))
                    let warned = response.headers[HTTPField.Name("Warning")!]
                    #expect((warned?.hasPrefix("299 ") == true) == (offset < studies.count - 1), "offset \(offset)")
                    seen += objects.compactMap { Self.value($0, "0020000D") as? String }
                }
            }
            #expect(seen == studies.map(\.studyInstanceUID))
            let patient = studies[0].patientID
            try await client.execute(
                uri: "/dicomweb/studies?00100020=\(patient)&includefield=StudyDescription", method: .get,
                headers: [.authorization: bearer]
            ) { response in
                let objects = try Self.array(response.body)
                #expect(objects.count == studies.filter { $0.patientID == patient }.count)
                #expect(objects.allSatisfy { $0["00081030"] != nil })
            }
            for (query, status) in [
                ("patientid=X", HTTPResponse.Status.badRequest), ("StudyDate=2024", .badRequest),
                ("ReferringPhysicianName=X", .badRequest), ("limit=0", .badRequest), ("PatientID=%zz", .badRequest),
            ] {
                try await client.execute(
                    uri: "/dicomweb/studies?\(query)", method: .get, headers: [.authorization: bearer]
                ) { response in
                    #expect(response.status == status, "\(query)")
                    #expect(String(buffer: response.body).contains("\"code\""))
                }
            }
            try await client.execute(
                uri: "/dicomweb/studies", method: .get, headers: [.authorization: bearer, .accept: "text/html"]
            ) { #expect($0.status == .notAcceptable) }
            try await client.execute(uri: "/dicomweb/studies", method: .get) { #expect($0.status == .unauthorized) }
            let multi = try #require(studies.first { $0.instanceCount >= 2 })
            let study = multi.studyInstanceUID
            try await client.execute(
                uri: "/dicomweb/studies/\(study)/series?Modality=\(multi.modalities[0])", method: .get,
                headers: [.authorization: bearer]
            ) { response in
                let objects = try Self.array(response.body)
                #expect(objects.count >= 1)
            }
            try await client.execute(
                uri: "/dicomweb/studies/\(study)/instances?limit=2", method: .get, headers: [.authorization: bearer]
            ) { response in
                let objects = try Self.array(response.body)
                #expect(objects.count == 2 && objects.allSatisfy { Self.value($0, "00080018") != nil })
            }
        }
        let rows = try fixture.auditRows().filter { $0.action == "GET /dicomweb/studies" }
        #expect(rows.contains { $0.actor == "ehr" && $0.statusCode == 200 })
        #expect(rows.contains { $0.actor == "ehr" && $0.statusCode == 400 })
    }

    @Test func retrieveStreamsStoredBytesAndMetadataIsDICOMJSONWithBulkData() async throws {
        let fixture = try await ServerFixture()
        let bearer = "Bearer \(fixture.token)"
        let (studyUID, instanceUID) = try fixture.sampleInstance()
        let record = try #require(try fixture.store.instance(sopInstanceUID: instanceUID))
        let seriesUID = record.seriesInstanceUID
        let instancePath = "/dicomweb/studies/\(studyUID)/series/\(seriesUID)/instances/\(instanceUID)"
        let seriesCount = try fixture.store.instances(ofSeries: seriesUID).count
        let studyCount = try fixture.store.series(ofStudy: studyUID).reduce(0) { $0 + $1.instanceCount }
        try await fixture.server.application.test(.router) { client in
            try await client.execute(
                uri: instancePath, method: .get,
                headers: [
                    .authorization: bearer, .accept: "multipart/related; type=\"application/dicom\"; transfer-syntax=*",
                ]
            ) { response in
                #expect(response.status == .ok)
                let parts = try Self.parts(response)
                #expect(parts.count == 1)
                #expect(parts.first?.headers["content-type"] == "application/dicom")
                let stored = Array(try Data(contentsOf: URL(fileURLWithPath: record.path)))
                #expect(parts.first?.body == stored)
            }
            try await client.execute(
                uri: "/dicomweb/studies/\(studyUID)/series/\(seriesUID)", method: .get,
                headers: [.authorization: bearer]
            ) { response in
                let parts = try Self.parts(response)
                #expect(parts.count == seriesCount)
            }
            try await client.execute(
                uri: instancePath, method: .get, headers: [.authorization: bearer, .accept: "application/json"]
            ) { #expect($0.status == .notAcceptable) }
            try await client.execute(
                uri: "/dicomweb/studies/\(studyUID)/series/1.2.3/instances/\(instanceUID)", method: .get,
                headers: [.authorization: bearer]
            ) { #expect($0.status == .notFound) }
            try await client.execute(
                uri: instancePath + "/metadata", method: .get, headers: [.authorization: bearer]
            ) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                #expect(response.headers[.contentType] == "application/dicom+json")
                let objects = try Self.array(response.body)
                let object = try #require(objects.first)
                #expect(Self.value(object, "00080018") as? String == instanceUID)
                let pixels = try #require(object["7FE00010"] as? [String: Any])
                #expect((pixels["BulkDataURI"] as? String)?.hasSuffix(instancePath + "/bulkdata/7FE00010") == true)
                #expect(pixels["InlineBinary"] == nil)
                #expect(object["00020010"] == nil, "no file meta information")
                let name = Self.value(object, "00100010") as? [String: Any]
                #expect(name?["Alphabetic"] is String)
            }
            try await client.execute(
                uri: "/dicomweb/studies/\(studyUID)/metadata", method: .get, headers: [.authorization: bearer]
            ) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                let objects = try Self.array(response.body)
                #expect(objects.count == studyCount)
            }
            try await client.execute(
                uri: instancePath + "/rendered?window=1600,3200,linear", method: .get,
                headers: [.authorization: bearer, .accept: "image/png"]
            ) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "image/png")
                #expect(Array(buffer: response.body).prefix(8) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            }
            try await client.execute(
                uri: instancePath + "/frames/1/rendered", method: .get, headers: [.authorization: bearer]
            ) { #expect($0.status == .ok) }
            for bad in [
                "/frames/0/rendered", "/frames/9/rendered", "/rendered?window=1,2,sigmoid", "/rendered?viewport=1",
            ] {
                try await client.execute(uri: instancePath + bad, method: .get, headers: [.authorization: bearer]) {
                    #expect($0.status == .badRequest, "\(bad)")
                }
            }
        }
    }
}
