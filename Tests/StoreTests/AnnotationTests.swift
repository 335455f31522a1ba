import AnnulusRecords
import Foundation
import Testing

@testable import Store

@Suite("Annotation versions")
struct AnnotationTests {
    @Test("Lifecycle: add, amend, sign, amend, retract; then amend and sign are refused")
    func lifecycle() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            let new = NewAnnotation(
                studyUID: study, seriesUID: study + ".1", sopInstanceUID: study + ".1.2", frame: 1, level: "L4-L5",
                findingKind: "annular-fissure", payload: Fixture.payload(2))

            let v1 = try store.add(new, author: "dr.a", reason: "first read")
            #expect(v1.version == 1)
            #expect(v1.isDraft)
            #expect(v1.annotationID == v1.annotationID.lowercased())
            #expect(UUID(uuidString: v1.annotationID) != nil)
            #expect(v1.payload == Fixture.payload(2))
            #expect(v1.reason == "first read")

            let v2 = try store.amend(
                id: v1.annotationID, payload: Fixture.payload(3), level: nil, findingKind: nil, author: "dr.a",
                reason: "grade revised")
            #expect(v2.version == 2)
            #expect(v2.isDraft)
            #expect(v2.level == "L4-L5")
            #expect(v2.frame == 1)

            let v3 = try store.sign(id: v1.annotationID, signer: "dr.b")
            #expect(v3.version == 3)
            #expect(v3.isSigned)
            #expect(v3.signedBy == "dr.b")
            #expect(v3.signedAt == v3.createdAt)
            #expect(v3.payload == Fixture.payload(3))
            #expect(throws: StoreError.self) { try store.sign(id: v1.annotationID, signer: "dr.c") }

            let v4 = try store.amend(
                id: v1.annotationID, payload: Fixture.payload(4), level: "L5-S1", findingKind: nil, author: "dr.c",
                reason: "addendum")
            #expect(v4.version == 4)
            #expect(v4.isDraft)
            #expect(v4.level == "L5-S1")
            #expect(v4.signedBy == nil)

            let v5 = try store.retract(id: v1.annotationID, author: "dr.c", reason: "wrong patient level")
            #expect(v5.isRetracted)
            #expect(v5.payload == Fixture.payload(4))

