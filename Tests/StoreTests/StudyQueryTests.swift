import AnnulusRecords
import Foundation
import Testing

@testable import Store

@Suite("Study queries and resolution")
struct StudyQueryTests {
    /// Three studies: two share a UID prefix beyond the root and two share an accession prefix.
    private func ingestThree(_ store: AnnulusStore) throws {
        try Fixture.ingestStudy(store, study: "1.2.826.0.1.3680043.99.11", accession: "RAD-2026-0001", date: "20260105")
        try Fixture.ingestStudy(store, study: "1.2.826.0.1.3680043.99.12", accession: "RAD-2026-0002", date: "20260212")
        try Fixture.ingestStudy(store, study: "1.2.826.0.1.3680043.77.5", accession: "XR55", date: "20251230", count: 1)
    }

    @Test("studies(ofPatient:) returns that patient's studies only, counted like studies()")
    func byPatient() async throws {
        try await withStore { store, _ in
            try ingestThree(store)
            _ = try store.ingest(
                Fixture.record(
                    sop: "1.2.826.0.1.3680043.55.1.1", series: "1.2.826.0.1.3680043.55.1",
                    study: "1.2.826.0.1.3680043.55", accession: "OTHER", sha: 77, patientID: "SYNTH-0002"))
            let mine = try store.studies(ofPatient: "SYNTH-0001")
            #expect(mine.map(\.accessionNumber) == ["RAD-2026-0002", "RAD-2026-0001", "XR55"])
            #expect(try store.studies(ofPatient: "SYNTH-0002").map(\.accessionNumber) == ["OTHER"])
            #expect(try store.studies(ofPatient: "NOBODY").isEmpty)
            let all = try store.studies().filter { $0.patientID == "SYNTH-0001" }
            #expect(mine == all)
        }
    }

    @Test("studies() lists newest first with modalities and counts")
    func listing() async throws {
        try await withStore { store, _ in
            try ingestThree(store)
            var record = Fixture.record(
                sop: "1.2.826.0.1.3680043.99.11.2.1", series: "1.2.826.0.1.3680043.99.11.2",
                study: "1.2.826.0.1.3680043.99.11", accession: "RAD-2026-0001", date: "20260105", modality: "RF",
                seriesNumber: 2, frames: 30, sha: 99)
            record.seriesDescription = "fluoro"
            _ = try store.ingest(record)
            let studies = try store.studies()
            #expect(studies.map(\.accessionNumber) == ["RAD-2026-0002", "RAD-2026-0001", "XR55"])
            let first = try #require(studies.first { $0.accessionNumber == "RAD-2026-0001" })
            #expect(first.modalities == ["MR", "RF"])
            #expect(first.seriesCount == 2)
            #expect(first.instanceCount == 4)
            #expect(first.draftAnnotations == 0)
            #expect(first.lastIndexedAt != nil)
            #expect(!first.description.contains("SYNTH"))

            let series = try store.series(ofStudy: "1.2.826.0.1.3680043.99.11")
            #expect(series.map(\.seriesNumber) == [1, 2])
            #expect(series.map(\.instanceCount) == [3, 1])
            #expect(series.map(\.frameCount) == [3, 30])
            let instances = try store.instances(ofSeries: "1.2.826.0.1.3680043.99.11.1")
            #expect(instances.map(\.instanceNumber) == [1, 2, 3])
            #expect(try store.series(ofStudy: "9.9.9").isEmpty)
        }
    }

    @Test("A study resolves by full UID, accession, and unique prefixes of either")
    func resolves() async throws {
        try await withStore { store, _ in
            try ingestThree(store)
            #expect(try store.resolveStudy("1.2.826.0.1.3680043.99.12").accessionNumber == "RAD-2026-0002")
            #expect(try store.resolveStudy("RAD-2026-0001").studyInstanceUID == "1.2.826.0.1.3680043.99.11")
            #expect(try store.resolveStudy("1.2.826.0.1.3680043.77").accessionNumber == "XR55")
            #expect(try store.resolveStudy("XR").studyInstanceUID == "1.2.826.0.1.3680043.77.5")
            #expect(try store.resolveStudy("  RAD-2026-0002 ").studyDate == "20260212")
            let summary = try store.resolveStudy("RAD-2026-0001")
            #expect(summary.instanceCount == 3)
            #expect(summary.patientID == "SYNTH-0001")
        }
    }

    @Test("An exact UID wins over a longer UID it is a prefix of")
    func exactWins() async throws {
        try await withStore { store, _ in
            try Fixture.ingestStudy(store, study: "1.2.3", accession: "A1", count: 1)
            try Fixture.ingestStudy(store, study: "1.2.34", accession: "A2", count: 1)
            #expect(try store.resolveStudy("1.2.3").accessionNumber == "A1")
        }
    }

    @Test("An ambiguous prefix lists every candidate with UID, accession and date")
    func ambiguous() async throws {
        try await withStore { store, _ in
            try ingestThree(store)
            let error = #expect(throws: StoreError.self) { try store.resolveStudy("RAD-2026") }
            guard case .ambiguousStudy(let reference, let candidates) = error else {
                Issue.record("expected ambiguousStudy, got \(String(describing: error))")
                return
            }
            #expect(reference == "RAD-2026")
            #expect(
                Set(candidates.map(\.studyInstanceUID)) == ["1.2.826.0.1.3680043.99.11", "1.2.826.0.1.3680043.99.12"])
            let text = try #require(error?.description)
            for fragment in [
                "1.2.826.0.1.3680043.99.11", "RAD-2026-0001", "20260105", "1.2.826.0.1.3680043.99.12", "RAD-2026-0002",
                "20260212",
            ] {
                #expect(text.contains(fragment), "missing \(fragment)")
            }
            #expect(throws: StoreError.self) { try store.resolveStudy("1.2.826.0.1.3680043.99.1") }
        }
    }

    @Test("An unknown reference says so and suggests annulus studies")
    func unknown() async throws {
        try await withStore { store, _ in
            try ingestThree(store)
            let error = #expect(throws: StoreError.unknownStudy(reference: "NOPE-1")) {
                try store.resolveStudy("NOPE-1")
            }
            #expect(error?.description.contains("`annulus studies`") == true)
            #expect(throws: StoreError.emptyStudyReference) { try store.resolveStudy("  ") }
        }
    }

    @Test("Study annotation counts follow the latest version of each annotation")
    func annotationCounts() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            let new = NewAnnotation(
                studyUID: study, level: "L4-L5", findingKind: "fissure", payload: Fixture.payload(2))
            let a = try store.add(new, author: "dr.a", reason: nil)
            let b = try store.add(new, author: "dr.a", reason: nil)
            _ = try store.add(new, author: "dr.a", reason: nil)
            _ = try store.sign(id: a.annotationID, signer: "dr.b")
            _ = try store.retract(id: b.annotationID, author: "dr.a", reason: "duplicate")
            let summary = try store.resolveStudy(study)
            #expect(summary.draftAnnotations == 1)
            #expect(summary.signedAnnotations == 1)
            #expect(summary.retractedAnnotations == 1)
            #expect(try store.studies().first == summary)
        }
    }
}
