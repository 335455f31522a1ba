import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What is at a store's path, checked before SQLite opens it: SQLite would quietly turn an empty file into a
/// new database, and answer "file is not a database" only at the first query.
enum StoreFile {
    /// The 16 bytes every SQLite 3 database file starts with.
    static let header = Array("SQLite format 3\0".utf8)

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
