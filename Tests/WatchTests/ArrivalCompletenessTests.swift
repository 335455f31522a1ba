import Foundation
import Ingest
import Store
import Testing

@testable import Watch

@Suite("Arrivals: completeness before stability, staged placements, waiting files")
struct ArrivalCompletenessTests {
    typealias Place = ArrivalProcessorTests.Place
    static let corpus = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("../shared/corpus").standardized.path
    static var hasCorpus: Bool { FileManager.default.fileExists(atPath: corpus + "/expectations.csv") }

    /// The byte offset of the last (7FE0,0010) PixelData tag (explicit VR little endian) in `data`.
    static func pixelDataOffset(_ data: Data) throws -> Int {
        let tag = Data([0xE0, 0x7F, 0x10, 0x00])
        return try #require(data.lastRange(of: tag)?.lowerBound)
    }

    @Test("a placement onto an archived hard link of the same file (a batch killed before its commit) stages nothing")
    func placementOverItsOwnLink() throws {
        let place = try Place()
        defer { place.remove() }
        let source = place.incoming + "/IM1.dcm"
        try FileManager.default.copyItem(atPath: try ArrivalProcessorTests.sample(), toPath: source)
        let record = try InstanceReader.read(path: source).record
        let target = place.archive.archivePath(
            study: record.studyInstanceUID, series: record.seriesInstanceUID, sop: record.sopInstanceUID)
        // The killed watcher had linked the source into the archive but never recorded the batch.
        try place.archive.place(source, at: target, link: true)
        #expect(place.archive.incomingLeftovers().isEmpty)
        let report = try ArrivalProcessor(store: place.store, archive: place.archive, disposition: .move).process([
            source
        ])
        #expect(report.added == 1)
        #expect(place.archive.incomingLeftovers().isEmpty, "rename(2) onto the same inode does nothing")
        #expect(!FileManager.default.fileExists(atPath: source))
        #expect(FileManager.default.fileExists(atPath: target))
    }

    @Test(
        "every prefix of an image (empty, preamble, header only, part of the pixels) is incomplete; the whole is taken")
    func prefixesAreIncomplete() throws {
        let place = try Place()
        defer { place.remove() }
        let whole = try Data(contentsOf: URL(fileURLWithPath: try ArrivalProcessorTests.sample()))
        let pixels = try Self.pixelDataOffset(whole)
        let processor = ArrivalProcessor(store: place.store, archive: place.archive, disposition: .keep)
        let path = place.incoming + "/growing.dcm"
        for size in [0, 100, 700, pixels, pixels + 12, pixels + (whole.count - pixels) / 2, whole.count - 1] {
            try whole.prefix(size).write(to: URL(fileURLWithPath: path))
            let report = try processor.process([path], waitForIncomplete: { _ in true })
            #expect(report.incomplete.map(\.file.path) == [path], "\(size) of \(whole.count) bytes: \(report)")
            #expect(report.added == 0 && report.quarantined == 0)
            if size == pixels {
                #expect(report.incomplete.first?.reason.contains("no PixelData") == true, "\(report.incomplete)")
            }
        }
        #expect(try place.store.ledger().isEmpty, "nothing recorded for an incomplete file")
        #expect(try FileManager.default.contentsOfDirectory(atPath: place.archive.quarantineRoot).isEmpty)
        try whole.write(to: URL(fileURLWithPath: path))
        let report = try processor.process([path], waitForIncomplete: { _ in true })
        #expect(report.added == 1 && report.incomplete.isEmpty)
        let record = try InstanceReader.read(path: path).record
        let indexed = try #require(try place.store.instance(sopInstanceUID: record.sopInstanceUID))
        #expect(indexed.rows > 0 && FileManager.default.contentsEqual(atPath: indexed.path, andPath: path))
    }

    @Test("an incomplete file no longer waited for is quarantined once, saying it is incomplete")
    func incompleteQuarantined() throws {
        let place = try Place()
        defer { place.remove() }
        let whole = try Data(contentsOf: URL(fileURLWithPath: try ArrivalProcessorTests.sample()))
        let path = place.incoming + "/cut.dcm"
        try whole.prefix(try Self.pixelDataOffset(whole)).write(to: URL(fileURLWithPath: path))
        let processor = ArrivalProcessor(store: place.store, archive: place.archive, disposition: .keep)
        #expect(try processor.process([path]).quarantined == 1)
        #expect(try processor.process([path]).alreadyTaken == 1, "taken once")
        let quarantined = try FileManager.default.contentsOfDirectory(atPath: place.archive.quarantineRoot)
        #expect(quarantined.count == 2, "the file and its reason: \(quarantined)")
        let reason = try String(
            contentsOfFile: place.archive.quarantineRoot + "/" + #require(quarantined.first { $0.hasSuffix(".txt") }),
            encoding: .utf8)
        #expect(reason.contains("incomplete: the header announces an image"), "\(reason)")
    }

