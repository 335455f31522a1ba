import AnnulusRecords
import Foundation
import Testing

@testable import Store

/// The search as it was done before it moved into SQL: every study listed by `studies()`, filtered in memory. The
/// SQL search must give exactly these studies, in this order.
private struct InMemoryOracle {
    let filter: StudyFilter

    func matches(_ study: StudySummary) -> Bool {
        if let patientID = filter.patientID, study.patientID != patientID { return false }
        if let accession = filter.accessionNumber, study.accessionNumber != accession { return false }
        if let modality = filter.modality,
            !study.modalities.contains(where: { $0.caseInsensitiveCompare(modality) == .orderedSame })
        {
            return false
        }
        if filter.dateFrom != nil || filter.dateTo != nil {
            guard let date = study.studyDate else { return false }
            if let dateFrom = filter.dateFrom, date < dateFrom { return false }
            if let dateTo = filter.dateTo, date > dateTo { return false }
        }
        return true
    }
}

/// A seeded generator (SplitMix64): the same data set on every run.
private struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension AnnulusStore {
    /// Every page of a search, following `hasMore` by keyset (or by offset), with the totals each page reported.
    fileprivate func allPages(_ filter: StudyFilter, limit: Int, byOffset: Bool = false) throws -> (
        studies: [StudySummary], totals: Set<Int>, pages: Int
    ) {
        var studies: [StudySummary] = []
        var totals: Set<Int> = []
        var start = StudyPageStart.first
        var pages = 0
        while true {
            let page = try searchStudies(filter, from: start, limit: limit)
            pages += 1
            #expect(page.studies.count <= limit)
            #expect(!page.hasMore || page.studies.count == limit)
            studies += page.studies
            totals.insert(page.total)
            guard page.hasMore, let last = page.studies.last, pages < 10_000 else { break }
            start = byOffset ? .offset(studies.count) : .after(StudyOrderKey(last))
        }
        return (studies, totals, pages)
    }
}

@Suite("Study search in SQL")
struct StudySearchTests {
    /// Four studies of two patients: dates, times, accessions and modalities to tell each filter apart.
    private func ingestFour(_ store: AnnulusStore) throws {
        let studies: [(uid: String, patient: String, accession: String?, date: String?, modalities: [String?])] = [
            ("1.2.826.0.1.3680043.99.21", "SYNTH-0001", "ACC-A", "20240105", ["MR", "MR"]),
            ("1.2.826.0.1.3680043.99.22", "SYNTH-0001", "ACC-B", "20240620", ["CT", "cr"]),
            ("1.2.826.0.1.3680043.99.23", "SYNTH-0002", "ACC-C", "20231231", ["RF"]),
            ("1.2.826.0.1.3680043.99.24", "SYNTH-0002", nil, nil, [nil]),
        ]
        var seed = 1000
        for study in studies {
            for (index, modality) in study.modalities.enumerated() {
                seed += 1
                _ = try store.ingest(
                    Fixture.record(
                        sop: "\(study.uid).\(index + 1).1", series: "\(study.uid).\(index + 1)", study: study.uid,
                        accession: study.accession, date: study.date, modality: modality, seriesNumber: index + 1,
                        sha: seed, patientID: study.patient))
            }
        }
    }

    private func uids(_ store: AnnulusStore, _ filter: StudyFilter) throws -> [String] {
        let page = try store.searchStudies(filter, limit: 50)
        #expect(page.total == page.studies.count)
        #expect(!page.hasMore)
        return page.studies.map { String($0.studyInstanceUID.split(separator: ".").last ?? "") }
    }

