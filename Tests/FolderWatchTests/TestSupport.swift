import Foundation
import Testing

@testable import FolderWatch

/// A private temporary folder for one test, with helpers to write, move and remove inside it.
struct TempFolder {
    /// The folder's absolute path (no trailing slash).
    let path: String

    init(_ label: String = "fw") throws {
        let base = FileManager.default.temporaryDirectory.path
        path = FolderWatcher.absolute(base + "/folderwatch-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func at(_ relative: String) -> String { path + "/" + relative }

    /// Writes `bytes` bytes with `Data.write` (open, write, close: no rename).
    func write(_ relative: String, bytes: Int = 64) throws {
        try Data(repeating: 7, count: bytes).write(to: URL(fileURLWithPath: at(relative)))
    }

    func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: at(relative), withIntermediateDirectories: true)
    }

    func move(_ from: String, to: String) throws {
        try FileManager.default.moveItem(atPath: from, toPath: to)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}

/// Calls `next(timeout:)` until `done` holds for the events gathered so far, or `seconds` pass; returns them all.
func collect(
    _ watcher: FolderWatcher, seconds: Double = 5, until done: ([FolderEvent]) -> Bool
) -> [FolderEvent] {
    var events: [FolderEvent] = []
    let deadline = Date().addingTimeInterval(seconds)
    while !done(events) && Date() < deadline {
        events += watcher.next(timeout: 0.1)
    }
    return events
}

/// Waits until `event` arrives (or 5 s pass); returns everything gathered.
func collect(_ watcher: FolderWatcher, until event: FolderEvent) -> [FolderEvent] {
    collect(watcher) { $0.contains(event) }
}

/// Waits until every event of `expected` has arrived (or 5 s pass).
func collect(_ watcher: FolderWatcher, untilAll expected: [FolderEvent]) -> [FolderEvent] {
    collect(watcher) { events in expected.allSatisfy(events.contains) }
}

/// True when the file at `path` was reported by an event or scan (anything but removal).
func reported(_ path: String, in events: [FolderEvent]) -> Bool {
    events.contains { $0 != .removed(path) && $0.path == path }
}
