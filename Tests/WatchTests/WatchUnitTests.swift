import Foundation
import Testing

@testable import Watch

@Suite("Watch units: names, stability, archive paths, queue")
struct WatchUnitTests {
    @Test("temporary, hidden and partial names are left alone; ordinary names are taken")
    func filter() {
        let root = "/exports"
        for ignored in [
            "/exports/a.dcm.part", "/exports/.hidden.dcm", "/exports/.sync/a.dcm", "/exports/x.tmp",
            "/exports/y.dcm~", "/exports/STUDY/IM1.filepart",
        ] {
            #expect(ArrivalFilter.ignores(ignored, root: root), "\(ignored)")
        }
        for taken in ["/exports/IM0001", "/exports/STUDY/SERIES/1.2.3.dcm", "/exports/a.part.dcm"] {
            #expect(!ArrivalFilter.ignores(taken, root: root), "\(taken)")
        }
    }

    @Test("a found file is taken after two equal looks; a growing one waits; a writing one waits for its close")
    func stability() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stability-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let steady = folder.appendingPathComponent("steady.dcm").path
        let growing = folder.appendingPathComponent("growing.dcm").path
        let writing = folder.appendingPathComponent("writing.dcm").path
        for path in [steady, growing, writing] { try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path)) }
        var tracker = StabilityTracker(interval: 1, abandonedAfter: 10)
        tracker.found(steady, now: 100)
        tracker.found(growing, now: 100)
        tracker.writing(writing, now: 100)
        #expect(tracker.stable(now: 100.5).isEmpty, "too early")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: growing))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([4]))
        try handle.close()
        #expect(tracker.stable(now: 101) == [steady], "the growing file starts its clock again")
        #expect(tracker.stable(now: 102) == [growing])
        #expect(tracker.stable(now: 105).isEmpty, "a file being written waits for its close")
        #expect(tracker.stable(now: 111) == [writing], "unless its writer is gone for good")
        tracker.found(steady, now: 200)
        try FileManager.default.removeItem(atPath: steady)
        #expect(tracker.stable(now: 300).isEmpty && tracker.waiting == 0, "a vanished file is forgotten")
    }

    @Test("archive paths use plain UIDs and hash anything else, so no header can steer a path")
    func archivePaths() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("archive-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let archive = try FileArchive(dataFolder: data, watchedRoot: "/in")
        #expect(
            archive.archivePath(study: "1.2", series: "1.2.3", sop: "1.2.3.4") == data
                + "/archive/1.2/1.2.3/1.2.3.4.dcm")
        let hostile = archive.archivePath(study: "../../etc", series: "1.2", sop: "a/b")
        #expect(!hostile.contains("..") && hostile.hasPrefix(data + "/archive/x"))
        #expect(hostile.split(separator: "/").count == (data + "/archive/x/1.2/y.dcm").split(separator: "/").count)
    }

    @Test("with durable sources a flush fsyncs the folders placed into (and a new folder's parents), not the disk")
    func durableSourcesFlush() throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("durable-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        try FileManager.default.createDirectory(atPath: data + "/in", withIntermediateDirectories: true)
        let sources = (1...3).map { data + "/in/\($0).dcm" }
        for source in sources { try Data("object \(source)".utf8).write(to: URL(fileURLWithPath: source)) }

        let archive = try FileArchive(dataFolder: data, watchedRoot: data + "/in", sourcesAreDurable: true)
        let first = archive.archivePath(study: "1.2", series: "1.2.3", sop: "1.2.3.1")
        try archive.place(sources[0], at: first, link: true)
        let root = data + "/archive"
        #expect(archive.foldersToSync == [root + "/1.2/1.2.3", root + "/1.2", root], "new folders and their parents")
        try archive.flush()
        #expect(archive.foldersToSync.isEmpty)
        var info = stat()
        #expect(stat(first, &info) == 0 && info.st_nlink == 2, "placed by a hard link")

        try archive.place(
            sources[1], at: archive.archivePath(study: "1.2", series: "1.2.3", sop: "1.2.3.2"), link: true)
        #expect(archive.foldersToSync == [root + "/1.2/1.2.3"], "a known folder only gains an entry")
        let aside = try archive.supersede(first)
        #expect(FileManager.default.fileExists(atPath: aside))
        #expect(archive.foldersToSync == [root + "/1.2/1.2.3"])
        try archive.flush()

        // A folder removed behind the archive's back: the flush says which, rather than claiming durability.
        try archive.place(
            sources[2], at: archive.archivePath(study: "1.9", series: "1.9.1", sop: "1.9.1.1"), link: true)
        try FileManager.default.removeItem(atPath: root + "/1.9")
        #expect {
            try archive.flush()
        } throws: { error in
            "\(error)".contains("/archive/1.9")
        }
        // Placing there again makes the folders anew, and the next flush syncs them and their parents.
        try archive.place(first, at: archive.archivePath(study: "1.9", series: "1.9.1", sop: "1.9.1.2"), link: true)
        #expect(archive.foldersToSync == [root + "/1.9/1.9.1", root + "/1.9", root])
        try archive.flush()

        // The watcher's archive (sources possibly only in the page cache) tracks nothing and syncs the file system.
        let watcher = try FileArchive(dataFolder: data, watchedRoot: data + "/in")
        try watcher.place(first, at: watcher.archivePath(study: "1.3", series: "1.3.1", sop: "1.3.1.1"), link: false)
        #expect(watcher.foldersToSync.isEmpty)
        try watcher.flush()
    }

    @Test("empty folders untouched long enough are removed, deepest first; fresh, full and excluded ones stay")
    func emptyFolders() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("empty-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        for folder in ["old/series/frames", "full", "fresh", "data/archive"] {
            try FileManager.default.createDirectory(atPath: root + "/" + folder, withIntermediateDirectories: true)
        }
        try Data([1]).write(to: URL(fileURLWithPath: root + "/full/IM1"))
        let hourAgo = Date().addingTimeInterval(-3600)
        for folder in ["old", "old/series", "old/series/frames", "full", "data", "data/archive"] {
            try FileManager.default.setAttributes([.modificationDate: hourAgo], ofItemAtPath: root + "/" + folder)
        }
        let removed = EmptyFolders.prune(under: root, excluding: [root + "/data"], quietSeconds: 600)
        #expect(removed == 3)
        let left = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
        #expect(left == ["data", "fresh", "full"])
        #expect(FileManager.default.fileExists(atPath: root + "/data/archive"))
    }

    @Test("the queue keeps arrival order and each path once")
    func queue() {
        var queue = ArrivalQueue()
        for path in ["a", "b", "a", "c"] { queue.append(path) }
        queue.remove("b")
        #expect(queue.count == 2 && queue.contains("c"))
        #expect(queue.take(5) == ["a", "c"] && queue.isEmpty)
    }
}
