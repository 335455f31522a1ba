import AnnulusRecords
import Foundation
import Testing

@testable import Store

@Suite("Signing several findings in one transaction, adding signed, deliveries by state")
struct BatchSigningTests {
    static func new(_ study: String, _ level: String) -> NewAnnotation {
        NewAnnotation(
            studyUID: study, seriesUID: nil, sopInstanceUID: nil, frame: nil, level: level, findingKind: "pfirrmann",
            payload: Fixture.payload(3))
    }

    @Test("sign(ids:) signs every finding at the same time, each id once")
    func signsAll() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            let first = try store.add(Self.new(study, "L4-L5"), author: "dr.a")
            let second = try store.add(Self.new(study, "L5-S1"), author: "dr.a")
            let signed = try store.sign(
                ids: [first.annotationID, second.annotationID, first.annotationID], signer: "dr.b")
            #expect(signed.map(\.annotationID) == [first.annotationID, second.annotationID])
            #expect(signed.allSatisfy { $0.isSigned && $0.version == 2 && $0.signedBy == "dr.b" })
            #expect(Set(signed.map(\.signedAt)).count == 1, "one signing time for the batch")
            #expect(try store.history(id: first.annotationID).count == 2, "signed once although named twice")
        }
    }

    @Test("one finding that cannot be signed refuses the batch and nothing is signed")
    func allOrNothing() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            let draft = try store.add(Self.new(study, "L4-L5"), author: "dr.a")
            let signed = try store.add(Self.new(study, "L5-S1"), author: "dr.a")
            _ = try store.sign(id: signed.annotationID, signer: "dr.b")
            let retracted = try store.add(Self.new(study, "L3-L4"), author: "dr.a")
            _ = try store.retract(id: retracted.annotationID, author: "dr.a", reason: "duplicate")

            for blocker in [signed.annotationID, retracted.annotationID, "00000000-0000-4000-8000-000000000000"] {
                let error = #expect(throws: StoreError.self) {
                    try store.sign(ids: [draft.annotationID, blocker], signer: "dr.c")
                }
                #expect(error?.isRefusal == true, "\(String(describing: error))")
                #expect(try store.history(id: draft.annotationID).count == 1, "the draft was not signed")
            }
            #expect(try store.history(id: signed.annotationID).count == 2)
        }
    }

    @Test("a finding changed since it was listed refuses the batch (versionChanged)")
    func changedSinceListed() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            let listed = try store.add(Self.new(study, "L4-L5"), author: "dr.a")
            let other = try store.add(Self.new(study, "L5-S1"), author: "dr.a")
            _ = try store.amend(id: listed.annotationID, payload: Fixture.payload(5), author: "dr.z")
            let error = #expect(throws: StoreError.self) {
                try store.sign(
                    ids: [other.annotationID, listed.annotationID], signer: "dr.b",
                    expectedVersions: [other.annotationID: 1, listed.annotationID: 1])
            }
            guard case .versionChanged(let id, let shown, let latest, let by, _)? = error else {
                Issue.record("expected versionChanged, got \(String(describing: error))")
                return
            }
            #expect(id == listed.annotationID && shown == 1 && latest == 2 && by == "dr.z")
            #expect(error?.description.contains("changed after it was listed") == true)
            #expect(try store.latest(id: other.annotationID)?.isDraft == true, "nothing signed")
        }
    }

    @Test("addSigned writes the draft and its signature together")
    func addSigned() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            let (draft, signed) = try store.addSigned(Self.new(study, "L4-L5"), author: "dr.a", reason: "read")
            #expect(draft.version == 1 && draft.isDraft && draft.reason == "read")
            #expect(signed.version == 2 && signed.isSigned && signed.signedBy == "dr.a")
            #expect(try store.history(id: draft.annotationID).map(\.status) == [.draft, .signed])
            #expect(throws: StoreError.self) { try store.addSigned(Self.new("1.2.3.999", "L4-L5"), author: "dr.a") }
            #expect(try store.annotations(studyUID: "1.2.3.999").isEmpty)
            #expect(throws: StoreError.authorRequired) { try store.addSigned(Self.new(study, "L4-L5"), author: " ") }
        }
    }

    @Test("refusals and failures are told apart")
    func refusalClassification() {
        #expect(StoreError.alreadySigned(id: "a", version: 2, by: "b", at: "t").isRefusal)
        #expect(StoreError.unknownStudy(reference: "x").isRefusal)
        #expect(StoreError.missing(path: "/x").isRefusal)
        #expect(!StoreError.damaged(path: "/x", detail: "malformed").isRefusal)
        #expect(!StoreError.locked(path: "/x", seconds: 15).isRefusal)
        #expect(!StoreError.emptyFile(path: "/x").isRefusal)
    }

    @Test("deliveries group attempts by delivery, state from the latest attempt, filtered by study")
    func deliveries() async throws {
        try await withStore { store, _ in
            func attempt(_ id: String, _ number: Int, _ study: String, _ outcome: DeliveryAttempt.Outcome) throws {
                try store.recordDeliveryAttempt(
                    DeliveryAttempt(
                        deliveryID: id, attempt: number, studyUID: study, url: "http://ehr/fhir",
                        outboxPath: "/data/outbox/\(id).fhir.json", httpStatus: outcome == .retry ? 503 : 200,
                        outcome: outcome, message: "HTTP"))
            }
            try attempt("d1", 1, "1.2.1", .retry)
            try attempt("d2", 1, "1.2.2", .retry)
            try attempt("d1", 2, "1.2.1", .delivered)
            try attempt("d3", 1, "1.2.1", .failed)
            let all = try store.deliveries()
            #expect(all.map(\.deliveryID) == ["d1", "d2", "d3"])
            #expect(all.map(\.state) == [.delivered, .pending, .failed])
            #expect(all[0].attempts.map(\.attempt) == [1, 2])
            #expect(try store.deliveries(studyUID: "1.2.1").map(\.deliveryID) == ["d1", "d3"])
            #expect(try store.deliveries(studyUID: "1.2.9").isEmpty)
        }
    }
}
