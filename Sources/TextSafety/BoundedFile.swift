#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Reads a whole file from a path a user gave, with a size bound and errors that name the real cause.
///
/// Only regular files are read: a directory, `/dev/null`, a FIFO (which would block until a writer comes), a
/// socket or a device is refused by name before it is opened for reading, and again after opening (the path may
/// have been swapped). An empty file is refused (an empty rule, token or label file is a mistake, not "no
/// content"). A file larger than `limit` is refused from its size, before anything is read, so a 178 MB file
/// given by mistake costs a `stat`, not a minute.
public enum BoundedFile {
    /// One mebibyte, for writing limits: `4 * BoundedFile.mebibyte`.
    public static let mebibyte = 1 << 20

    /// The bytes of the regular file at `path`, at most `limit` of them.
    ///
    /// - Parameters:
    ///   - path: The file, as the user gave it.
    ///   - limit: The largest size accepted, in bytes.
    ///   - what: What the file is, for messages ("rule file", "token file"); "file" by default.
    /// - Throws: `BoundedFileError`, naming the path (escaped for a terminal), the cause and, for a file too
    ///   large, the bound.
    public static func read(path: String, limit: Int, what: String = "file") throws(BoundedFileError) -> [UInt8] {
        var info = stat()
        guard stat(path, &info) == 0 else { throw failure(errno, path: path, what: what) }
        try check(info, path: path, limit: limit, what: what)
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        guard descriptor >= 0 else { throw failure(errno, path: path, what: what) }
        defer { close(descriptor) }
        guard fstat(descriptor, &info) == 0 else { throw failure(errno, path: path, what: what) }
        try check(info, path: path, limit: limit, what: what)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(info.st_size))
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress, buffer.count)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(errno, path: path, what: what)
            }
            if count == 0 { break }
            bytes.append(contentsOf: chunk[0..<count])
            // The file grew while being read: refuse rather than read without end.
            guard bytes.count <= limit else {
                throw BoundedFileError(path: path, what: what, problem: .tooLarge(size: bytes.count, limit: limit))
            }
        }
        guard !bytes.isEmpty else { throw BoundedFileError(path: path, what: what, problem: .empty) }
        return bytes
    }

    /// The file's text, decoded as UTF-8 (invalid sequences become U+FFFD), under the same rules as `read`.
    public static func readText(path: String, limit: Int, what: String = "file") throws(BoundedFileError) -> String {
        String(decoding: try read(path: path, limit: limit, what: what), as: UTF8.self)
    }

    /// A size in words: "4 MiB", "512 KiB", "100 bytes", "178.3 MiB".
    public static func describe(bytes: Int) -> String {
        let mib = Double(bytes) / Double(mebibyte)
        if bytes >= mebibyte {
            return bytes % mebibyte == 0 ? "\(bytes / mebibyte) MiB" : "\((mib * 10).rounded() / 10) MiB"
        }
        if bytes >= 1024 {
            return bytes % 1024 == 0 ? "\(bytes / 1024) KiB" : "\((Double(bytes) / 102.4).rounded() / 10) KiB"
        }
        return bytes == 1 ? "1 byte" : "\(bytes) bytes"
    }

    private static func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
        #if canImport(Glibc)
            Glibc.read(descriptor, buffer, count)
        #else
            Darwin.read(descriptor, buffer, count)
        #endif
    }

    private static func check(_ info: stat, path: String, limit: Int, what: String) throws(BoundedFileError) {
        let type = info.st_mode & S_IFMT
        guard type == S_IFREG else {
            let kind: String
            switch type {
            case S_IFDIR: kind = "a directory"
            case S_IFCHR: kind = "a character device"
            case S_IFBLK: kind = "a block device"
            case S_IFIFO: kind = "a FIFO (named pipe)"
            case S_IFSOCK: kind = "a socket"
            default: kind = "not a plain file"
            }
            throw BoundedFileError(path: path, what: what, problem: .notRegular(kind: kind))
        }
        if info.st_size > limit {
            throw BoundedFileError(path: path, what: what, problem: .tooLarge(size: Int(info.st_size), limit: limit))
        }
    }

    private static func failure(_ code: Int32, path: String, what: String) -> BoundedFileError {
        switch code {
        case ENOENT: return BoundedFileError(path: path, what: what, problem: .notFound)
        case ENOTDIR: return BoundedFileError(path: path, what: what, problem: .notFound)
        case EACCES, EPERM: return BoundedFileError(path: path, what: what, problem: .permissionDenied)
        default:
            return BoundedFileError(
                path: path, what: what, problem: .unreadable(reason: String(cString: strerror(code))))
        }
    }
}

/// Why `BoundedFile.read` refused a file.
public struct BoundedFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong with it.
    public enum Problem: Sendable, Equatable {
        /// Nothing is at the path (or a folder on the way is missing).
        case notFound
        /// The file or a folder on the way may not be read.
        case permissionDenied
        /// The path is a directory, a device, a FIFO or a socket; `kind` says which ("a directory").
        case notRegular(kind: String)
        /// The file has no bytes.
        case empty
        /// The file is larger than the bound.
        case tooLarge(size: Int, limit: Int)
        /// Any other failure, with the system's words.
        case unreadable(reason: String)
    }

    /// The path as given.
    public var path: String
    /// What the file is ("rule file").
    public var what: String
    /// What was wrong.
    public var problem: Problem

    /// Creates an error.
    public init(path: String, what: String, problem: Problem) {
        self.path = path
        self.what = what
        self.problem = problem
    }

    /// One line naming the file, the cause and what to do; the path is escaped for a terminal.
    public var description: String {
        let name = "the \(what) \(TerminalText.escaped(path))"
        switch problem {
        case .notFound: return "\(name) does not exist"
        case .permissionDenied: return "\(name) cannot be read: permission denied"
        case .notRegular(let kind): return "\(name) is not a regular file (it is \(kind))"
        case .empty: return "\(name) is empty"
        case .tooLarge(let size, let limit):
            return
                "\(name) is \(BoundedFile.describe(bytes: size)), larger than the \(BoundedFile.describe(bytes: limit))"
                + " a \(what) may be"
        case .unreadable(let reason): return "\(name) cannot be read: \(reason)"
        }
    }
}