            let amendError = #expect(throws: StoreError.self) {
                try store.amend(id: v1.annotationID, payload: Fixture.payload(1), author: "dr.a")
            }
            #expect(amendError?.description.contains("retracted") == true)
            let signError = #expect(throws: StoreError.self) { try store.sign(id: v1.annotationID, signer: "dr.b") }
            #expect(signError?.description.contains("retracted") == true)
            #expect(throws: StoreError.self) { try store.retract(id: v1.annotationID, author: "dr.a", reason: "again") }

            let history = try store.history(id: v1.annotationID)
            #expect(history == [v1, v2, v3, v4, v5])
            #expect(history.map(\.version) == [1, 2, 3, 4, 5])
            #expect(history.map(\.status) == [.draft, .draft, .signed, .draft, .retracted])
            #expect(history[2].payload == Fixture.payload(3), "the signed version stays as it was signed")
            #expect(history.allSatisfy { $0.studyUID == study && $0.sopInstanceUID == study + ".1.2" })
            #expect(zip(history, history.dropFirst()).allSatisfy { $0.createdAt <= $1.createdAt })
            #expect(try store.latest(id: v1.annotationID) == v5)
            #expect(Timestamp.date(v5.createdAt) != nil)
        }
    }

    @Test("Signing twice is refused and says who signed")
    func signTwice() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            let v1 = try store.add(
                NewAnnotation(studyUID: study, level: "L3-L4", findingKind: "bulge", payload: Fixture.payload(1)),
                author: "dr.a", reason: nil)
            _ = try store.sign(id: v1.annotationID, signer: "dr.b")
            let error = #expect(throws: StoreError.self) { try store.sign(id: v1.annotationID, signer: "dr.b") }
            #expect(error?.description.contains("already signed") == true)
            #expect(error?.description.contains("dr.b") == true)
        }
    }

    @Test("An author is required; a retraction needs a reason")
    func validation() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            let new = NewAnnotation(
                studyUID: study, level: "L4-L5", findingKind: "fissure", payload: Fixture.payload(2))
            let error = #expect(throws: StoreError.authorRequired) { try store.add(new, author: "  ", reason: nil) }
            #expect(error?.description == "an author is required: pass --author or set ANNULUS_USER")
            let v1 = try store.add(new, author: " dr.a ", reason: "  ")
            #expect(v1.author == "dr.a")
            #expect(v1.reason == nil)
            #expect(throws: StoreError.authorRequired) {
                try store.amend(id: v1.annotationID, payload: Fixture.payload(1), author: "")
            }
            #expect(throws: StoreError.authorRequired) { try store.sign(id: v1.annotationID, signer: "") }
            #expect(throws: StoreError.reasonRequired(annotationID: v1.annotationID)) {
                try store.retract(id: v1.annotationID, author: "dr.a", reason: " ")
            }
            #expect(try store.history(id: v1.annotationID).count == 1)
        }
    }

    @Test("Payloads must be JSON")
    func payloadValidation() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            for bad in [Data("{grade: 3".utf8), Data([0xFF, 0xFE, 0x7B]), Data()] {
                #expect(throws: StoreError.self) {
                    try store.add(
                        NewAnnotation(studyUID: study, level: "L4-L5", findingKind: "fissure", payload: bad),
                        author: "dr.a", reason: nil)
                }
            }
            #expect(try store.annotations(studyUID: study).isEmpty)
        }
    }

    @Test("Unknown ids and anchors are named")
    func unknowns() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            let missing = "00000000-0000-4000-8000-000000000000"
            #expect(throws: StoreError.unknownAnnotation(id: missing)) { try store.history(id: missing) }
            #expect(try store.latest(id: missing) == nil)
            #expect(throws: StoreError.unknownAnnotation(id: missing)) { try store.sign(id: missing, signer: "dr.a") }
            #expect(throws: StoreError.unknownAnnotation(id: missing)) {
                try store.amend(id: missing, payload: Fixture.payload(1), author: "dr.a")
            }
            #expect(StoreError.unknownAnnotation(id: missing).description.contains(missing))

            func add(_ new: NewAnnotation) throws -> AnnotationVersion {
                try store.add(new, author: "dr.a", reason: nil)
            }
            let payload = Fixture.payload(1)
            #expect(throws: StoreError.unknownStudy(reference: "9.9")) {
                try add(NewAnnotation(studyUID: "9.9", level: "L4-L5", findingKind: "x", payload: payload))
            }
            #expect(throws: StoreError.unknownSeries(seriesUID: "9.9.1", studyUID: study)) {
                try add(
                    NewAnnotation(
                        studyUID: study, seriesUID: "9.9.1", level: "L4-L5", findingKind: "x", payload: payload))
            }
            #expect(throws: StoreError.self) {
                try add(
                    NewAnnotation(
                        studyUID: study, sopInstanceUID: "9.9.1.1", level: "L4-L5", findingKind: "x", payload: payload))
            }
            #expect(throws: StoreError.self) {
                try add(NewAnnotation(studyUID: study, frame: 1, level: "L4-L5", findingKind: "x", payload: payload))
            }
            #expect(throws: StoreError.self) {
                try add(
                    NewAnnotation(
                        studyUID: study, sopInstanceUID: study + ".1.1", frame: 2, level: "L4-L5", findingKind: "x",
                        payload: payload))
            }
            let anchored = try add(
                NewAnnotation(
                    studyUID: study, sopInstanceUID: study + ".1.1", level: "L4-L5", findingKind: "x", payload: payload)
            )
            #expect(anchored.seriesUID == study + ".1", "the series is filled in from the instance")
        }
    }

    @Test("annotations(studyUID:) gives the latest version of each, retracted ones on request")
    func studyAnnotations() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            let other = try Fixture.ingestStudy(store, study: "1.2.826.0.1.3680043.99.2", accession: "ACC002")
            func new(_ level: String, _ studyUID: String) -> NewAnnotation {
                NewAnnotation(studyUID: studyUID, level: level, findingKind: "fissure", payload: Fixture.payload(1))
            }
            let a = try store.add(new("L3-L4", study), author: "dr.a", reason: nil)
            let b = try store.add(new("L4-L5", study), author: "dr.a", reason: nil)
            let c = try store.add(new("L5-S1", study), author: "dr.a", reason: nil)
            _ = try store.add(new("L1-L2", other), author: "dr.a", reason: nil)
            let a2 = try store.amend(id: a.annotationID, payload: Fixture.payload(2), author: "dr.a")
            let b2 = try store.retract(id: b.annotationID, author: "dr.a", reason: "artefact")

            #expect(try store.annotations(studyUID: study, includeRetracted: false) == [a2, c])
            #expect(try store.annotations(studyUID: study, includeRetracted: true) == [a2, b2, c])
            #expect(try store.annotations(studyUID: "9.9", includeRetracted: true).isEmpty)
        }
    }

    @Test("resolveAnnotation accepts a full id or a unique prefix of at least 4 characters")
    func resolveAnnotation() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            let v1 = try store.add(
                NewAnnotation(studyUID: study, level: "L4-L5", findingKind: "fissure", payload: Fixture.payload(2)),
                author: "dr.a", reason: nil)
            let id = v1.annotationID
            #expect(try store.resolveAnnotation(id) == id)
            #expect(try store.resolveAnnotation(id.uppercased()) == id)
            #expect(try store.resolveAnnotation(String(id.prefix(8))) == id)
            #expect(throws: StoreError.annotationPrefixTooShort(prefix: String(id.prefix(3)))) {
                try store.resolveAnnotation(String(id.prefix(3)))
            }
            #expect(throws: StoreError.unknownAnnotation(id: "zzzz-not-hex")) {
                try store.resolveAnnotation("zzzz-not-hex")
            }

            // Two ids sharing a prefix, written directly (inserts are allowed; only updates and deletes are not).
            for suffix in ["1111", "2222"] {
                try store.executeRawSQL(
                    """
                    INSERT INTO annotation_versions (annotation_id, version, study_uid, level, finding_kind, payload,
                        status, author, created_at)
                    VALUES ('abcd\(suffix)-0000-4000-8000-000000000000', 1, '\(study)', 'L4-L5', 'fissure', '{}',
                        'draft', 'dr.a', '2026-01-05T10:00:00.000Z')
                    """)
            }
            let error = #expect(throws: StoreError.self) { try store.resolveAnnotation("ABCD") }
            guard case .ambiguousAnnotation(_, let candidates) = error else {
                Issue.record("expected ambiguousAnnotation, got \(String(describing: error))")
                return
            }
            #expect(candidates.count == 2)
            #expect(error?.description.contains("abcd1111-0000-4000-8000-000000000000") == true)
            #expect(error?.description.contains("abcd2222-0000-4000-8000-000000000000") == true)
            #expect(try store.resolveAnnotation("abcd2") == "abcd2222-0000-4000-8000-000000000000")
        }
    }

    @Test("AnnotationVersion is Codable")
    func codable() async throws {
        try await withStore { store, _ in
            let study = try Fixture.ingestStudy(store)
            let v1 = try store.add(
                NewAnnotation(studyUID: study, level: "L4-L5", findingKind: "fissure", payload: Fixture.payload(2)),
                author: "dr.a", reason: nil)
            let signed = try store.sign(id: v1.annotationID, signer: "dr.b")
            let decoded = try JSONDecoder().decode(AnnotationVersion.self, from: JSONEncoder().encode(signed))
            #expect(decoded == signed)
        }
    }

    @Test("Timestamps are ISO 8601 UTC with milliseconds and round-trip")
    func timestamps() {
        #expect(Timestamp.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: 1_772_971_387.125)) == "2026-03-08T12:03:07.125Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: 951_782_400.999_9)) == "2000-02-29T00:00:00.999Z")
        #expect(Timestamp.string(Date(timeIntervalSince1970: -0.5)) == "1969-12-31T23:59:59.500Z")
        #expect(Timestamp.date("2026-03-08T12:03:07.125Z") == Date(timeIntervalSince1970: 1_772_971_387.125))
        #expect(Timestamp.date("2026-03-08T12:03:07Z") == Date(timeIntervalSince1970: 1_772_971_387))
        #expect(Timestamp.date("2026-03-08 12:03:07.125") == nil)
        let now = Timestamp.nowText()
        #expect(Timestamp.date(now).map(Timestamp.string) == now)
        #expect(now.count == 24)
    }
}
