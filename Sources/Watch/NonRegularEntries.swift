import Foundation

/// Finds what lies in the watched folder but is not a regular file or a folder: symbolic links, fifos,
/// sockets and devices (inotify and the scans report regular files only, so these would otherwise be skipped
/// without a word).
enum NonRegularEntries {
    /// Every such entry below `root` (not inside `excluded` folders or dot folders, and not ignored by name),
    /// with a word for its kind.
    static func find(under root: String, excluding excluded: [String]) -> [(path: String, kind: String)] {
        var found: [(path: String, kind: String)] = []
        var folders = [root]
        while let folder = folders.popLast() {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names.sorted() {
                let path = folder + "/" + name
                guard !excluded.contains(path), !ArrivalFilter.ignores(path, root: root) else { continue }
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: folders.append(path)
                case S_IFREG: continue
                case S_IFLNK: found.append((path, "symbolic link"))
                case S_IFIFO: found.append((path, "fifo"))
                case S_IFSOCK: found.append((path, "socket"))
                default: found.append((path, "device"))
                }
            }
        }
        return found
    }
}

/// Removes the folders a moving or deleting watcher leaves empty (a PACS export writes one folder per study or
/// series), once untouched for `quietSeconds`, so the export folder does not fill with empty trees. Only empty
/// folders can go (`rmdir`), never the watched folder itself, and the quiet time keeps a folder a sender has just
/// made for a transfer.
enum EmptyFolders {
    /// Removes every empty folder below `root` (deepest first) whose modification time, read before anything is
    /// removed, is older than `quietSeconds`; returns how many.
    @discardableResult
    static func prune(under root: String, excluding excluded: [String], quietSeconds: Double, now: Date = Date())
        -> Int
    {
        var folders: [(path: String, modified: Double)] = []
        var pending = [root]
        while let folder = pending.popLast() {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            for name in names where !name.hasPrefix(".") {
                let path = folder + "/" + name
                var info = stat()
                guard !excluded.contains(path), lstat(path, &info) == 0, info.st_mode & S_IFMT == S_IFDIR else {
                    continue
                }
                // Read now: removing a child below changes a folder's time, and that change is ours.
                folders.append((path, Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9))
                pending.append(path)
            }
        }
        var removed = 0
        for folder in folders.sorted(by: { $0.path.count > $1.path.count })
        where now.timeIntervalSince1970 - folder.modified >= quietSeconds {
            if rmdir(folder.path) == 0 { removed += 1 }
        }
        return removed
    }
}
