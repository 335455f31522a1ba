import Foundation
import Testing

@testable import Store

/// Runs the sqlite3 command-line tool (a real SQLite, independent of GRDB) and returns its standard output.
@discardableResult
func sqlite3(_ path: String, _ sql: String) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
    process.arguments = [path, sql]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = Pipe()
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

/// Overwrites `count` bytes at `offset` of the file with a junk pattern.
func overwrite(_ path: String, offset: Int, count: Int) throws {
    let handle = try #require(FileHandle(forUpdatingAtPath: path))
    try handle.seek(toOffset: UInt64(offset))
    try handle.write(contentsOf: Data((0..<count).map { UInt8(truncatingIfNeeded: 0xDE &+ $0 &* 7) }))
    try handle.synchronize()
    try handle.close()
}

@Suite("The store protects its history")
struct StoreProtectionTests {
    static let hasSQLite3 = FileManager.default.isExecutableFile(atPath: "/usr/bin/sqlite3")

    /// A store with 3000 instances (about a hundred pages), closed and checkpointed so every page is in the
    /// main file.
    static func filledStore(in folder: String) throws -> String {
        let path = folder + "/annulus.sqlite"
        do {
            let store = try AnnulusStore(path: path)
            let records = (1...3000).map { index in
                Fixture.record(
                    sop: "1.2.826.0.1.3680043.99.1.1.\(index)", instanceNumber: index,
                    path: "/exports/folder-\(index % 17)/image-\(index).dcm", sha: index)
            }
            _ = try store.ingest(records)
        }
        try sqlite3(path, "PRAGMA wal_checkpoint(TRUNCATE);")
        return path
    }