    @Test("each filter alone, and together")
    func eachFilter() async throws {
        try await withStore { store, _ in
            try ingestFour(store)
            #expect(try uids(store, StudyFilter()) == ["22", "21", "23", "24"])
            #expect(try uids(store, StudyFilter(patientID: "SYNTH-0002")) == ["23", "24"])
            #expect(try uids(store, StudyFilter(patientID: "SYNTH-000")).isEmpty, "exact, not a prefix")
            #expect(try uids(store, StudyFilter(accessionNumber: "ACC-B")) == ["22"])
            #expect(try uids(store, StudyFilter(accessionNumber: "acc-b")).isEmpty, "exact, case included")
            #expect(try uids(store, StudyFilter(dateFrom: "20240105")) == ["22", "21"], "inclusive")
            #expect(try uids(store, StudyFilter(dateTo: "20240105")) == ["21", "23"], "inclusive; no date never")
            #expect(try uids(store, StudyFilter(dateFrom: "20240106", dateTo: "20240620")) == ["22"])
            #expect(try uids(store, StudyFilter(dateFrom: "20240106", dateTo: "20240619")).isEmpty)
            #expect(try uids(store, StudyFilter(modality: "mr")) == ["21"])
            #expect(try uids(store, StudyFilter(modality: "CR")) == ["22"], "stored lower-case, asked upper")
            #expect(try uids(store, StudyFilter(modality: "M")).isEmpty, "a whole modality, not a part")
            #expect(try uids(store, StudyFilter(modality: "")).isEmpty)
            #expect(try uids(store, StudyFilter(modality: "CT\u{1F}CR")).isEmpty)
            #expect(
                try uids(store, StudyFilter(patientID: "SYNTH-0001", dateTo: "20240301", modality: "MR")) == ["21"])
            #expect(try uids(store, StudyFilter(patientID: "SYNTH-0001", modality: "RF")).isEmpty)
        }
    }

    @Test("a page holds the summaries studies() holds, and study(uid:) one of them")
    func summariesAgree() async throws {
        try await withStore { store, _ in
            try ingestFour(store)
            _ = try store.add(
                NewAnnotation(
                    studyUID: "1.2.826.0.1.3680043.99.22", level: "L4-L5", findingKind: "fissure",
                    payload: Fixture.payload(2)),
                author: "dr.a", reason: nil)
            let all = try store.studies()
            #expect(try store.searchStudies(StudyFilter(), limit: 2).studies == Array(all.prefix(2)))
            let ct = try #require(try store.study(uid: "1.2.826.0.1.3680043.99.22"))
            #expect(ct == all.first { $0.studyInstanceUID == "1.2.826.0.1.3680043.99.22" })
            #expect(ct.modalities == ["CT", "cr"] && ct.draftAnnotations == 1 && ct.instanceCount == 2)
            #expect(try store.study(uid: "1.2.826.0.1.3680043.99.2") == nil)
            #expect(try store.study(uid: "") == nil)
        }
    }

    @Test("paging by keyset and by offset returns every match once, in order, with the right total")
    func paging() async throws {
        try await withStore { store, _ in
            for index in 1...23 {
                // Several studies share a date and time: the UID decides, as text (…99.3 after …99.23).
                try Fixture.ingestStudy(
                    store, study: "1.2.826.0.1.3680043.99.\(index)", accession: "P\(index)",
                    date: "2024010\(index % 3)", count: 1)
            }
            let all = try store.studies()
            for limit in [1, 2, 5, 22, 23, 24] {
                for byOffset in [false, true] {
                    let paged = try store.allPages(StudyFilter(), limit: limit, byOffset: byOffset)
                    #expect(paged.studies == all, "limit \(limit), by offset \(byOffset)")
                    #expect(paged.totals == [23])
                    #expect(paged.pages == max(1, (23 + limit - 1) / limit))
                }
            }
            let beyond = try store.searchStudies(StudyFilter(), from: .offset(23), limit: 5)
            #expect(beyond.studies.isEmpty && !beyond.hasMore && beyond.total == 23)
            let last = StudyOrderKey(try #require(all.last))
            #expect(try store.searchStudies(StudyFilter(), from: .after(last), limit: 5).studies.isEmpty)
            #expect(try store.studyCount(StudyFilter(), through: last) == 23)
            #expect(try store.studyCount(StudyFilter(), through: StudyOrderKey(all[4])) == 5)
            let p7 = try #require(all.firstIndex { $0.accessionNumber == "P7" })
            #expect(try store.studyCount(StudyFilter(accessionNumber: "P7"), through: StudyOrderKey(all[p7])) == 1)
            #expect(try store.studyCount(StudyFilter(accessionNumber: "P7"), through: StudyOrderKey(all[0])) == 0)
            #expect(p7 > 0)
        }
    }

    @Test("a keyset page is stable when studies are indexed between pages")
    func keysetStableUnderInserts() async throws {
        try await withStore { store, _ in
            for index in 1...20 {
                try Fixture.ingestStudy(
                    store, study: "1.2.3.\(index)", accession: "A\(index)", date: "202401\(10 + index)", count: 1)
            }
            let original = try store.studies().map(\.studyInstanceUID)
            let first = try store.searchStudies(StudyFilter(), limit: 8)
            // New studies arrive: newer ones (before the first page), older ones (after the last).
            for index in 1...5 {
                try Fixture.ingestStudy(
                    store, study: "1.2.4.\(index)", accession: "N\(index)", date: "20250101", count: 1)
                try Fixture.ingestStudy(
                    store, study: "1.2.5.\(index)", accession: "O\(index)", date: "20200101", count: 1)
            }
            var seen = first.studies.map(\.studyInstanceUID)
            var start = StudyPageStart.after(StudyOrderKey(try #require(first.studies.last)))
            while true {
                let page = try store.searchStudies(StudyFilter(), from: start, limit: 8)
                #expect(page.total == 30)
                seen += page.studies.map(\.studyInstanceUID)
                guard page.hasMore, let last = page.studies.last else { break }
                start = .after(StudyOrderKey(last))
            }
            #expect(Set(seen).count == seen.count, "no study twice")
            #expect(Array(seen.prefix(20)) == original, "every study listed before, once, in order")
            #expect(seen.suffix(5).allSatisfy { $0.hasPrefix("1.2.5.") }, "the older new ones follow")
        }
    }

    @Test("generated studies: every filter and page size gives what the in-memory filter gave")
    func matchesInMemoryOracle() async throws {
        try await withStore { store, _ in
            var random = SeededGenerator(state: 14)
            let dates = ["20220301", "20230115", "20230601", "20230601", "20240229", "20241231", "20250102"]
            let times = ["080000", "101500", "101500.25", "235959"]
            let modalities: [String?] = [nil, "", "MR", "MR", "mr", "Mr", "CT", "CR", "RF", "XA"]
            var records: [InstanceRecord] = []
            var seed = 0
            for index in 0..<260 {
                let study = "1.2.826.0.1.3680043.\(random.next() % 3 + 7).\(index)"
                let date = Int.random(in: 0..<10, using: &random) == 0 ? nil : dates.randomElement(using: &random)
                let time = Int.random(in: 0..<7, using: &random) == 0 ? nil : times.randomElement(using: &random)
                let accession =
                    Int.random(in: 0..<10, using: &random) == 0 ? nil : "ACC-\(Int.random(in: 0..<200, using: &random))"
                let patient = "SYNTH-\(Int.random(in: 0..<15, using: &random))"
                for series in 1...Int.random(in: 1...3, using: &random) {
                    let modality = modalities.randomElement(using: &random) ?? nil
                    for instance in 1...Int.random(in: 1...2, using: &random) {
                        seed += 1
                        records.append(
                            Fixture.record(
                                sop: "\(study).\(series).\(instance)", series: "\(study).\(series)", study: study,
                                accession: accession, date: date, time: time, modality: modality,
                                seriesNumber: series, instanceNumber: instance, sha: seed, patientID: patient))
                    }
                }
            }
            _ = try store.ingest(records)
            for index in stride(from: 0, to: 60, by: 7) {
                _ = try store.add(
                    NewAnnotation(
                        studyUID: records[index].studyInstanceUID, level: "L5-S1", findingKind: "fissure",
                        payload: Fixture.payload(index % 4)),
                    author: "dr.a", reason: nil)
            }
            let all = try store.studies()
            #expect(all.count == 260)
            let patients = Set(all.map(\.patientID)).sorted() + ["NOBODY"]
            let accessions = Set(all.compactMap(\.accessionNumber)).sorted() + ["ACC-999"]
            let bounds = dates + ["20230101", "20240228", "20991231", "19000101"]
            let asked: [String] = ["MR", "mr", "ct", "Cr", "RF", "XA", "US", "M", ""]
            for _ in 0..<150 {
                var filter = StudyFilter()
                if Int.random(in: 0..<4, using: &random) == 0 {
                    filter.patientID = patients.randomElement(using: &random)
                }
                if Int.random(in: 0..<6, using: &random) == 0 {
                    filter.accessionNumber = accessions.randomElement(using: &random)
                }
                if Int.random(in: 0..<3, using: &random) == 0 { filter.dateFrom = bounds.randomElement(using: &random) }
                if Int.random(in: 0..<3, using: &random) == 0 { filter.dateTo = bounds.randomElement(using: &random) }
                if let from = filter.dateFrom, let to = filter.dateTo, from > to {
                    (filter.dateFrom, filter.dateTo) = (to, from)
                }
                if Int.random(in: 0..<2, using: &random) == 0 { filter.modality = asked.randomElement(using: &random) }
                let expected = all.filter(InMemoryOracle(filter: filter).matches)
                let limit = [1, 3, 7, 50, 500].randomElement(using: &random) ?? 50
                let byOffset = Bool.random(using: &random)
                let paged = try store.allPages(filter, limit: limit, byOffset: byOffset)
                #expect(paged.studies == expected, "\(filter), limit \(limit), by offset \(byOffset)")
                #expect(paged.totals == [expected.count], "\(filter)")
            }
        }
    }

    @Test("the modality set follows series that change modality, move to another study or go")
    func modalitySetFollowsSeries() async throws {
        try await withStore { store, _ in
            let first = "1.2.826.0.1.3680043.99.31"
            let second = "1.2.826.0.1.3680043.99.32"
            _ = try store.ingest(
                Fixture.record(sop: "9.1", series: "9.1.1", study: first, accession: "F", modality: "MR", sha: 1))
            _ = try store.ingest(
                Fixture.record(sop: "9.2", series: "9.2.1", study: second, accession: "S", modality: "CT", sha: 2))
            func matching(_ modality: String) throws -> [String] {
                try store.searchStudies(StudyFilter(modality: modality), limit: 10).studies.map {
                    $0.accessionNumber ?? "-"
                }
            }
            #expect(try matching("MR") == ["F"])
            // A second series of another modality.
            _ = try store.ingest(
                Fixture.record(sop: "9.3", series: "9.1.2", study: first, accession: "F", modality: "RF", sha: 3))
            #expect(try matching("rf") == ["F"])
            // A new instance says its series is CR, not CT: the series' modality changes.
            _ = try store.ingest(
                Fixture.record(sop: "9.4", series: "9.2.1", study: second, accession: "S", modality: "CR", sha: 6))
            #expect(try matching("CT").isEmpty)
            #expect(try matching("cr") == ["S"])
            // The instance of the MR series comes again (new content) in the other study: its series moves there.
            _ = try store.ingest(
                Fixture.record(sop: "9.1", series: "9.1.1", study: second, accession: "S", modality: "MR", sha: 4))
            #expect(Set(try matching("MR")) == ["S"])
            #expect(try matching("CR") == ["S"])
            #expect(try matching("RF") == ["F"])
            // Its last instance moves away: the RF series and then the first study go.
            _ = try store.ingest(
                Fixture.record(sop: "9.3", series: "9.2.3", study: second, accession: "S", modality: "XA", sha: 5))
            #expect(try matching("RF").isEmpty)
            #expect(try matching("XA") == ["S"])
            #expect(try store.study(uid: first) == nil)
            let all = try store.studies()
            for modality in ["MR", "CT", "CR", "RF", "XA"] {
                let expected = all.filter(InMemoryOracle(filter: StudyFilter(modality: modality)).matches)
                #expect(try matching(modality) == expected.map { $0.accessionNumber ?? "-" })
            }
        }
    }

    @Test("the search reads indexes: filters are ranges or equalities, summaries only for the page")
    func queryPlans() async throws {
        try await withStore { store, _ in
            try ingestFour(store)
            func plans(_ filter: StudyFilter, _ start: StudyPageStart = .first) throws -> StudySearchPlans {
                let plans = try store.studySearchPlans(filter, from: start, limit: 50)
                for line in plans.count + plans.page + plans.summaries + plans.annotations {
                    // A scan of a table reads every row; an index is scanned only for the list's order (a walk that
                    // stops at the page's end) or alone (a count).
                    if line.hasPrefix("SCAN") && !line.hasPrefix("SCAN (subquery") {
                        #expect(
                            line.contains("COVERING INDEX") || line.contains("INDEX studies_by_recency"),
                            "\(filter): \(line)")
                    }
                }
                return plans
            }
            let unfiltered = try plans(StudyFilter())
            #expect(unfiltered.page == ["SCAN st USING INDEX studies_by_recency"], "read in order, no sort")
            let key = StudyOrderKey(studyDate: "20240105", studyTime: "101500", studyInstanceUID: "1.2")
            #expect(try plans(StudyFilter(), .after(key)).page.first?.contains("studies_by_recency (<expr><?)") == true)
            let patient = try plans(StudyFilter(patientID: "SYNTH-0001"))
            #expect(patient.count.first?.contains("studies_by_patient (patient_id=?)") == true)
            #expect(patient.page.first?.contains("studies_by_patient (patient_id=?)") == true)
            let accession = try plans(StudyFilter(accessionNumber: "ACC-A"))
            #expect(accession.count.first?.contains("studies_by_accession (accession_number=?)") == true)
            #expect(accession.page.first?.contains("studies_by_accession (accession_number=?)") == true)
            let dates = try plans(StudyFilter(dateFrom: "20240101", dateTo: "20241231", modality: "MR"))
            #expect(dates.count.first?.contains("studies_by_recency (<expr>>? AND <expr><?)") == true)
            #expect(dates.page.first?.contains("studies_by_recency (<expr>>? AND <expr><?)") == true)
            #expect(try plans(StudyFilter(dateTo: "20241231")).count.first?.contains("(<expr><?)") == true)
            let modality = try plans(StudyFilter(modality: "MR"))
            #expect(modality.count == ["SCAN st USING COVERING INDEX studies_by_recency"], "the index alone")
            #expect(modality.page == ["SCAN st USING INDEX studies_by_recency"])
            #expect(unfiltered.summaries.first?.hasSuffix("(study_uid=?)") == true, "the page's studies by key")
            #expect(!unfiltered.summaries.contains { $0.hasPrefix("SCAN se") || $0.hasPrefix("SCAN i") })
            #expect(unfiltered.annotations.first?.contains("annotation_versions_by_study (study_uid=?)") == true)
        }
    }
}

@Suite("Migration v11: study search")
struct StudySearchMigrationTests {
    @Test("a v10 store keeps its studies, and its modalities become searchable")
    func v10StoreMigrates() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/annulus.sqlite"
            // A store as v10 left it, made by the sqlite3 tool from the registered migrations' own SQL.
            let script =
                [
                    Schema.studyIndex, Schema.annotationVersions, Schema.intakeVersions, Schema.deliveryAttempts,
                    Schema.watch, Schema.watchState, Schema.completionOutcome, Schema.seriesRegionAndLevelOverrides,
                    Schema.accounts, Schema.auditLog,
                ]
                .joined(separator: "\n") + """

                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations VALUES ('v1-study-index'), ('v2-annotation-versions'),
                        ('v3-intake-versions'), ('v4-delivery-attempts'), ('v5-watch'), ('v6-watch-state'),
                        ('v7-completion-outcome'), ('v8-series-region-level-overrides'), ('v9-accounts'),
                        ('v10-audit-log');
                    INSERT INTO patients VALUES ('SYNTH-0001', 'Phantom^Lumbar');
                    INSERT INTO studies VALUES ('1.2.3', 'SYNTH-0001', '20240105', '101500', 'ACC1', 'MR L-SPINE'),
                        ('1.2.4', 'SYNTH-0001', '20230105', NULL, 'ACC2', NULL),
                        ('1.2.5', 'SYNTH-0001', NULL, NULL, NULL, NULL);
                    INSERT INTO series (series_uid, study_uid, modality, series_number) VALUES
                        ('1.2.3.1', '1.2.3', 'MR', 1), ('1.2.3.2', '1.2.3', 'mr', 2), ('1.2.3.3', '1.2.3', 'RF', 3),
                        ('1.2.4.1', '1.2.4', 'CT', 1), ('1.2.5.1', '1.2.5', NULL, 1);
                    INSERT INTO instances (sop_instance_uid, sop_class_uid, series_uid, instance_number, image_rows,
                        image_columns, frames, path, file_size, content_sha256, indexed_at)
                    VALUES ('1.2.3.1.1', '1.2.840.10008.5.1.4.1.1.4', '1.2.3.1', 1, 256, 256, 1, '/x/1.dcm', 10,
                            '\(Fixture.sha(1))', '2026-01-01T00:00:00.000Z'),
                        ('1.2.3.3.1', '1.2.840.10008.5.1.4.1.1.4', '1.2.3.3', 1, 256, 256, 30, '/x/2.dcm', 10,
                            '\(Fixture.sha(2))', '2026-01-01T00:00:00.000Z');
                    """
            try #require(try runSQLite(path, script) == 0)

            let store = try AnnulusStore(path: path)
            #expect(try store.appliedMigrations().contains("v11-study-search"))
            let objects = try store.schemaObjects()
            for expected in [
                "index studies_by_recency", "trigger series_modality_set_insert", "trigger series_modality_set_update",
                "trigger series_modality_set_delete",
            ] {
                #expect(objects.contains(expected), "missing \(expected)")
            }
            let all = try store.studies()
            #expect(all.map(\.studyInstanceUID) == ["1.2.3", "1.2.4", "1.2.5"])
            #expect(all[0].modalities == ["MR", "RF", "mr"] && all[0].seriesCount == 3 && all[0].instanceCount == 2)
            func accessions(_ filter: StudyFilter) throws -> [String?] {
                try store.searchStudies(filter, limit: 10).studies.map(\.accessionNumber)
            }
            #expect(try accessions(StudyFilter(modality: "mr")) == ["ACC1"])
            #expect(try accessions(StudyFilter(modality: "CT")) == ["ACC2"])
            #expect(try accessions(StudyFilter(dateTo: "20231231")) == ["ACC2"])
            #expect(try store.searchStudies(StudyFilter(), limit: 2).studies == Array(all.prefix(2)))
        }
    }
}
