import AnnulusRecords
import Foundation
import Testing

@testable import Store

@Suite("Opening and migrations")
struct SchemaTests {
    @Test("Opening creates the folder, the file and the whole schema")
    func createsSchema() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/nested/data/annulus.sqlite"
            let store = try AnnulusStore(path: path)
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(
                try store.appliedMigrations() == [
                    "v1-study-index", "v2-annotation-versions", "v3-intake-versions", "v4-delivery-attempts",
                    "v5-watch", "v6-watch-state", "v7-completion-outcome", "v8-series-region-level-overrides",
                    "v9-accounts", "v10-audit-log", "v11-study-search", "v12-disc-labels", "v13-structured-reports",
                ])
            let objects = try store.schemaObjects()
            for expected in [
                "table patients", "table studies", "table series", "table instances", "table annotation_versions",
                "trigger annotation_versions_no_update", "trigger annotation_versions_no_delete",
                "trigger annotation_versions_next_version", "trigger annotation_versions_after_retraction",
                "index studies_by_accession", "index annotation_versions_by_study",
            ] {
                #expect(objects.contains(expected), "missing \(expected)")
            }
            #expect(try store.pragma("journal_mode") == "wal")
            #expect(try store.pragma("foreign_keys") == "1")
            #expect(try store.pragma("busy_timeout") == "15000")
            #expect(try store.pragma("synchronous") == "2", "FULL: a signed finding survives a power cut")
        }
    }

    @Test("Re-opening is idempotent and keeps the data")
    func reopening() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/annulus.sqlite"
            do {
                let store = try AnnulusStore(path: path)
                try Fixture.ingestStudy(store)
                _ = try store.add(
                    NewAnnotation(
                        studyUID: "1.2.826.0.1.3680043.99.1", level: "L4-L5", findingKind: "fissure",
                        payload: Fixture.payload(3)),
                    author: "dr.a", reason: nil)
            }
            for _ in 0..<2 {
                let store = try AnnulusStore(path: path)
                #expect(
                    try store.appliedMigrations() == [
                        "v1-study-index", "v2-annotation-versions", "v3-intake-versions", "v4-delivery-attempts",
                        "v5-watch", "v6-watch-state", "v7-completion-outcome", "v8-series-region-level-overrides",
                        "v9-accounts", "v10-audit-log", "v11-study-search", "v12-disc-labels", "v13-structured-reports",
                    ])
                let studies = try store.studies()
                #expect(studies.count == 1)
                #expect(studies.first?.instanceCount == 3)
                #expect(studies.first?.draftAnnotations == 1)
            }
        }
    }

    @Test("Two stores opening a new file at the same time both migrate it once")
    func concurrentFirstOpen() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/annulus.sqlite"
            try await withThrowingTaskGroup(of: [String].self) { group in
                for _ in 0..<4 {
                    group.addTask { try AnnulusStore(path: path).appliedMigrations() }
                }
                for try await applied in group {
                    #expect(
                        applied == [
                            "v1-study-index", "v2-annotation-versions", "v3-intake-versions", "v4-delivery-attempts",
                            "v5-watch", "v6-watch-state", "v7-completion-outcome", "v8-series-region-level-overrides",
                            "v9-accounts", "v10-audit-log", "v11-study-search", "v12-disc-labels",
                            "v13-structured-reports",
                        ])
                }
            }
        }
    }

    @Test("A file migrated by a newer annulus is refused, naming the unknown migration")
    func newerSchema() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/annulus.sqlite"
            try AnnulusStore(path: path).executeRawSQL(
                "INSERT INTO grdb_migrations (identifier) VALUES ('v9-from-the-future')")
            #expect(throws: StoreError.newerSchema(path: path, unknownMigrations: ["v9-from-the-future"])) {
                try AnnulusStore(path: path)
            }
        }
    }

    @Test("A file that is not a database is refused with its path")
    func notADatabase() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/annulus.sqlite"
            try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: StoreError.self) { try AnnulusStore(path: path) }
            guard case .notADatabase = error else {
                Issue.record("expected notADatabase, got \(String(describing: error))")
                return
            }
            #expect(error?.description.contains(path) == true)
        }
    }

    @Test("A folder that cannot be created is reported")
    func folderNotCreatable() async throws {
        try await withTemporaryFolder { folder in
            let blocker = folder + "/file"
            try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
            let error = #expect(throws: StoreError.self) { try AnnulusStore(path: blocker + "/data/annulus.sqlite") }
            guard case .cannotCreateFolder(let path, _) = error else {
                Issue.record("expected cannotCreateFolder, got \(String(describing: error))")
                return
            }
            #expect(path == blocker + "/data")
        }
    }

    @Test("The default path honours ANNULUS_DATA")
    func defaultPath() {
        #expect(AnnulusStore.defaultPath(environment: [:]) == "./annulus-data/annulus.sqlite")
        #expect(AnnulusStore.defaultPath(environment: ["ANNULUS_DATA": ""]) == "./annulus-data/annulus.sqlite")
        #expect(
            AnnulusStore.defaultPath(environment: ["ANNULUS_DATA": "/srv/annulus"]) == "/srv/annulus/annulus.sqlite")
        #expect(
            AnnulusStore.defaultPath(environment: ["ANNULUS_DATA": "/srv/annulus/"]) == "/srv/annulus/annulus.sqlite")
    }

    @Test("Error texts are actionable")
    func errorTexts() {
        let locked = StoreError.locked(path: "/data/annulus.sqlite", seconds: 15)
        #expect(
            locked.description.contains(
                "database is locked for more than 15 s: another annulus process is holding it"))
        #expect(locked.description.contains("/data/annulus.sqlite"))
        #expect(StoreError.authorRequired.description == "an author is required: pass --author or set ANNULUS_USER")
    }
}

@Suite("Migration v7: study completion outcomes")
struct CompletionOutcomeMigrationTests {
    @Test("a v5 store's watched studies survive the rebuild of watch_studies, in order, with no attempts")
    func v5StoreMigrates() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/annulus.sqlite"
            // A store as v5 left it, made by the sqlite3 tool from the registered migrations' own SQL.
            let script =
                [
                    Schema.studyIndex, Schema.annotationVersions, Schema.intakeVersions, Schema.deliveryAttempts,
                    Schema.watch,
                ]
                .joined(separator: "\n") + """

                    CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY);
                    INSERT INTO grdb_migrations VALUES ('v1-study-index'), ('v2-annotation-versions'),
                        ('v3-intake-versions'), ('v4-delivery-attempts'), ('v5-watch');
                    INSERT INTO watch_studies (study_uid, state, first_arrival, last_arrival, instances_received,
                        expected_instances, completed_at, completion)
                    VALUES ('1.2.3', 'complete', 1, 2, 5, NULL, '2026-01-01T00:00:00Z', 'done'),
                        ('1.2.4', 'pending', 3, 4, 1, 7, NULL, NULL);
                    """
            try #require(try runSQLite(path, script) == 0)
            let store = try AnnulusStore(path: path)
            #expect(try store.appliedMigrations().last == Schema.migrationIdentifiers.last)
            let studies = try store.watchStudies()
            #expect(studies.map(\.studyUID) == ["1.2.3", "1.2.4"])
            #expect(studies[0].state == .complete && studies[0].completion == "done")
            #expect(studies[1].state == .pending && studies[1].expectedInstances == 7)
            #expect(studies.allSatisfy { $0.attempts == 0 && $0.failure == nil })
            #expect(try store.studiesDue(quietSince: 10).map(\.studyUID) == ["1.2.4"])
        }
    }
}
