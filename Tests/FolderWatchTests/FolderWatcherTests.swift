import Foundation
import Glibc
import Testing

@testable import FolderWatch

@Suite("FolderWatcher: recursive inotify")
struct FolderWatcherTests {
    @Test("Data.write yields .writing, then .closedAfterWrite")
    func writeThenClose() throws {
        let folder = try TempFolder("write")
        defer { folder.remove() }
        let watcher = try FolderWatcher(root: folder.path)
        defer { watcher.close() }

        try folder.write("a.dcm", bytes: 100_000)
        let path = folder.at("a.dcm")
        let events = collect(watcher, until: .closedAfterWrite(path))
        let writing = try #require(events.firstIndex(of: .writing(path)))
        let closed = try #require(events.firstIndex(of: .closedAfterWrite(path)))
        #expect(writing < closed)
    }

    @Test("FileHandle writes yield .writing, then .closedAfterWrite on close")
    func fileHandle() throws {
        let folder = try TempFolder("handle")
        defer { folder.remove() }
        let watcher = try FolderWatcher(root: folder.path)
        defer { watcher.close() }

        let path = folder.at("b.dcm")
        #expect(FileManager.default.createFile(atPath: path, contents: nil))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.write(contentsOf: Data(repeating: 1, count: 4096))
        let early = collect(watcher, until: .writing(path))
        #expect(early.contains(.writing(path)))
        try handle.write(contentsOf: Data(repeating: 2, count: 4096))
        try handle.close()
        let events = collect(watcher, until: .closedAfterWrite(path))
        #expect(events.contains(.closedAfterWrite(path)))
    }

    @Test("x.part renamed to x.dcm inside the tree yields .movedIn(x.dcm) and .removed(x.part)")
    func partRenamed() throws {
        let folder = try TempFolder("part")
        defer { folder.remove() }
        let watcher = try FolderWatcher(root: folder.path)
        defer { watcher.close() }

        try folder.write("x.part")
        try folder.move(folder.at("x.part"), to: folder.at("x.dcm"))
        let events = collect(watcher, untilAll: [.movedIn(folder.at("x.dcm")), .removed(folder.at("x.part"))])
        #expect(events.contains(.movedIn(folder.at("x.dcm"))))
        #expect(events.contains(.removed(folder.at("x.part"))))
        #expect(!events.contains(.closedAfterWrite(folder.at("x.dcm"))))
    }

    @Test("A file moved in from outside the tree yields .movedIn")
    func movedFromOutside() throws {
        let folder = try TempFolder("in")
        let outside = try TempFolder("out")
        defer {
            folder.remove()
            outside.remove()
        }
        try outside.write("c.dcm")
        let watcher = try FolderWatcher(root: folder.path)
        defer { watcher.close() }

        try folder.move(outside.at("c.dcm"), to: folder.at("c.dcm"))
        let events = collect(watcher, until: .movedIn(folder.at("c.dcm")))
        #expect(events == [.movedIn(folder.at("c.dcm"))])
    }

    @Test("mkdir -p a/b/c and a file right after: the file is reported, later files close normally")
    func newNestedDirectories() throws {
        let folder = try TempFolder("mkdir")
        defer { folder.remove() }
        let watcher = try FolderWatcher(root: folder.path)
        defer { watcher.close() }

        try folder.mkdir("a/b/c")
        try folder.write("a/b/c/1.dcm")
        let first = folder.at("a/b/c/1.dcm")
        let events = collect(watcher) { $0.contains(.found(first)) || $0.contains(.closedAfterWrite(first)) }
        #expect(events.contains(.found(first)) || events.contains(.closedAfterWrite(first)))
        #expect(watcher.watchedDirectories.isSuperset(of: [folder.at("a"), folder.at("a/b"), folder.at("a/b/c")]))

        try folder.write("a/b/c/2.dcm")
        let later = collect(watcher, until: .closedAfterWrite(folder.at("a/b/c/2.dcm")))
        #expect(later.contains(.closedAfterWrite(folder.at("a/b/c/2.dcm"))))
    }

