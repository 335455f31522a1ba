import Findings
import Foundation
import Testing

@Suite("Native findings document")
struct FindingsDocumentTests {
    @Test("signed export: every annotation, the triage with its rule-set version and reasons, the provenance")
    func signed() throws {
        let data = FindingsDocument.build(Fixture.signedInput)
        #expect(data == FindingsDocument.build(Fixture.signedInput))
        let document = BundleJSON.object(data)
        #expect(document["schemaVersion"] as? String == FindingsDocument.schemaVersion)
        #expect(document["status"] as? String == "final")
        #expect((document["patient"] as? [String: Any])?["patientID"] as? String == "PAT-0001")
        #expect((document["series"] as? [Any])?.count == 2)
        let annotations = try #require(document["annotations"] as? [[String: Any]])
        #expect(annotations.count == 3)
        #expect(annotations.allSatisfy { $0["status"] as? String == "signed" && $0["signedBy"] != nil })
        let triage = try #require(document["triage"] as? [String: Any])
        #expect(triage["ruleSetVersion"] as? String == Fixture.signedInput.evaluation?.ruleSetVersion)
        #expect((triage["patientReasons"] as? [Any])?.isEmpty == false)
        let provenance = try #require(document["provenance"] as? [String: Any])
        #expect(provenance["softwareVersion"] as? String == "0.9.0")
        #expect(provenance["exportedAt"] as? String == "2026-03-08T12:00:00.000Z")
        #expect(provenance["signers"] as? [String] == ["dr.okafor", "dr.rivera"])
        #expect(!String(decoding: data, as: UTF8.self).contains("Doe"))
    }

    @Test("drafts are marked and make the document preliminary")
    func drafts() throws {
        let document = BundleJSON.object(FindingsDocument.build(Fixture.draftInput))
        #expect(document["status"] as? String == "preliminary")
        #expect(document["includesDrafts"] as? Bool == true)
        let annotations = try #require(document["annotations"] as? [[String: Any]])
        let draft = try #require(
            annotations.first { $0["annotationID"] as? String == Fixture.draftAnnotation.annotationID })
        #expect(draft["status"] as? String == "draft")
        #expect(draft["isDraft"] as? Bool == true)
        #expect((draft["finding"] as? [String: Any])?["levelUncertain"] as? Bool == true)
    }
}
