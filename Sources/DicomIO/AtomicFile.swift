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
        /// Creates an error for `path`.
        public init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }
        /// "cannot write PATH: REASON".
        public var description: String { "cannot write \(path): \(reason)" }
    }

    /// Calls `produce` with a temporary path next to `path`, then publishes it atomically.
    /// The temporary file is removed when `produce` throws.
    public static func write(to path: String, produce: (String) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        let temporary = folder + "/." + url.lastPathComponent + ".tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        do {
            try produce(temporary)
            try syncFile(temporary)
            guard rename(temporary, path) == 0 else {
                throw WriteError(path: path, reason: String(cString: strerror(errno)))
            }
            syncFolder(folder)
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { temporary in
            guard FileManager.default.createFile(atPath: temporary, contents: data) else {
                throw WriteError(path: path, reason: "cannot create a temporary file in its folder")
            }
        }
    }

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