    @Test("A directory tree moved in from outside: its files are .found, later writes inside are seen")
    func treeMovedIn() throws {
        let folder = try TempFolder("treein")
        let outside = try TempFolder("treeout")
        defer {
            folder.remove()
            outside.remove()
        }
        try outside.mkdir("study/series1")
        try outside.mkdir("study/series2/deep")
        try outside.write("study/top.dcm")
        try outside.write("study/series1/1.dcm")
        try outside.write("study/series2/deep/2.dcm")
        let watcher = try FolderWatcher(root: folder.path)
        defer { watcher.close() }

        try folder.move(outside.at("study"), to: folder.at("study"))
        let expected: [FolderEvent] = [
            .found(folder.at("study/top.dcm")), .found(folder.at("study/series1/1.dcm")),
            .found(folder.at("study/series2/deep/2.dcm")),
        ]
        let events = collect(watcher, untilAll: expected)
        #expect(expected.allSatisfy(events.contains))

        try folder.write("study/series2/deep/3.dcm")
        let later = collect(watcher, until: .closedAfterWrite(folder.at("study/series2/deep/3.dcm")))
        #expect(later.contains(.closedAfterWrite(folder.at("study/series2/deep/3.dcm"))))
    }

    @Test("A directory renamed inside the tree keeps being watched under its new path")
    func directoryRenamedInside() throws {
        let folder = try TempFolder("rename")
        defer { folder.remove() }
        try folder.mkdir("incoming/s1")
        try folder.write("incoming/s1/1.dcm")
        let watcher = try FolderWatcher(root: folder.path)
        defer { watcher.close() }

        try folder.move(folder.at("incoming"), to: folder.at("done"))
        let events = collect(watcher, until: .found(folder.at("done/s1/1.dcm")))
        #expect(events.contains(.found(folder.at("done/s1/1.dcm"))))
        try folder.write("done/s1/2.dcm")
        let later = collect(watcher, until: .closedAfterWrite(folder.at("done/s1/2.dcm")))
        #expect(later.contains(.closedAfterWrite(folder.at("done/s1/2.dcm"))))
        #expect(!later.contains { $0.path?.hasPrefix(folder.at("incoming")) ?? false })
        let watched = watcher.watchedDirectories
        #expect(watched.contains(folder.at("done/s1")))
        #expect(!watched.contains(folder.at("incoming")) && !watched.contains(folder.at("incoming/s1")))
    }

    @Test("Excluded directories are never watched nor reported, by events or scans")
    func excluded() throws {
        let folder = try TempFolder("excl")
        defer { folder.remove() }
        try folder.mkdir("annulus-data/db")
        try folder.write("annulus-data/db/old.sqlite")
        try folder.write("kept.dcm")
        // Excluded paths may be given with a trailing slash, and may not exist yet.
        let watcher = try FolderWatcher(
            root: folder.path, excluding: [folder.at("annulus-data/"), folder.at("later")])
        defer { watcher.close() }

        #expect(watcher.initialScan() == [folder.at("kept.dcm")])
        #expect(!watcher.watchedDirectories.contains { $0.hasPrefix(folder.at("annulus-data")) })

        try folder.write("annulus-data/db/new.sqlite")
        try folder.mkdir("annulus-data/db/sub")
        try folder.write("annulus-data/db/sub/x")
        try folder.mkdir("later/inside")
        try folder.write("later/inside/y")
        try folder.write("sentinel.dcm")
        var events = collect(watcher, until: .closedAfterWrite(folder.at("sentinel.dcm")))
        events += watcher.next(timeout: 0.3)
        events += watcher.rescan()
        let leaked = events.filter {
            guard let path = $0.path else { return false }
            return path.hasPrefix(folder.at("annulus-data")) || path.hasPrefix(folder.at("later"))
        }
        #expect(leaked.isEmpty)
        #expect(events.contains(.found(folder.at("kept.dcm"))))
        #expect(!watcher.watchedDirectories.contains { $0.hasPrefix(folder.at("later")) })
    }

