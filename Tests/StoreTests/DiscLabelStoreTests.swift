import AnnulusRecords
import Foundation
import Testing

@testable import Store

@Suite("Disc label versions")
struct DiscLabelStoreTests {
    /// A recorded version (the test fails when the store reports a changed version instead).
    private func recorded(_ outcome: DiscLabelRecording) throws -> DiscLabelVersion {
        guard case .recorded(let version) = outcome else {
            Issue.record("expected a recorded version, got \(outcome)")
            throw StoreError.authorRequired
        }
        return version
    }

    @Test("each change is a new version of the study's whole set, with its basis, author, reason and time")
    func versions() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            #expect(try store.latestDiscLabels(studyUID: study) == nil)
            #expect(try store.discLabelHistory(studyUID: study).isEmpty)
            let first = try recorded(
                store.recordDiscLabels(
                    studyUID: study, basis: "from-sacrum", payload: Data(#"{"labels":[1]}"#.utf8), author: " dr.a ",
                    reason: " first read "))
            #expect(first.version == 1 && first.author == "dr.a" && first.reason == "first read")
            #expect(first.basis == "from-sacrum" && first.studyUID == study && first.createdAt.hasSuffix("Z"))
            let second = try recorded(
                store.recordDiscLabels(
                    studyUID: study, basis: "unknown", payload: Data(#"{"labels":[2]}"#.utf8), author: "dr.b",
                    reason: "  ", expectedVersion: 1))
            #expect(second.version == 2 && second.reason == nil)
            #expect(try store.latestDiscLabels(studyUID: study) == second)
            #expect(try store.discLabelHistory(studyUID: study) == [first, second])
            #expect(
                String(decoding: try #require(try store.latestDiscLabels(studyUID: study)).payload, as: UTF8.self)
                    == #"{"labels":[2]}"#)
        }
    }

    @Test("a set based on a version that is no longer the latest is not written")
    func versionChanged() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            let payload = Data(#"{"labels":[]}"#.utf8)
            #expect(
                try store.recordDiscLabels(
                    studyUID: study, basis: "unknown", payload: payload, author: "dr.a", reason: nil,
                    expectedVersion: 3) == .versionChanged(expected: 3, latest: nil))
            let first = try recorded(
                store.recordDiscLabels(
                    studyUID: study, basis: "unknown", payload: payload, author: "dr.a", reason: nil,
                    expectedVersion: 0))
            #expect(
                try store.recordDiscLabels(
                    studyUID: study, basis: "unknown", payload: payload, author: "dr.b", reason: nil,
                    expectedVersion: 0) == .versionChanged(expected: 0, latest: first))
            #expect(try store.discLabelHistory(studyUID: study).count == 1)
        }
    }

    @Test("refused: an unknown study, no author, a payload that is not JSON")
    func refusals() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            #expect(throws: StoreError.unknownStudy(reference: "9.9.9")) {
                try store.recordDiscLabels(
                    studyUID: "9.9.9", basis: "unknown", payload: Data("{}".utf8), author: "dr.a", reason: nil)
            }
            #expect(throws: StoreError.authorRequired) {
                try store.recordDiscLabels(
                    studyUID: study, basis: "unknown", payload: Data("{}".utf8), author: " ", reason: nil)
            }
            #expect(throws: StoreError.self) {
                try store.recordDiscLabels(
                    studyUID: study, basis: "unknown", payload: Data("{".utf8), author: "dr.a", reason: nil)
            }
            #expect(try store.discLabelHistory(studyUID: study).isEmpty)
        }
    }

    @Test("the database refuses UPDATE, DELETE, REPLACE and a skipped version, whoever writes")
    func appendOnly() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            _ = try recorded(
                store.recordDiscLabels(
                    studyUID: study, basis: "unknown", payload: Data("{}".utf8), author: "dr.a", reason: nil))
            for sql in [
                "UPDATE disc_label_versions SET author = 'x'", "DELETE FROM disc_label_versions",
                "INSERT OR REPLACE INTO disc_label_versions SELECT * FROM disc_label_versions",
                """
                INSERT INTO disc_label_versions (study_uid, version, basis, payload, author, created_at)
                VALUES ('\(study)', 3, 'unknown', '{}', 'dr.x', '2026-01-05T10:00:00.000Z')
                """,
            ] {
                let error = #expect(throws: StoreError.self, "\(sql)") { try store.executeRawSQL(sql) }
                #expect(
                    error?.description.contains("disc_label_versions is append-only") == true
                        || error?.description.contains("without gaps") == true, "\(String(describing: error))")
            }
            #expect(try store.discLabelHistory(studyUID: study).map(\.author) == ["dr.a"])
        }
    }
}
