import Foundation
import Store

/// A batch that could not be taken for a reason that passes (a full disk, an I/O error): when it is tried
/// again, and what the watcher is waiting for (shown by `annulus status`).
struct BatchRetry: Sendable {
    /// Failed attempts so far.
    var failures: Int
    /// Seconds since 1970 of the first failure.
    var since: Double
    /// Seconds between this failure and the next attempt: 1, 2, 4 … at most 60.
    var pause: Double
    /// Seconds since 1970 of the next attempt.
    var retryAt: Double
    /// What the watcher waits for, for people (no source file names: they may carry patient names).
    var reason: String
    /// The kind of trouble without figures, so that one event is recorded per trouble, not per attempt.
    var key: String

    /// The retry after `previous` (nil for the first failure).
    init(after previous: BatchRetry?, reason: (key: String, text: String), now: Double) {
        failures = (previous?.failures ?? 0) + 1
        since = previous?.since ?? now
        pause = min(60, pow(2, Double(failures - 1)))
        retryAt = now + pause
        self.reason = reason.text
        key = reason.key
    }

    /// The first failure's time (ISO 8601 UTC).
    var sinceText: String { ISO8601DateFormatter().string(from: Date(timeIntervalSince1970: since)) }

    /// What a batch failure means for people: a full disk (with its folder and free space), a quota, an I/O
    /// error, a read-only file system, or a store error; never a source file's name.
    static func reason(for error: any Error, archive: FileArchive, store: AnnulusStore) -> (key: String, text: String) {
        let dataFolder = (archive.archiveRoot as NSString).deletingLastPathComponent
        switch error {
        case StoreError.diskFull(let path):
            let folder = (path as NSString).deletingLastPathComponent
            return ("full:" + folder, "disk full on \(folder) (free \(freeSpace(folder)))")
        case WatchError.storage(_, let message):
            let kinds = [
                ("No space left on device", "disk full"), ("Disk quota exceeded", "disk quota exceeded"),
                ("Read-only file system", "read-only file system"), ("Input/output error", "I/O error"),
                ("File too large", "file size limit"),
            ]
            let kind = kinds.first { message.contains($0.0) }?.1 ?? "cannot write"
            return (kind + ":" + dataFolder, "\(kind) on \(dataFolder) (free \(freeSpace(dataFolder)))")
        case let error as StoreError:
            return ("store:" + store.path, "\(error)")
        default:
            return ("other", "the batch failed (\(type(of: error))); see the last problems")
        }
    }

    /// The space left to unprivileged writers on the file system of `path`, e.g. "0 B", "1.5 MB".
    static func freeSpace(_ path: String) -> String {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return "unknown" }
        return byteCount(Double(info.f_bavail) * Double(info.f_frsize))
    }

    /// "0 B", "512 B", "1.5 KB", "3.2 MB", "1.0 GB".
    static func byteCount(_ bytes: Double) -> String {
        if bytes < 1024 { return "\(Int(bytes)) B" }
        var value = bytes / 1024
        for unit in ["KB", "MB", "GB"] {
            if value < 1024 { return String(format: "%.1f %@", value, unit) }
            value /= 1024
        }
        return String(format: "%.1f TB", value)
    }
}

/// Recognises a damaged store (SQLite corrupt or not a database) among batch failures: waiting cannot fix it.
enum StoreDamage {
    /// The message naming the damage, or nil when `error` is something else.
    static func describe(_ error: any Error) -> String? {
        guard let error = error as? StoreError else { return nil }
        let text = "\(error)"
        if case .notADatabase = error { return text }
        let damage = ["SQLITE_CORRUPT", "SQLITE_NOTADB", "malformed", "not a database", "damaged"]
        return damage.contains { text.contains($0) } ? text : nil
    }
}

/// Files that were not complete DICOM objects when read (still being written): looked at again once they stop
/// changing, and given up on (quarantined) once unchanged and still incomplete for the patience limit.
struct IncompleteFiles {
    private struct Look {
        var size: Int64
        var mtime: Int64
        var since: Double
        var checked: Bool
    }
    private var looks: [String: Look] = [:]
    /// Seconds a changed file must stay unchanged before it is read again.
    let interval: Double

    init(interval: Double) { self.interval = interval }

    var count: Int { looks.count }
    func contains(_ path: String) -> Bool { looks[path] != nil }

    /// Notes that `file` was read, at the size and time it had then, and found incomplete. When it has changed
    /// since, it is read again once it stops changing.
    mutating func note(_ file: WatchedFile, now: Double) {
        let path = file.path
        if let old = looks[path], old.size == file.size, old.mtime == file.mtimeNanoseconds {
            looks[path]?.checked = true
        } else {
            looks[path] = Look(size: file.size, mtime: file.mtimeNanoseconds, since: now, checked: true)
        }
    }

    /// Forgets a file (taken, quarantined or gone).
    mutating func forget(_ path: String) { looks[path] = nil }

    /// The files to read again (changed, then unchanged for `interval`) and the files to give up on (read
    /// incomplete and unchanged for `patience` seconds), the latter forgotten.
    mutating func review(now: Double, patience: Double) -> (reread: [String], settled: [String]) {
        var reread: [String] = []
        var settled: [String] = []
        for (path, look) in looks {
            guard let stat = FileStat(path) else {
                looks[path] = nil
                continue
            }
            if stat.size != look.size || stat.mtimeNanoseconds != look.mtime {
                looks[path] = Look(size: stat.size, mtime: stat.mtimeNanoseconds, since: now, checked: false)
            } else if !look.checked && now - look.since >= interval {
                looks[path]?.checked = true
                reread.append(path)
            } else if look.checked && now - look.since >= patience {
                looks[path] = nil
                settled.append(path)
            }
        }
        return (reread.sorted(), settled.sorted())
    }
}

/// Files that could not be opened for reading (a permission): each reported once, taken once readable.
struct UnreadableFiles {
    private var paths: Set<String> = []

    var count: Int { paths.count }
    func contains(_ path: String) -> Bool { paths.contains(path) }

    /// Notes unreadable files and returns those not reported before.
    mutating func note(_ unreadable: [String]) -> [String] {
        unreadable.filter { paths.insert($0).inserted }
    }

    /// The noted files that can now be opened (forgotten, to be taken); vanished ones are forgotten too.
    mutating func nowReadable() -> [String] {
        var readable: [String] = []
        for path in paths {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
            if descriptor >= 0 {
                close(descriptor)
                readable.append(path)
                paths.remove(path)
            } else if errno == ENOENT {
                paths.remove(path)
            }
        }
        return readable.sorted()
    }
}
