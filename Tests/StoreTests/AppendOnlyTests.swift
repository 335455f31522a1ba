import AnnulusRecords
import Foundation
import Testing

@testable import Store

@Suite("Append-only enforcement in the database")
struct AppendOnlyTests {
    private func annotated(_ store: AnnulusStore) throws -> AnnotationVersion {
        let study = try Fixture.ingestStudy(store)
        let v1 = try store.add(
            NewAnnotation(studyUID: study, level: "L4-L5", findingKind: "fissure", payload: Fixture.payload(2)),
            author: "dr.a", reason: nil)
        return try store.sign(id: v1.annotationID, signer: "dr.b")
    }

    @Test("A raw SQL UPDATE of a version fails and changes nothing")
    func updateRefused() async throws {
        try await withStore { store, _ in
            let signed = try annotated(store)
            let error = #expect(throws: StoreError.self) {
                try store.executeRawSQL("UPDATE annotation_versions SET payload = '{\"grade\":5}'")
            }
            #expect(error?.description.contains("append-only") == true)
            #expect(throws: StoreError.self) {
                try store.executeRawSQL("UPDATE annotation_versions SET status = 'draft' WHERE version = 2")
            }
            #expect(try store.latest(id: signed.annotationID) == signed)
        }
    }

    @Test("A raw SQL DELETE of a version fails and removes nothing")
    func deleteRefused() async throws {
        try await withStore { store, _ in
            let signed = try annotated(store)
            let error = #expect(throws: StoreError.self) {
                try store.executeRawSQL("DELETE FROM annotation_versions")
            }
            #expect(error?.description.contains("append-only") == true)
            #expect(throws: StoreError.self) {
                try store.executeRawSQL("INSERT OR REPLACE INTO annotation_versions SELECT * FROM annotation_versions")
            }
            #expect(try store.history(id: signed.annotationID).count == 2)
        }
    }

    @Test("Inserts that skip a version or follow a retraction are refused by the database")
    func insertRules() async throws {
        try await withStore { store, _ in
            let signed = try annotated(store)
            func insert(version: Int) throws {
                try store.executeRawSQL(
                    """
                    INSERT INTO annotation_versions (annotation_id, version, study_uid, level, finding_kind, payload,
                        status, author, created_at)
                    VALUES ('\(signed.annotationID)', \(version), '\(signed.studyUID)', 'L4-L5', 'fissure', '{}',
                        'draft', 'dr.x', '2026-01-05T10:00:00.000Z')
                    """)
            }
            #expect(throws: StoreError.self) { try insert(version: 4) }
            #expect(throws: StoreError.self) { try insert(version: 2) }
            _ = try store.retract(id: signed.annotationID, author: "dr.a", reason: "test")
            #expect(throws: StoreError.self) { try insert(version: 4) }
            #expect(try store.history(id: signed.annotationID).map(\.version) == [1, 2, 3])
        }
    }
}

@Suite("Intake versions")
struct IntakeVersionTests {
    @Test("intake is versioned per patient, append-only, visible from every study of the patient")
    func intakeHistory() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            #expect(try store.latestIntake(studyUID: study) == nil)
            let first = try store.recordIntake(
                studyUID: study, payload: Data(#"{"age":45}"#.utf8), author: "dr.a", reason: "first visit")
            let second = try store.recordIntake(
                studyUID: study, payload: Data(#"{"age":46}"#.utf8), author: "dr.b", reason: nil)
            #expect(first.version == 1 && second.version == 2)
            let history = try store.intakeHistory(studyUID: study)
            #expect(history.map(\.version) == [1, 2])
            #expect(history.map(\.author) == ["dr.a", "dr.b"])
            let latest = try #require(try store.latestIntake(studyUID: study))
            #expect(String(decoding: latest.payload, as: UTF8.self) == #"{"age":46}"#)
            #expect(throws: StoreError.self) {
                try store.recordIntake(studyUID: study, payload: Data("{}".utf8), author: " ", reason: nil)
            }
            #expect(throws: StoreError.self) {
                try store.recordIntake(studyUID: "9.9.9", payload: Data("{}".utf8), author: "dr.a", reason: nil)
            }
            #expect(throws: (any Error).self) { try store.executeRawSQL("UPDATE intake_versions SET author = 'x'") }
            #expect(throws: (any Error).self) { try store.executeRawSQL("DELETE FROM intake_versions") }
        }
    }
}
