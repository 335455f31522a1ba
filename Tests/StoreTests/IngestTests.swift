import Foundation
import Testing

@testable import Store

@Suite("Index ingest")
struct IngestTests {
    @Test("A new instance is added and reads back equal, geometry included")
    func added() async throws {
        try await withStore { store, _ in
            let record = Fixture.record(sop: "1.2.3.4.1")
            let outcome = try store.ingest(record)
            #expect(outcome == .added)
            #expect(try store.instance(sopInstanceUID: "1.2.3.4.1") == record)
            #expect(try store.instance(sopInstanceUID: "1.2.3.4.999") == nil)
        }
    }

    @Test("The same SOP Instance UID with the same content is unchanged, and a new path is recorded")
    func unchanged() async throws {
        try await withStore { store, _ in
            let record = Fixture.record(sop: "1.2.3.4.1", sha: 7)
            let outcome = try store.ingest(record)
            #expect(outcome == .added)
            #expect(try store.ingest(record) == .unchanged)
            var moved = record
            moved.path = "/exports/moved/1.2.3.4.1.dcm"
            #expect(try store.ingest(moved) == .unchanged)
            #expect(try store.instance(sopInstanceUID: "1.2.3.4.1")?.path == moved.path)
            #expect(try store.studies().first?.instanceCount == 1)
        }
    }

    @Test("The same SOP Instance UID with other content replaces the record and names the previous path")
    func replaced() async throws {
        try await withStore { store, _ in
            let old = Fixture.record(sop: "1.2.3.4.1", path: "/exports/a.dcm", sha: 1)
            var new = Fixture.record(sop: "1.2.3.4.1", path: "/exports/b.dcm", sha: 2)
            new.rows = 512
            new.columns = 512
            let outcomes = try store.ingest([old, new])
            #expect(outcomes == [.added, .replaced(previousPath: "/exports/a.dcm")])
            #expect(try store.instance(sopInstanceUID: "1.2.3.4.1") == new)
            #expect(try store.studies().first?.instanceCount == 1)
        }
    }

    @Test("A replacement that moves an instance to another series removes the emptied series and study")
    func replacedElsewhere() async throws {
        try await withStore { store, _ in
            let old = Fixture.record(sop: "1.2.3.4.1", series: "9.1.1", study: "9.1", accession: "OLD", sha: 1)
            let new = Fixture.record(sop: "1.2.3.4.1", series: "9.2.1", study: "9.2", accession: "NEW", sha: 2)
            let first = try store.ingest(old)
            #expect(first == .added)
            #expect(try store.ingest(new) == .replaced(previousPath: old.path))
            #expect(try store.studies().map(\.studyInstanceUID) == ["9.2"])
            #expect(try store.series(ofStudy: "9.1").isEmpty)
        }
    }

    @Test("The batch path indexes in one transaction with outcomes in order")
    func batch() async throws {
        try await withStore { store, _ in
            let records = (1...500).map { index in
                Fixture.record(sop: "1.2.3.4.\(index)", instanceNumber: index, sha: index)
            }
            let outcomes = try store.ingest(records)
            #expect(outcomes.count == 500)
            #expect(outcomes.allSatisfy { $0 == .added })

            var again = records
            again[10].contentSHA256 = Fixture.sha(10_000)
            again.append(Fixture.record(sop: "1.2.3.4.501", instanceNumber: 501, sha: 501))
            again.append(Fixture.record(sop: "1.2.3.4.501", instanceNumber: 501, sha: 501))
            let second = try store.ingest(again)
            #expect(second.filter { $0 == .unchanged }.count == 500)
            #expect(second[10] == .replaced(previousPath: records[10].path))
            #expect(second[500] == .added)
            #expect(second[501] == .unchanged)
            #expect(try store.instances(ofSeries: records[0].seriesInstanceUID).count == 501)
        }
    }

    @Test("An invalid record in a batch indexes nothing and names the instance")
    func invalidBatch() async throws {
        try await withStore { store, _ in
            var bad = Fixture.record(sop: "1.2.3.4.2")
            bad.contentSHA256 = "not-a-hash"
            #expect(throws: StoreError.self) { try bad.validate() }
            #expect(throws: Never.self) { try Fixture.record(sop: "1.2.3.4.1").validate() }
            let error = #expect(throws: StoreError.self) {
                try store.ingest([Fixture.record(sop: "1.2.3.4.1"), bad])
            }
            #expect(error?.description.contains("1.2.3.4.2") == true)
            let studies = try store.studies()
            #expect(studies.isEmpty)

            var noSeries = Fixture.record(sop: "1.2.3.4.3")
            noSeries.seriesInstanceUID = ""
            #expect(throws: StoreError.self) { try store.ingest(noSeries) }
        }
    }

    @Test("Hashes are stored lowercase; upper-case input is the same content")
    func hashCase() async throws {
        try await withStore { store, _ in
            var record = Fixture.record(sop: "1.2.3.4.1", sha: 0xabcdef)
            let outcome = try store.ingest(record)
            #expect(outcome == .added)
            record.contentSHA256 = record.contentSHA256.uppercased()
            #expect(try store.ingest(record) == .unchanged)
        }
    }

    @Test("Per-frame geometry of an enhanced image round-trips and frameGeometry(frame:) picks the frame (1-based)")
    func perFrameGeometry() async throws {
        try await withStore { store, _ in
            var record = Fixture.record(sop: "1.2.3.4.1", frames: 3)
            record.perFrameGeometry = (0..<3).map { index in
                InstanceRecord.FrameGeometry(
                    imagePosition: [-120.5, -130.25, 40.0 + 3.3 * Double(index)],
                    imageOrientation: index == 2 ? [1, 0, 0, 0, 1, 0] : nil, pixelSpacing: nil)
            }
            #expect(try store.ingest(record) == .added)
            let stored = try #require(try store.instance(sopInstanceUID: "1.2.3.4.1"))
            #expect(stored == record)
            #expect(stored.frameGeometry(frame: 2)?.imagePosition == [-120.5, -130.25, 40.0 + 3.3])
            #expect(stored.frameGeometry(frame: 2)?.imageOrientation == [0, 1, 0, 0, 0, -1])
            #expect(stored.frameGeometry(frame: 3)?.imageOrientation == [1, 0, 0, 0, 1, 0])
            #expect(stored.frameGeometry(frame: 3)?.pixelSpacing == [0.9375, 0.9375])
            #expect(stored.frameGeometry(frame: 4) == nil)
            #expect(stored.frameGeometry(frame: 0) == nil)

            let classic = Fixture.record(sop: "1.2.3.4.2")
            #expect(classic.frameGeometry(frame: 1)?.imagePosition == [-120.5, -130.25, 40.0])
            #expect(classic.frameGeometry(frame: 2) == nil)
        }
    }

    @Test("Awkward doubles survive the JSON columns exactly")
    func doublesRoundTrip() {
        let values: [Double] = [0.1, -0.0, 1e-5, 1e20, .leastNonzeroMagnitude, .pi, -123_456.789_012_345_6]
        #expect(RowDecoding.doubles(RowDecoding.json(values)) == values)
        #expect(RowDecoding.json([Double.nan]) == nil)
    }

    @Test("Descriptions of records never contain the patient name or ID")
    func redaction() {
        let record = Fixture.record(sop: "1.2.3.4.1", patientID: "SYNTH-0001")
        for text in [record.description, record.debugDescription, String(describing: record)] {
            #expect(!text.contains("Phantom"))
            #expect(!text.contains("SYNTH-0001"))
        }
    }
}
