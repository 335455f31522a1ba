import Foundation
import Glibc
import Synchronization

/// Recursive inotify watch of a folder tree: one watch per directory, new directories picked up as they appear.
///
/// Linux has no recursive file-system watch, so the watcher adds a watch for the root and every directory below
/// it, and for each directory created or moved in later (reporting the files already inside as `.found`, since they
/// may predate the watch). Directories in `excluded` (and everything below them) are neither watched nor reported.
///
/// Typical use: create the watcher, take `initialScan()`, then loop on `next(timeout:)` until asked to stop, and
/// `close()`. Calls are serialised by a mutex: `close()` from another thread waits for a running `next` to return.
/// Paths are made absolute lexically (no symlink resolution); every reported path starts with `root`.
public final class FolderWatcher: Sendable {
    /// The absolute path of the watched folder.
    public let root: String
    /// The absolute paths of the directories that are never watched nor reported.
    public let excluded: [String]
    /// The inotify descriptor and the watch table (see `WatchTable`).
    private let table: Mutex<WatchTable>

    /// Starts watching `root` and every directory below it, except `excluding` (absolute directory paths).
    ///
    /// Throws when `root` is missing or not a directory, when inotify is unavailable, when `root` itself cannot
    /// be watched, or when the watch limit is reached anywhere in the tree. Other subdirectories that cannot be
    /// watched (permissions) are reported as `.watchFailed` by the first `next(timeout:)`.
    public init(root: String, excluding: [String] = []) throws(FolderWatchError) {
        let root = Self.absolute(root)
        self.root = root
        self.excluded = excluding.map(Self.absolute)
        var info = stat()
        guard stat(root, &info) == 0 else {
            let code = errno
            throw FolderWatchError(kind: code == ENOENT ? .missing : .cannotWatch, path: root, code: code)
        }
        guard info.st_mode & S_IFMT == S_IFDIR else { throw FolderWatchError(kind: .notADirectory, path: root) }
        var table = try WatchTable(root: root, excluded: excluded)
        try table.watchRoot()  // on failure, the table's deinit closes the descriptor
        self.table = Mutex(table)
    }

    /// Every regular file under `root` now, excluded directories left out, sorted; symlinks, sockets and fifos skipped.
    public func initialScan() -> [String] {
        var files: [String] = []
        var stack = [root]
        while let directory = stack.popLast() {
            guard !WatchTable.isExcluded(directory, by: excluded) else { continue }
            for entry in WatchTable.entries(of: directory) {
                if entry.isDirectory { stack.append(entry.path) } else { files.append(entry.path) }
            }
        }
        return files.sorted()
    }

    /// Waits up to `timeout` seconds for events and returns those available, in arrival order; empty on timeout.
    ///
    /// Returns at once with what is already queued. After `close()` it returns an empty array without waiting.
    public func next(timeout: Double) -> [FolderEvent] {
        table.withLock { $0.next(timeout: timeout) }
    }

    /// Stops watching and closes the inotify descriptor; further calls do nothing. `deinit` closes too.
    public func close() {
        table.withLock { $0.close() }
    }

    /// The directories currently watched (for tests and diagnostics).
    var watchedDirectories: Set<String> {
        table.withLock { Set($0.watches.keys) }
    }

    /// What the watcher does after `IN_Q_OVERFLOW`: re-adds watches for the whole tree (dropping those of
    /// directories gone) and reports every regular file as `.found`. Exposed to tests, which cannot overflow the queue.
    func rescan() -> [FolderEvent] {
        table.withLock { table in
            var events: [FolderEvent] = []
            table.rescan(into: &events)
            return events
        }
    }

    /// Makes `path` absolute (against the working directory) and removes `.`, `..`, empty and trailing components.
    static func absolute(_ path: String) -> String {
        var full = path
        if !full.hasPrefix("/"), let cwd = getcwd(nil, 0) {
            full = String(cString: cwd) + "/" + full
            free(cwd)
        }
        var parts: [Substring] = []
        for part in full.split(separator: "/") {
            if part == "." { continue }
            if part == ".." {
                _ = parts.popLast()
            } else {
                parts.append(part)
            }
        }
        return "/" + parts.joined(separator: "/")
    }
}
