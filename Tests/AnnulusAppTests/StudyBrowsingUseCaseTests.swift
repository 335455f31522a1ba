import AnnulusApp
import AnnulusRecords
import Foundation
import Store
import Testing

@Suite("Study search and detail")
struct StudyBrowsingUseCaseTests {
    static let reader = Principal.cliUser("reader")

    /// Indexes a one-instance study.
    private func indexStudy(_ store: AnnulusStore, study: String, date: String, accession: String, seed: Int) throws {
        let hex = String(seed, radix: 16)
        _ = try store.ingest(
            InstanceRecord(
                sopInstanceUID: study + ".1.1", sopClassUID: "1.2.840.10008.5.1.4.1.1.4", studyInstanceUID: study,
                seriesInstanceUID: study + ".1", patientID: "SYNTH-0001", patientName: "Phantom^Lumbar",
                studyDate: date, studyTime: "101500", accessionNumber: accession, modality: "MR", rows: 64,
                columns: 64, path: "/exports/\(seed).dcm", fileSize: 1024,
                contentSHA256: String(repeating: "0", count: 64 - hex.count) + hex))
    }

    /// Every page from the first, following nextCursor; the cursors given out.
    private func allPages(_ app: UseCases, _ query: StudyQuery) async throws -> (
        studies: [StudySummary], cursors: [String]
    ) {
        var query = query
        var studies: [StudySummary] = []
        var cursors: [String] = []
        while true {
            let page = try await app.searchStudies(query, by: Self.reader)
            studies += page.studies
            guard let next = page.nextCursor, cursors.count < 1000 else { return (studies, cursors) }
            cursors.append(next)
            query.cursor = next
        }
    }

    @Test("pages follow nextCursor (a study key) through every match, in the order studies() lists")
    func cursorPaging() async throws {
        let fixture = try await AppFixture(ingest: false)
        for index in 1...25 {
            try indexStudy(
                fixture.store, study: "1.2.826.0.1.3680043.99.\(index)", date: "2024030\(index % 4)",
                accession: "A\(index)", seed: index)
        }
        let all = try fixture.store.studies()
        let paged = try await allPages(fixture.useCases, StudyQuery(limit: 7))
        #expect(paged.studies == all)
        #expect(paged.cursors.count == 3)
        #expect(paged.cursors.allSatisfy { $0.hasPrefix("k") && $0.utf8.count <= StudyQuery.maximumCursorLength })
        #expect(paged.cursors.allSatisfy { !$0.contains("1.2.826") }, "opaque")
        let page = try await fixture.useCases.searchStudies(StudyQuery(limit: 7), by: Self.reader)
        #expect(page.total == 25)
        // A cursor of the older form, a count of studies to skip, is still taken.
        let skipping = try await fixture.useCases.searchStudies(StudyQuery(limit: 7, cursor: "o7"), by: Self.reader)
        #expect(skipping.studies == Array(all[7..<14]))
        let filtered = try await allPages(fixture.useCases, StudyQuery(dateFrom: "20240302", limit: 3))
        #expect(filtered.studies == all.filter { ($0.studyDate ?? "") >= "20240302" })
    }

    @Test("a cursor not made here is refused as bad-cursor")
    func badCursors() async throws {
        let fixture = try await AppFixture(ingest: false)
        try indexStudy(fixture.store, study: "1.2.3", date: "20240101", accession: "A", seed: 1)
        let twoParts = "k" + Data("20240101\u{1F}1.2.3".utf8).base64EncodedString()
        for cursor in ["zz", "", "k", "k!!", "k====", twoParts, "o-1", "o", "ozzzzzzzzzzzzz", "x" + twoParts] {
            let error = await #expect(throws: AppError.self, "\(cursor)") {
                _ = try await fixture.useCases.searchStudies(StudyQuery(cursor: cursor), by: Self.reader)
            }
            #expect(error?.code == "bad-cursor", "\(cursor)")
        }
    }

    @Test("a study key too long for a cursor pages on by count instead")
    func overlongKeyFallsBackToOffset() async throws {
        let fixture = try await AppFixture(ingest: false)
        // A UID far longer than DICOM's 64 characters: what a hostile file may still get indexed.
        let long = "1.2.3." + String(repeating: "9", count: 200)
        try indexStudy(fixture.store, study: long, date: "20240105", accession: "LONG", seed: 1)
        for index in 1...4 {
            try indexStudy(
                fixture.store, study: "1.2.4.\(index)", date: "2024010\(index)", accession: "S\(index)", seed: 1 + index
            )
        }
        let all = try fixture.store.studies()
        #expect(all.first?.accessionNumber == "LONG")
        let paged = try await allPages(fixture.useCases, StudyQuery(limit: 1))
        #expect(paged.studies == all)
        #expect(paged.cursors.first == "o1")
        #expect(paged.cursors.dropFirst().allSatisfy { $0.hasPrefix("k") })
    }

    @Test("detail finds one study by its UID, and says when there is none")
    func detail() async throws {
        let fixture = try await AppFixture()
        let all = try fixture.store.studies()
        let study = try #require(all.last)
        let detail = try await fixture.useCases.studyDetail(uid: study.studyInstanceUID, by: Self.reader)
        #expect(detail.study == study)
        #expect(detail.series.map(\.series.instanceCount).reduce(0, +) == study.instanceCount)
        let error = await #expect(throws: AppError.self) {
            _ = try await fixture.useCases.studyDetail(uid: study.studyInstanceUID + ".9", by: Self.reader)
        }
        #expect(error?.kind == .notFound && error?.code == "unknown-study")
    }
}
