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
