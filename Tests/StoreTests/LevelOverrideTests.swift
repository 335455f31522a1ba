import AnnulusRecords
import Foundation
import Testing

@testable import Store

/// What a series says about its region (v8), and overrides of the level check kept with annotation versions.
@Suite("Series region facts and level overrides")
struct LevelOverrideTests {
    static let study = "1.2.826.0.1.3680043.99.1"

    @Test("Body Part Examined and Protocol Name are indexed per series and read back")
    func seriesRegionFacts() async throws {
        try await withStore { store, _ in
            var record = Fixture.record(sop: "1.2.826.0.1.3680043.99.1.1.1")
            record.bodyPartExamined = "LSPINE"
            record.protocolName = "L-SPINE ROUTINE"
            _ = try store.ingest(record)
            let series = try #require(try store.series(ofStudy: Self.study).first)
            #expect(series.bodyPartExamined == "LSPINE" && series.protocolName == "L-SPINE ROUTINE")
            // A later instance without them does not erase them.
            _ = try store.ingest(Fixture.record(sop: "1.2.826.0.1.3680043.99.1.1.2", sha: 2))
            #expect(try store.series(ofStudy: Self.study).first?.bodyPartExamined == "LSPINE")
        }
    }

    @Test("a series indexed without them gets them when one of its instances is indexed again unchanged")
    func backfilledOnReingest() async throws {
        try await withStore { store, _ in
            let plain = Fixture.record(sop: "1.2.826.0.1.3680043.99.1.1.1")
            #expect(try store.ingest(plain) == .added)
            #expect(try store.series(ofStudy: Self.study).first?.bodyPartExamined == nil)
            var again = plain
            again.bodyPartExamined = "CSPINE"
            #expect(try store.ingest(again) == .unchanged)
            let series = try #require(try store.series(ofStudy: Self.study).first)
            #expect(series.bodyPartExamined == "CSPINE" && series.protocolName == nil)
            var other = again
            other.bodyPartExamined = "LSPINE"
            _ = try store.ingest(other)
            #expect(try store.series(ofStudy: Self.study).first?.bodyPartExamined == "CSPINE", "kept, not replaced")
        }
    }

    @Test("an override is recorded with its version and stays in force while the level stays the same")
    func overrideLifecycle() async throws {
        try await withStore { store, _ in
            try Fixture.ingestStudy(store)
            let override = try #require(NewLevelOverride(reason: " whole-spine localiser ", evidence: "LSPINE"))
            #expect(override.reason == "whole-spine localiser")
            let added = try store.add(
                NewAnnotation(
                    studyUID: Self.study, level: "C5-C6", findingKind: "fissure", payload: Fixture.payload(3)),
                author: "dr.a", levelOverride: override)
            let kept = try #require(try store.levelOverride(annotationID: added.annotationID, level: "C5-C6"))
            #expect(kept.version == 1 && kept.reason == "whole-spine localiser" && kept.evidence == "LSPINE")
            #expect(kept.author == "dr.a" && kept.createdAt == added.createdAt)
            #expect(try store.levelOverrides(studyUID: Self.study)[added.annotationID] == kept)

            // Signed, then amended in its fields: still at C5-C6, still in force.
            _ = try store.sign(id: added.annotationID, signer: "dr.b")
            _ = try store.amend(id: added.annotationID, payload: Fixture.payload(4), author: "dr.a")
            #expect(try store.levelOverrides(studyUID: Self.study)[added.annotationID] == kept)

            // Moved to L4-L5: no override in force; back to C5-C6 with a new one: the newer is in force.
            _ = try store.amend(id: added.annotationID, payload: Fixture.payload(4), level: "L4-L5", author: "dr.a")
            #expect(try store.levelOverrides(studyUID: Self.study).isEmpty)
            #expect(try store.levelOverride(annotationID: added.annotationID, level: "L4-L5") == nil)
            let second = try #require(NewLevelOverride(reason: "second read", evidence: "LSPINE again"))
            let back = try store.amend(
                id: added.annotationID, payload: Fixture.payload(4), level: "C5-C6", author: "dr.c",
                levelOverride: second)
            let current = try #require(try store.levelOverrides(studyUID: Self.study)[added.annotationID])
            #expect(current.version == back.version && current.reason == "second read" && current.author == "dr.c")
        }
    }

    @Test("a blank reason gives no override; the table is append-only")
    func blankAndAppendOnly() async throws {
        #expect(NewLevelOverride(reason: "  \n", evidence: "x") == nil)
        try await withStore { store, _ in
            try Fixture.ingestStudy(store)
            let added = try store.add(
                NewAnnotation(
                    studyUID: Self.study, level: "C5-C6", findingKind: "fissure", payload: Fixture.payload(3)),
                author: "dr.a", levelOverride: NewLevelOverride(reason: "seen", evidence: "e"))
            #expect(throws: StoreError.self) { try store.executeRawSQL("UPDATE level_overrides SET reason = 'x'") }
            #expect(throws: StoreError.self) { try store.executeRawSQL("DELETE FROM level_overrides") }
            #expect(try store.levelOverride(annotationID: added.annotationID, level: "C5-C6")?.reason == "seen")
        }
    }
}