    @Test("a 0-byte file is refused by every mode, naming the path, and stays 0 bytes")
    func emptyFile() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/annulus.sqlite"
            FileManager.default.createFile(atPath: path, contents: Data())
            for mode in [AnnulusStore.OpenMode.createIfMissing, .existingOnly, .inspectOnly] {
                #expect(throws: StoreError.emptyFile(path: path)) { try AnnulusStore(path: path, mode: mode) }
            }
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
            #expect(size == 0)
            #expect(!FileManager.default.fileExists(atPath: path + "-wal"))
            #expect(
                StoreError.emptyFile(path: path).description
                    == "the store \(path) is an empty file (0 bytes), not an annulus store: its history is not in it."
                    + " If a store should be there, restore it from a backup (docs/operations.md, \"Store integrity\");"
                    + " if this file is a mistake, remove it and run `annulus ingest` or `annulus watch` to start a new"
                    + " store")
        }
    }

    @Test("a text file is refused as not SQLite, without being touched")
    func textFile() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/annulus.sqlite"
            try Data("study,accession\n1.2.3,ACC1\n".utf8).write(to: URL(fileURLWithPath: path))
            let error = #expect(throws: StoreError.self) { try AnnulusStore(path: path) }
            #expect(
                error?.description
                    == "\(path) is not an annulus store (the file does not start with the SQLite header: it is not an"
                    + " SQLite database (only 27 bytes)); point --data (or ANNULUS_DATA) at the right data folder, or"
                    + " move this file aside")
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(text == "study,accession\n1.2.3,ACC1\n")
        }
    }

    @Test("an SQLite file with no tables, or another program's tables, is refused and not filled in")
    func schemaless() async throws {
        try #require(Self.hasSQLite3, "sqlite3 is not installed")
        try await withTemporaryFolder { folder in
            let empty = folder + "/empty.sqlite"
            try sqlite3(empty, "PRAGMA user_version = 7;")
            #expect(
                throws: StoreError.notADatabase(
                    path: empty, reason: "an SQLite database with no tables, not an annulus store")
            ) {
                try AnnulusStore(path: empty, mode: .createIfMissing)
            }
            let objects = try sqlite3(empty, "SELECT count(*) FROM sqlite_master")
            #expect(objects == "0", "no schema was created")
            let other = folder + "/other.sqlite"
            try sqlite3(other, "CREATE TABLE orders (id INTEGER);")
            #expect(
                throws: StoreError.notADatabase(
                    path: other, reason: "an SQLite database of another program (tables: orders), not an annulus store")
            ) { try AnnulusStore(path: other) }
        }
    }

    @Test("existingOnly refuses a missing path and creates nothing, not even the folder")
    func missing() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/data/annulus.sqlite"
            #expect(throws: StoreError.missing(path: path)) { try AnnulusStore(path: path, mode: .existingOnly) }
            #expect(throws: StoreError.missing(path: path)) { try AnnulusStore(path: path, mode: .inspectOnly) }
            #expect(!FileManager.default.fileExists(atPath: folder + "/data"))
        }
    }

    @Test("a new store appears complete, and no temporary file is left beside it")
    func createdComplete() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/data/annulus.sqlite"
            _ = try AnnulusStore(path: path, mode: .createIfMissing)
            let left = try FileManager.default.contentsOfDirectory(atPath: folder + "/data")
            #expect(!left.contains { $0.contains(".creating-") }, "\(left)")
            let applied = try AnnulusStore(path: path, mode: .existingOnly).appliedMigrations()
            #expect(applied.count == Schema.migrationIdentifiers.count)
        }
    }

    @Test("a sound store passes the quick and the full check")
    func cleanCheck() async throws {
        try await withTemporaryFolder { folder in
            let path = try Self.filledStore(in: folder)
            let store = try AnnulusStore(path: path, mode: .inspectOnly)
            let quick = try store.integrityCheck()
            let full = try store.integrityCheck(full: true)
            #expect(quick == IntegrityReport(full: false, problems: []))
            #expect(full.isClean && full.full)
        }
    }

    @Test("junk over an index's root page is found and named with its table")
    func damagedIndex() async throws {
        try #require(Self.hasSQLite3, "sqlite3 is not installed")
        try await withTemporaryFolder { folder in
            let path = try Self.filledStore(in: folder)
            let pageSize = try #require(Int(try sqlite3(path, "PRAGMA page_size")))
            let root = try #require(
                Int(try sqlite3(path, "SELECT rootpage FROM sqlite_master WHERE name = 'instances_by_path'")))
            try overwrite(path, offset: pageSize * (root - 1), count: pageSize)
            let report = try AnnulusStore(path: path, mode: .inspectOnly).integrityCheck()
            #expect(!report.isClean)
            #expect(report.damagedTables == ["instances"], "\(report.problems)")
            #expect(report.problems.contains { $0.index == "instances_by_path" }, "\(report.problems)")
        }
    }

    @Test("junk over a page in the middle of a table is found, named, and queries on it fail as damaged")
    func damagedTable() async throws {
        try #require(Self.hasSQLite3, "sqlite3 is not installed")
        try await withTemporaryFolder { folder in
            let path = try Self.filledStore(in: folder)
            let pageSize = try #require(Int(try sqlite3(path, "PRAGMA page_size")))
            // A leaf page of the instances table, found through dbstat (the page in the middle of its tree).
            let pages = try sqlite3(path, "SELECT pageno FROM dbstat WHERE name = 'instances' AND pagetype = 'leaf'")
                .split(separator: "\n").compactMap { Int($0) }
            let page = try #require(pages.isEmpty ? nil : pages[pages.count / 2])
            try overwrite(path, offset: pageSize * (page - 1), count: pageSize)
            let store = try AnnulusStore(path: path, mode: .existingOnly)
            let report = try store.integrityCheck()
            #expect(report.damagedTables == ["instances"], "\(report.problems)")
            #expect(report.problems.contains { $0.message.contains("Page \(page)") }, "\(report.problems)")
            // Reading every instance walks the damaged page: the error is `.damaged`, not a generic failure.
            let error = #expect(throws: StoreError.self) {
                for study in try store.studies() {
                    for series in try store.series(ofStudy: study.studyInstanceUID) {
                        _ = try store.instances(ofSeries: series.seriesInstanceUID)
                    }
                }
            }
            guard case .damaged(let damagedPath, let detail)? = error else {
                Issue.record("expected .damaged, got \(String(describing: error))")
                return
            }
            #expect(damagedPath == path)
            #expect(detail.contains("malformed"), "\(detail)")
            #expect(error?.description.contains("run `annulus check --data \(folder)`") == true)
        }
    }

    @Test("the quick check of a normal store is fast")
    func quickCheckIsFast() async throws {
        try await withTemporaryFolder { folder in
            let path = try Self.filledStore(in: folder)
            let store = try AnnulusStore(path: path, mode: .inspectOnly)
            let start = Date()
            _ = try store.integrityCheck()
            let seconds = Date().timeIntervalSince(start)
            #expect(seconds < 1, "quick_check of 3000 instances took \(seconds) s")
        }
    }
}
