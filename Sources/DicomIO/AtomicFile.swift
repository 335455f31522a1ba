import Foundation

/// Writes files so that no reader ever sees a partial one: a temporary name in the same folder,
/// fsync, then rename over the final name (and fsync of the folder).
public enum AtomicFile {
    /// Failure of an atomic write, naming the destination.
    public struct WriteError: Error, CustomStringConvertible, Sendable {
        /// The destination path.
        public var path: String
        /// What failed.
        public var reason: String
        /// The system's error number (`ENOSPC`, `EROFS`, `EACCES` …) when a system call failed.
        public var errorNumber: Int32?
        /// Creates an error for `path`.
        public init(path: String, reason: String, errorNumber: Int32? = nil) {
            self.path = path
            self.reason = reason
            self.errorNumber = errorNumber
        }
        /// "cannot write PATH: REASON".
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// When a published file reaches the disk.
    public enum Durability: Sendable {
        /// Before `write` returns: the file and its folder are fsynced (findings, exports, anything not derivable).
        case synced
        /// Later, all at once: the rename is atomic (no reader sees a partial file) and the caller makes the
        /// batch durable with one ``syncFileSystem(containing:)``. For derived data (previews, sheets), where a
        /// crash may lose the latest files but never leaves a partial one, and fsyncs per file cost more than
        /// the rendering on a busy disk.
        case deferred
    }

    /// Calls `produce` with a temporary path next to `path`, then publishes it atomically.
    /// The temporary file is removed when `produce` throws.
    public static func write(to path: String, durability: Durability = .synced, produce: (String) throws -> Void)
        throws
    {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = temporaryPath(for: path)
        do {
            try produce(temporary)
            if durability == .synced { try syncFile(temporary) }
            try publish(temporary, as: path)
            if durability == .synced { syncFolder(folder) }
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String, durability: Durability = .synced) throws {
        try write(to: path, durability: durability) { temporary in
            try writeNewFile(data, at: temporary, destination: path)
        }
    }

    /// Writes `data` to a new temporary file next to `path` (not synced) and returns its path, for the caller to
    /// ``publish(_:as:)`` when it chooses (a cache publishes under its lock) or to remove. Nothing is left behind
    /// when the write fails.
    public static func writeTemporary(_ data: Data, for path: String) throws -> String {
        let temporary = temporaryPath(for: path)
        do {
            try writeNewFile(data, at: temporary, destination: path)
        } catch {
            unlink(temporary)
            throw error
        }
        return temporary
    }

    /// Creates `temporary` (which must not exist) holding `data`; errors name `destination`.
    private static func writeNewFile(_ data: Data, at temporary: String, destination path: String) throws {
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            let number = errno
            throw WriteError(
                path: path, reason: "cannot create a temporary file in its folder: \(lastError())", errorNumber: number)
        }
        defer { close(descriptor) }
        try data.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw WriteError(path: path, reason: lastError(), errorNumber: errno)
                }
                offset += written
            }
        }
    }

    /// A unique temporary name next to `path` (hidden, so folder watchers and listings skip it).
    public static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().path + "/." + url.lastPathComponent
            + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// Renames a finished temporary file over `path`.
    public static func publish(_ temporary: String, as path: String) throws {
        guard rename(temporary, path) == 0 else {
            throw WriteError(path: path, reason: lastError(), errorNumber: errno)
        }
    }

    /// Makes every file written with `.deferred` durability on the file system holding `folder` durable: one
    /// `syncfs(2)` (`sync(2)` where the C library lacks it).
    public static func syncFileSystem(containing folder: String) throws {
        let descriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw WriteError(path: folder, reason: lastError()) }
        defer { close(descriptor) }
        guard let syncfs = syncfsFunction else {
            sync()
            return
        }
        guard syncfs(descriptor) == 0 else { throw WriteError(path: folder, reason: "syncfs: \(lastError())") }
    }

    private typealias SyncFS = @convention(c) (Int32) -> Int32
    /// syncfs(2) looked up at run time: Swift's Glibc module does not declare it (it needs _GNU_SOURCE).
    private static let syncfsFunction: SyncFS? = dlsym(
        UnsafeMutableRawPointer(bitPattern: 0), "syncfs"
    ).map { unsafeBitCast($0, to: SyncFS.self) }

    private static func lastError() -> String { String(cString: strerror(errno)) }

    private static func syncFile(_ path: String) throws {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        guard fsync(descriptor) == 0 else { throw WriteError(path: path, reason: String(cString: strerror(errno))) }
    }

    private static func syncFolder(_ path: String) {
        let descriptor = open(path.isEmpty ? "." : path, O_RDONLY | O_DIRECTORY)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }
}
