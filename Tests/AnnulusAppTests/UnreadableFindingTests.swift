import AnnulusApp
import AnnulusRecords
import Candidacy
import Foundation
import Testing

/// A stored finding whose payload cannot be read as a finding (another program wrote it, or a vocabulary this
/// version does not know) is never silently skipped: triage names it and does not count it, and export carries it
/// with the reason, the two reporting the same finding.
@Suite("Use cases: triage and export agree on a stored finding that cannot be read")
struct UnreadableFindingTests {
    /// A signed finding at L4-L5 of the sample MR whose payload is JSON but not a finding.
    static func unreadable(_ fixture: AppFixture) async throws -> AnnotationVersion {
        let study = try fixture.store.resolveStudy("ACC-MR-0001")
        let draft = try fixture.store.add(
            NewAnnotation(
                studyUID: study.studyInstanceUID, level: "L4-L5", findingKind: "annular-fissure",
                payload: Data(#"{"level": "L4-L5", "finding": {"kind": "tear-of-the-future"}}"#.utf8)),
            author: "another program")
        return try #require(try fixture.store.sign(ids: [draft.annotationID], signer: "dr.okafor").first)
    }

    @Test("triage names it in its notes and does not count it; the worklist lists it beside the patient")
    func triageReportsIt() async throws {
        let fixture = try await AppFixture()
        let readable = try await fixture.add("ACC-MR-0001", "L5-S1", "pfirrmann", ["grade=II"])
        _ = try await fixture.useCases.sign([readable.annotationID], by: AppFixture.clinician)
        let broken = try await Self.unreadable(fixture)

        let report = try await fixture.useCases.triage(study: "ACC-MR-0001", includeDrafts: false, by: .watcher)
        let unreadable = try #require(report.unreadable.first)
        #expect(report.unreadable.count == 1)
        #expect(unreadable.annotationID == broken.annotationID && unreadable.version == 2)
        #expect(unreadable.level == "L4-L5" && unreadable.study == "ACC-MR-0001" && !unreadable.problem.isEmpty)
        #expect(report.evaluation.levels.map(\.level) == [.L5S1], "the unreadable finding's level is not counted")
        let note = try #require(report.evaluation.notes.first { $0.contains(String(broken.annotationID.prefix(8))) })
        #expect(note.contains("cannot be read and is not counted") && note.contains("L4-L5 annular-fissure"))
        #expect(report.evaluation.explanation().contains("NOTE: " + note), "the text form (triage) says it too")
        let encoded = String(decoding: try JSONEncoder().encode(report.evaluation), as: UTF8.self)
        #expect(encoded.contains("cannot be read and is not counted"), "and the JSON (triage --json)")

        let worklist = try await fixture.useCases.worklist(by: .watcher)
        let entry = try #require(worklist.first { $0.accessions.contains("ACC-MR-0001") })
        #expect(entry.unreadableFindings == ["\(broken.annotationID.prefix(8)) L4-L5 annular-fissure (ACC-MR-0001)"])
    }

    @Test("export carries the same finding with its problem, and the same note in the evaluation it exports")
    func exportReportsIt() async throws {
        let fixture = try await AppFixture()
        let broken = try await Self.unreadable(fixture)
        let triage = try await fixture.useCases.triage(study: "ACC-MR-0001", includeDrafts: false, by: .watcher)
        let document = try await fixture.useCases.export(
            ExportRequest(study: "ACC-MR-0001", format: .findings), by: AppFixture.clinician)
        let object = try #require(try JSONSerialization.jsonObject(with: document.data) as? [String: Any])
        let findings = (object["annotations"] as? [[String: Any]]) ?? []
        let exported = try #require(findings.first { $0["annotationID"] as? String == broken.annotationID })
        #expect(exported["findingProblem"] as? String == triage.unreadable.first?.problem)
        let evaluation = object["triage"] as? [String: Any]
        #expect((evaluation?["notes"] as? [String])?.contains(try #require(triage.unreadable.first?.note)) == true)
    }
}