    @Test(
        "objects without pixels by nature (SR, RT plan, floating-point map) are complete at once",
        .enabled(if: hasCorpus, "../shared/corpus is not here"))
    func pixelLessObjectsTaken() throws {
        let place = try Place()
        defer { place.remove() }
        let files = [
            "pydicom/src/pydicom/data/test_files/test-SR.dcm",
            "pydicom/src/pydicom/data/test_files/ExplVR_LitEndNoMeta.dcm",
            "pydicom-data/data_store/data/parametric_map_float.dcm",
        ]
        var paths: [String] = []
        for (index, file) in files.enumerated() {
            let path = place.incoming + "/\(index).dcm"
            try FileManager.default.copyItem(atPath: Self.corpus + "/" + file, toPath: path)
            paths.append(path)
        }
        let processor = ArrivalProcessor(store: place.store, archive: place.archive, disposition: .keep)
        let report = try processor.process(paths, waitForIncomplete: { _ in true })
        #expect(report.incomplete.isEmpty, "\(report.incomplete)")
        #expect(report.added == files.count, "\(report)")
    }

    @Test("an incomplete file is read again once it stops changing and given up on after the patience")
    func incompleteReview() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("incomplete-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("a.dcm").path
        try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
        func read() throws -> WatchedFile {
            let stat = try #require(FileStat(path))
            return WatchedFile(path: path, size: stat.size, mtimeNanoseconds: stat.mtimeNanoseconds)
        }
        var files = IncompleteFiles(interval: 1)
        files.note(try read(), now: 100)
        #expect(files.review(now: 105, patience: 10) == ([], []), "read, unchanged: waits")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([4]))
        try handle.close()
        #expect(files.review(now: 106, patience: 10) == ([], []), "changed: the clock starts again")
        #expect(files.review(now: 107, patience: 10) == ([path], []), "unchanged for the interval: read again")
        files.note(try read(), now: 107.5)
        #expect(files.review(now: 108, patience: 10) == ([], []), "read again, still incomplete: waits")
        // Read at one size, changed before it was noted: it is read again, not given up on at the new size.
        let stale = try read()
        let again = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try again.seekToEnd()
        try again.write(contentsOf: Data([5]))
        try again.close()
        files.note(stale, now: 109)
        #expect(files.review(now: 109.5, patience: 10) == ([], []))
        #expect(files.review(now: 110.6, patience: 10) == ([path], []), "the change is read")
        files.note(try read(), now: 110.6)
        #expect(files.review(now: 119, patience: 10) == ([], []))
        #expect(files.review(now: 120, patience: 10) == ([], [path]), "incomplete and unchanged for the patience")
        #expect(files.count == 0)
    }

    @Test("a full disk is waited out with growing pauses; a damaged store is not; neither reason names a source file")
    func retryAndDamage() throws {
        let place = try Place()
        defer { place.remove() }
        let full = WatchError.from(
            place.incoming + "/Doe^Jane.dcm", "cannot copy: \(String(cString: strerror(ENOSPC)))", errno: ENOSPC)
        guard case .storage = full else {
            Issue.record("ENOSPC is storage trouble: \(full)")
            return
        }
        guard case .file = WatchError.from("x", "no such file", errno: ENOENT) else {
            Issue.record("ENOENT is not storage trouble")
            return
        }
        let reason = BatchRetry.reason(for: full, archive: place.archive, store: place.store)
        #expect(reason.text.hasPrefix("disk full on \(place.root)/data (free "), "\(reason.text)")
        #expect(!reason.text.contains("Doe"))
        let database = BatchRetry.reason(
            for: StoreError.diskFull(path: place.store.path), archive: place.archive, store: place.store)
        #expect(database.text.hasPrefix("disk full on \(place.root)/data (free "), "\(database.text)")
        var retry: BatchRetry?
        var pauses: [Double] = []
        for attempt in 0..<9 {
            retry = BatchRetry(after: retry, reason: reason, now: 1000 + Double(attempt))
            pauses.append(retry?.pause ?? 0)
        }
        #expect(pauses == [1, 2, 4, 8, 16, 32, 60, 60, 60])
        #expect(retry?.failures == 9 && retry?.since == 1000)

        #expect(
            StoreDamage.describe(StoreError.notADatabase(path: "/d/annulus.sqlite", reason: "file is not a database"))
                != nil)
        #expect(
            StoreDamage.describe(StoreError.database(path: "/d/a", reason: "database disk image is malformed")) != nil)
        #expect(StoreDamage.describe(StoreError.diskFull(path: "/d/annulus.sqlite")) == nil)
        #expect(StoreDamage.describe(full) == nil, "a file named after damage is not damage")
    }
}
