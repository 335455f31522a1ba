import AnnulusApp
import AnnulusServer
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

/// STOW-RS against the real server and receive pipeline: per-part verdicts in DICOM JSON, the HTTP status they
/// make, refusals of bad requests with nothing left staged, limits.
@Suite struct DICOMwebStoreTests {
    static let boundary = "b0undary-1234"
    static let contentType = "multipart/related; type=\"application/dicom\"; boundary=\"\(boundary)\""

    static func body(_ parts: [(type: String, bytes: [UInt8])]) -> ByteBuffer {
        var out = ByteBuffer()
        for part in parts {
            out.writeString("\r\n--\(boundary)\r\nContent-Type: \(part.type)\r\n\r\n")
            out.writeBytes(part.bytes)
        }
        out.writeString("\r\n--\(boundary)--\r\n")
        return out
    }

    static func object(_ body: ByteBuffer) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: body)) as? [String: Any])
    }

    static func items(_ object: [String: Any], _ tag: String) -> [[String: Any]] {
        (object[tag] as? [String: Any])?["Value"] as? [[String: Any]] ?? []
    }

    static func value(_ object: [String: Any], _ tag: String) -> Any? {
        ((object[tag] as? [String: Any])?["Value"] as? [Any])?.first
    }

    /// Files left in the staging folder.
    static func staged(_ fixture: ServerFixture) -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: fixture.dataFolder.path + "/received")) ?? []
    }

    @Test func storesPartsAndAnswersEachWithItsStatus() async throws {
        let fixture = try await ServerFixture()
        let bearer = "Bearer \(fixture.token)"
        let (studyUID, instanceUID) = try fixture.sampleInstance()
        let record = try #require(try fixture.store.instance(sopInstanceUID: instanceUID))
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: record.path)))
        let garbage = Array("DICM? no: this is not a DICOM file at all".utf8)
        try await fixture.server.application.test(.router) { client in
            try await client.execute(
                uri: "/dicomweb/studies", method: .post,
                headers: [.authorization: bearer, .contentType: Self.contentType, .accept: "*/*"],
                body: Self.body([("application/dicom", bytes)])
            ) { response in
                #expect(response.status == .ok, "\(String(buffer: response.body))")
                #expect(response.headers[.contentType] == "application/dicom+json")
                let answer = try Self.object(response.body)
                let studyURL = Self.value(answer, "00081190") as? String
                #expect(studyURL?.hasSuffix("/dicomweb/studies/\(studyUID)") == true)
                let referenced = Self.items(answer, "00081199")
                #expect(referenced.count == 1 && Self.value(referenced[0], "00081155") as? String == instanceUID)
                #expect(Self.value(referenced[0], "00081150") as? String == record.sopClassUID)
                let url = Self.value(referenced[0], "00081190") as? String
                let path = "/dicomweb/studies/\(studyUID)/series/\(record.seriesInstanceUID)/instances/\(instanceUID)"
                #expect(url?.hasSuffix(path) == true)
                #expect(answer["00081198"] == nil)
            }
            try await client.execute(
                uri: "/dicomweb/studies", method: .post,
                headers: [.authorization: bearer, .contentType: Self.contentType],
                body: Self.body([("application/dicom", bytes), ("application/dicom", garbage), ("text/plain", [1])])
            ) { response in
                #expect(response.status == .accepted)
                let answer = try Self.object(response.body)
                #expect(Self.items(answer, "00081199").count == 1)
                let failed = Self.items(answer, "00081198")
                #expect(failed.map { Self.value($0, "00081197") as? Int } == [0xC000, 0xC000])
            }
            try await client.execute(
                uri: "/dicomweb/studies/1.2.3.4", method: .post,
                headers: [.authorization: bearer, .contentType: Self.contentType],
                body: Self.body([("application/dicom", bytes)])
            ) { response in
                #expect(response.status == .conflict)
                let failed = Self.items(try Self.object(response.body), "00081198")
                #expect(failed.count == 1 && Self.value(failed[0], "00081197") as? Int == 0xA900)
                #expect(Self.value(failed[0], "00081155") as? String == instanceUID)
            }
        }
        #expect(Self.staged(fixture).filter { !$0.hasPrefix(".") }.isEmpty, "\(Self.staged(fixture))")
        let rows = try fixture.auditRows().filter { $0.action == "POST /dicomweb/studies" }
        #expect(rows.map(\.statusCode) == [200, 202])
    }

    @Test func refusesBadRequestsAndLeavesNothingStaged() async throws {
        let fixture = try await ServerFixture { $0.stowMaximumPartBytes = 1000 }
        let bearer = "Bearer \(fixture.token)"
        let small = Self.body([("application/dicom", [UInt8](repeating: 1, count: 10))])
        try await fixture.server.application.test(.router) { client in
            for (type, status) in [
                ("application/dicom", HTTPResponse.Status.unsupportedMediaType),
                ("multipart/related; type=\"application/dicom+json\"; boundary=x", .unsupportedMediaType),
                ("multipart/related; type=\"application/dicom\"", .badRequest),
            ] {
                try await client.execute(
                    uri: "/dicomweb/studies", method: .post, headers: [.authorization: bearer, .contentType: type],
                    body: small
                ) { #expect($0.status == status, "\(type)") }
            }
            var truncated = Self.body([("application/dicom", [UInt8](repeating: 1, count: 500))])
            truncated.moveWriterIndex(to: truncated.writerIndex - 10)
            try await client.execute(
                uri: "/dicomweb/studies", method: .post,
                headers: [.authorization: bearer, .contentType: Self.contentType],
                body: truncated
            ) { #expect($0.status == .badRequest) }
            try await client.execute(
                uri: "/dicomweb/studies", method: .post,
                headers: [.authorization: bearer, .contentType: Self.contentType],
                body: Self.body([("application/dicom", [UInt8](repeating: 1, count: 5000))])
            ) { #expect($0.status == .contentTooLarge) }
            try await client.execute(
                uri: "/dicomweb/studies", method: .post, headers: [.contentType: Self.contentType], body: small
            ) { #expect($0.status == .unauthorized) }
            let (cookie, csrf) = try await ServerFixture.signIn(client, "reader")
            try await client.execute(
                uri: "/dicomweb/studies", method: .post,
                headers: [
                    .cookie: cookie, HTTPField.Name("X-Annulus-CSRF")!: csrf, .contentType: Self.contentType,
                ], body: small
            ) { #expect($0.status == .forbidden) }
        }
        #expect(Self.staged(fixture).filter { !$0.hasPrefix(".") }.isEmpty, "\(Self.staged(fixture))")
    }
}
