import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What is at a store's path, checked before SQLite opens it: SQLite would quietly turn an empty file into a
/// new database, and answer "file is not a database" only at the first query.
enum StoreFile {
    /// The 16 bytes every SQLite 3 database file starts with.
    static let header = Array("SQLite format 3\0".utf8)

    /// A store file, by device and inode.
    struct FileID: Hashable, Sendable {
        var device: UInt64
        var inode: UInt64
    }

    /// How many stores of this process have each file open.
    ///
    /// POSIX locks belong to the process, and closing any descriptor of a file drops all of them: a header read
    /// (open, read, close) of a file this process already has open would release the locks of its SQLite
    /// connections. Another process closing the database would then think itself the last connection, checkpoint
    /// and delete the WAL while these connections still write into it, and their later commits would be seen by
    /// no other process and lost in a crash. So the header is read only while no store of this process has the
    /// file open; the count is taken under the same lock, before SQLite opens the file.
    private static let openFiles = Mutex<[FileID: Int]>([:])

    /// Checks what is at `path` (as `check`) and counts it as open by this process: nil when nothing is there,
    /// else the file's id, which the caller gives back to `release` once its connections are closed.
    static func claim(_ path: String) throws(StoreError) -> FileID? {
        var info = stat()
        guard stat(path, &info) == 0 else {
            _ = try check(path)  // the error for what stat met, or nothing there
            return nil
        }
        let id = FileID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        return try openFiles.withLock { (counts: inout [FileID: Int]) throws(StoreError) -> FileID? in
            if counts[id, default: 0] == 0 {
                guard try check(path) else { return nil }
            }
            counts[id, default: 0] += 1
            return id
        }
    }

    /// Ends a `claim`.
    static func release(_ id: FileID) {
        openFiles.withLock { counts in
            counts[id, default: 1] -= 1
            if counts[id] == 0 { counts[id] = nil }
        }
    }

    /// `false` when nothing is at `path` (or a folder on the way is missing); `true` when a file that starts
    /// like an SQLite database is there.
    ///
    /// - Throws: `StoreError.emptyFile` for a 0-byte file, `.notADatabase` for a directory, a device or a file
    ///   without the SQLite header, `.cannotOpen` when it cannot be read.
    static func check(_ path: String) throws(StoreError) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR { return false }
            throw StoreError.cannotOpen(path: path, reason: String(cString: strerror(code)))
        }
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            let kind = type == S_IFDIR ? "a directory" : "not a regular file"
            throw StoreError.notADatabase(path: path, reason: "it is \(kind), not an annulus store")
        }
        guard info.st_size > 0 else { throw StoreError.emptyFile(path: path) }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw StoreError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        var first = [UInt8](repeating: 0, count: header.count)
        let count = first.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
        guard count == header.count, first == header else {
            throw StoreError.notADatabase(
                path: path,
                reason: "the file does not start with the SQLite header: it is not an SQLite database"
                    + (info.st_size < 512 ? " (only \(info.st_size) bytes)" : ""))
        }
        return true
    }
}
