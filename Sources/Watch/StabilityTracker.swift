import Foundation

/// Decides when a file that did not announce its completion can be taken.
///
/// A file closed after writing or renamed into the folder is complete (inotify says so). A file found by a
/// scan (at start, after an overflow, by the periodic sweep for network mounts) may still be growing: it is
/// taken when its size and modification time are the same at two looks at least `interval` apart. A file
/// seen being written (created or modified) waits for its close; if no close comes, it is taken once unchanged
/// for `abandonedAfter` seconds (the writer died; the file is quarantined if it is truncated).
public struct StabilityTracker: Sendable {
    /// Seconds between the two looks.
    public var interval: Double
    /// Seconds a file seen being written must stay unchanged before it is taken without a close.
    public var abandonedAfter: Double

    private struct Look {
        var size: Int64
        var mtime: Int64
        var since: Double
        var writing: Bool
    }
    private var looks: [String: Look] = [:]

    /// Creates a tracker.
    public init(interval: Double = 1, abandonedAfter: Double = 300) {
        self.interval = interval
        self.abandonedAfter = abandonedAfter
    }

    /// Files waiting to become stable.
    public var waiting: Int { looks.count }

    /// Notes a file found by a scan (a first look, unless already watched).
    public mutating func found(_ path: String, now: Double) {
        guard looks[path] == nil, let stat = FileStat(path) else { return }
        looks[path] = Look(size: stat.size, mtime: stat.mtimeNanoseconds, since: now, writing: false)
    }

    /// Notes a file being written: it now waits for its close.
    public mutating func writing(_ path: String, now: Double) {
        let stat = FileStat(path)
        looks[path] = Look(size: stat?.size ?? -1, mtime: stat?.mtimeNanoseconds ?? -1, since: now, writing: true)
    }

    /// Forgets a file (taken through an event, or removed).
    public mutating func forget(_ path: String) {
        looks[path] = nil
    }

    /// The files that became stable by `now`, removed from the tracker. Files that vanished are forgotten.
    public mutating func stable(now: Double) -> [String] {
        var ready: [String] = []
        for (path, look) in looks {
            guard let stat = FileStat(path) else {
                looks[path] = nil
                continue
            }
            if stat.size != look.size || stat.mtimeNanoseconds != look.mtime {
                looks[path] = Look(size: stat.size, mtime: stat.mtimeNanoseconds, since: now, writing: look.writing)
                continue
            }
            if now - look.since >= (look.writing ? abandonedAfter : interval) {
                ready.append(path)
                looks[path] = nil
            }
        }
        return ready.sorted()
    }
}

/// Size and modification time of a regular file (nil when it is missing or not a regular file).
public struct FileStat: Sendable, Equatable {
    /// Bytes.
    public var size: Int64
    /// Nanoseconds since 1970.
    public var mtimeNanoseconds: Int64

    /// Reads `path`'s metadata without following a final symbolic link.
    public init?(_ path: String) {
        var info = stat()
        guard lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        size = Int64(info.st_size)
        mtimeNanoseconds = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
    }
}