    @Test("initialScan lists regular files recursively, sorted; symlinks and fifos are left out")
    func initialScan() throws {
        let folder = try TempFolder("scan")
        defer { folder.remove() }
        try folder.mkdir("z/y")
        try folder.mkdir("b")
        try folder.write("z/y/3.dcm")
        try folder.write("b/2.dcm")
        try folder.write("a.dcm")
        try folder.write(".hidden")
        try FileManager.default.createSymbolicLink(
            atPath: folder.at("link.dcm"), withDestinationPath: folder.at("a.dcm"))
        try FileManager.default.createSymbolicLink(atPath: folder.at("linkdir"), withDestinationPath: folder.at("z"))
        #expect(mkfifo(folder.at("pipe"), 0o600) == 0)
        let watcher = try FolderWatcher(root: folder.path + "/")
        defer { watcher.close() }

        #expect(watcher.root == folder.path)
        #expect(
            watcher.initialScan() == [
                folder.at(".hidden"), folder.at("a.dcm"), folder.at("b/2.dcm"), folder.at("z/y/3.dcm"),
            ])
    }

    @Test("Deleting a file yields .removed; a deleted directory loses its watch")
    func removal() throws {
        let folder = try TempFolder("rm")
        defer { folder.remove() }
        try folder.mkdir("d")
        try folder.write("d/gone.dcm")
        let watcher = try FolderWatcher(root: folder.path)
        defer { watcher.close() }
        #expect(watcher.watchedDirectories == [folder.path, folder.at("d")])

        try FileManager.default.removeItem(atPath: folder.at("d/gone.dcm"))
        let events = collect(watcher, until: .removed(folder.at("d/gone.dcm")))
        #expect(events.contains(.removed(folder.at("d/gone.dcm"))))

        try FileManager.default.removeItem(atPath: folder.at("d"))
        _ = collect(watcher, seconds: 5) { _ in watcher.watchedDirectories == [folder.path] }
        #expect(watcher.watchedDirectories == [folder.path])
    }

    @Test("next(timeout:) with nothing happening returns [] after about the timeout")
    func timeout() throws {
        let folder = try TempFolder("idle")
        defer { folder.remove() }
        let watcher = try FolderWatcher(root: folder.path)
        defer { watcher.close() }

        let start = Date()
        let events = watcher.next(timeout: 0.2)
        let elapsed = Date().timeIntervalSince(start)
        #expect(events.isEmpty)
        #expect(elapsed >= 0.15)
        #expect(elapsed < 3)
    }

    @Test("close() is idempotent; next after close returns at once with nothing")
    func closeTwice() throws {
        let folder = try TempFolder("close")
        defer { folder.remove() }
        let watcher = try FolderWatcher(root: folder.path)
        watcher.close()
        watcher.close()
        try folder.write("late.dcm")
        let start = Date()
        #expect(watcher.next(timeout: 2).isEmpty)
        #expect(Date().timeIntervalSince(start) < 1)
    }

    @Test("Many files with names of every length are all reported (record parsing, batching)")
    func manyFiles() throws {
        let folder = try TempFolder("many")
        defer { folder.remove() }
        let watcher = try FolderWatcher(root: folder.path)
        defer { watcher.close() }

        let names = (1...300).map { String(repeating: "n", count: $0 % 200 + 1) + "-\($0).dcm" }
        for name in names { try folder.write(name, bytes: 10) }
        let expected = names.map { FolderEvent.closedAfterWrite(folder.at($0)) }
        let events = collect(watcher, untilAll: expected)
        #expect(Set(expected).isSubset(of: Set(events)))
        #expect(!events.contains(.overflow))
    }

    @Test("The missing root and a file as root throw errors naming the path")
    func errors() throws {
        let folder = try TempFolder("err")
        defer { folder.remove() }
        let missing = folder.at("nope")
        #expect {
            _ = try FolderWatcher(root: missing)
        } throws: { error in
            guard let error = error as? FolderWatchError else { return false }
            return error.kind == .missing && error.description.contains(missing)
        }

        try folder.write("file.dcm")
        let file = folder.at("file.dcm")
        #expect {
            _ = try FolderWatcher(root: file)
        } throws: { error in
            guard let error = error as? FolderWatchError else { return false }
            return error.kind == .notADirectory && error.description.contains(file)
        }

        let limit = FolderWatchError(kind: .watchLimitReached, path: "/exports", code: ENOSPC)
        #expect(limit.description.contains("/exports"))
        #expect(limit.description.contains("/proc/sys/fs/inotify/max_user_watches"))
    }

    @Test("The overflow rescan reports every file as .found and watches directories that appeared meanwhile")
    func overflowRescan() throws {
        let folder = try TempFolder("overflow")
        defer { folder.remove() }
        try folder.mkdir("old")
        try folder.write("old/1.dcm")
        try folder.mkdir("vanishes")
        let watcher = try FolderWatcher(root: folder.path)
        defer { watcher.close() }

        // Changes the watcher has not read (as if their events were lost).
        try folder.mkdir("new/sub")
        try folder.write("new/sub/2.dcm")
        try folder.write("3.dcm")
        try FileManager.default.removeItem(atPath: folder.at("vanishes"))

        let events = watcher.rescan()
        #expect(
            Set(events)
                == [.found(folder.at("old/1.dcm")), .found(folder.at("new/sub/2.dcm")), .found(folder.at("3.dcm"))])
        #expect(
            watcher.watchedDirectories == [folder.path, folder.at("old"), folder.at("new"), folder.at("new/sub")])

        // The queued events are still delivered, and the new directory is live.
        try folder.write("new/sub/4.dcm")
        let later = collect(watcher, until: .closedAfterWrite(folder.at("new/sub/4.dcm")))
        #expect(later.contains(.closedAfterWrite(folder.at("new/sub/4.dcm"))))
        #expect(!later.contains(.overflow))
    }

    @Test("Deleting the watched root is reported as .watchFailed naming it")
    func rootDeleted() throws {
        let folder = try TempFolder("rootgone")
        defer { folder.remove() }
        let watcher = try FolderWatcher(root: folder.path)
        defer { watcher.close() }

        folder.remove()
        let events = collect(watcher) { $0.contains { if case .watchFailed = $0 { true } else { false } } }
        #expect(events.contains(.watchFailed(FolderWatchError(kind: .missing, path: folder.path, code: ENOENT))))
    }
}

