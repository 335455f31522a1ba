import Foundation

/// A watcher problem an administrator can act on; every message names the file or folder.
public enum WatchError: Error, CustomStringConvertible, Sendable {
    /// A file operation failed.
    case file(String, String)
    /// The watched folder cannot be watched.
    case folder(String, String)
    /// A file operation failed for a reason that passes (a full disk or quota, an I/O error, a file system
    /// remounted read-only): the whole batch is tried again later rather than a file being skipped.
    case storage(String, String)
    /// The store is damaged (SQLite says corrupt or not a database): the watcher stops, naming it.
    case storeDamaged(String)

    /// The message.
    public var description: String {
        switch self {
        case .file(let path, let reason): "\(path): \(reason)"
        case .folder(let path, let reason): "cannot watch \(path): \(reason)"
        case .storage(let path, let reason): "\(path): \(reason)"
        case .storeDamaged(let reason):
            "the annulus database is damaged, so the watcher stopped: \(reason); restore it from a backup or move it "
                + "aside (the archive and the sources are untouched), then start the watcher again"
        }
    }

    /// The error numbers that mean "wait and try again": no space, no quota, an I/O error, a read-only file system.
    static let passingErrnos: Set<Int32> = [ENOSPC, EDQUOT, EIO, EROFS, EFBIG]

    /// `.storage` when `code` passes (see `passingErrnos`), `.file` otherwise.
    static func from(_ path: String, _ reason: String, errno code: Int32) -> WatchError {
        passingErrnos.contains(code) ? .storage(path, reason) : .file(path, reason)
    }
}