@Suite("FolderWatcher: a real queue overflow")
struct FolderWatcherOverflowTests {
    @Test("More events than max_queued_events: .overflow, then every file as .found, and watching goes on")
    func realOverflow() throws {
        let folder = try TempFolder("realoverflow")
        defer { folder.remove() }
        try folder.mkdir("deep")
        let watcher = try FolderWatcher(root: folder.path)
        defer { watcher.close() }

        // Alternate one-byte writes to two files: consecutive IN_MODIFY events differ, so the kernel cannot merge
        // them, and the queue (max_queued_events, 16384 by default) overflows quickly.
        let limit =
            (try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 16384
        try #require(limit <= 1_000_000, "max_queued_events is too large to overflow in a test")
        try folder.write("deep/kept.dcm")
        let paths = [folder.at("deep/a.dcm"), folder.at("deep/b.dcm")]
        let descriptors = paths.map { open($0, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644) }
        try #require(descriptors.allSatisfy { $0 >= 0 })
        var byte: UInt8 = 1
        for index in 0..<(limit + 100) { _ = write(descriptors[index % 2], &byte, 1) }
        descriptors.forEach { _ = Glibc.close($0) }

        let expected = (paths + [folder.at("deep/kept.dcm")]).map(FolderEvent.found)
        let events = collect(watcher, seconds: 10) { events in
            guard let overflow = events.firstIndex(of: .overflow) else { return false }
            return expected.allSatisfy(events[overflow...].contains)
        }
        let overflow = try #require(events.firstIndex(of: .overflow))
        #expect(expected.allSatisfy(events[overflow...].contains))

        try folder.write("deep/after.dcm")
        let later = collect(watcher, until: .closedAfterWrite(folder.at("deep/after.dcm")))
        #expect(later.contains(.closedAfterWrite(folder.at("deep/after.dcm"))))
    }

    @Test("A root given through a symlink is watched; paths are reported under the given path")
    func symlinkRoot() throws {
        let folder = try TempFolder("symroot")
        defer { folder.remove() }
        try folder.mkdir("real/sub")
        try FileManager.default.createSymbolicLink(atPath: folder.at("link"), withDestinationPath: folder.at("real"))
        let watcher = try FolderWatcher(root: folder.at("link"))
        defer { watcher.close() }
        #expect(watcher.watchedDirectories == [folder.at("link"), folder.at("link/sub")])

        try folder.write("real/sub/1.dcm")
        let events = collect(watcher, until: .closedAfterWrite(folder.at("link/sub/1.dcm")))
        #expect(events.contains(.closedAfterWrite(folder.at("link/sub/1.dcm"))))
    }
}
