import Glibc

/// The inotify descriptor of a `FolderWatcher` and what it knows: watch descriptor → directory and back, events
/// produced outside a read, the read buffer. Not copyable (it owns the descriptor and the buffer, released by its
/// `deinit`); `FolderWatcher` keeps it behind a mutex, so one thread at a time uses it.
struct WatchTable: ~Copyable {
    /// The absolute path of the watched folder.
    let root: String
    /// The absolute paths of the directories that are never watched nor reported.
    let excluded: [String]

    private static let mask: UInt32 =
        UInt32(IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_CREATE | IN_MODIFY | IN_DELETE)
        | UInt32(IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
    private static let bufferSize = 256 * 1024

    private var fd: Int32
    /// Watch descriptor → directory path, and back.
    private var directories: [Int32: String] = [:]
    private(set) var watches: [String: Int32] = [:]
    /// Events produced outside `next` (directories that could not be watched at start), returned by the next call.
    private var pending: [FolderEvent] = []
    private let buffer: UnsafeMutableRawBufferPointer

    /// Opens an inotify descriptor (watching nothing yet: see `watchTree`).
    init(root: String, excluded: [String]) throws(FolderWatchError) {
        self.root = root
        self.excluded = excluded
        fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw FolderWatchError(kind: .inotifyUnavailable, path: root, code: errno) }
        buffer = .allocate(byteCount: Self.bufferSize, alignment: MemoryLayout<inotify_event>.alignment)
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
        buffer.deallocate()
    }

    /// Watches the whole tree at start: failing to watch the root, or the watch limit, throws; other directories
    /// that cannot be watched are reported by the first `next`.
    mutating func watchRoot() throws(FolderWatchError) {
        var discovered: [FolderEvent] = []
        try watchTree(root, reportFiles: false, strict: true, into: &discovered)
        pending = discovered
    }

    /// Waits up to `timeout` seconds for events and returns those available (see `FolderWatcher.next`).
    mutating func next(timeout: Double) -> [FolderEvent] {
        guard fd >= 0 else { return [] }
        var events = pending
        pending = []
        if waitReadable(timeout: events.isEmpty ? timeout : 0) { drain(into: &events) }
        return events
    }

    /// Closes the descriptor and forgets every watch; later calls do nothing.
    mutating func close() {
        guard fd >= 0 else { return }
        Glibc.close(fd)
        fd = -1
        directories = [:]
        watches = [:]
        pending = []
    }

    // MARK: - Watch table

    /// What the watcher does after `IN_Q_OVERFLOW`: re-adds watches for the whole tree (dropping those of
    /// directories gone) and appends `.found` for every regular file.
    mutating func rescan(into events: inout [FolderEvent]) {
        guard fd >= 0 else { return }
        let previous = directories
        directories = [:]
        watches = [:]
        try? watchTree(root, reportFiles: true, strict: false, into: &events)
        for wd in previous.keys where directories[wd] == nil { inotify_rm_watch(fd, wd) }
    }

    /// Watches `directory` and every directory below it; appends `.found` for their regular files if `reportFiles`.
    ///
    /// A directory already watched under the same path is skipped with its subtree: its events cover everything
    /// since its watch was added, and the scan made then reported what was there before. In `strict` mode (start),
    /// failing to watch the root or reaching the watch limit throws; otherwise failures become `.watchFailed`.
    private mutating func watchTree(
        _ directory: String, reportFiles: Bool, strict: Bool, into events: inout [FolderEvent]
    ) throws(FolderWatchError) {
        guard !isExcluded(directory) else { return }
        // The root may be a symlink to the folder; below it, symlinks are never followed.
        let wd = inotify_add_watch(fd, directory, directory == root ? Self.mask : Self.mask | UInt32(IN_DONT_FOLLOW))
        if wd < 0 {
            let code = errno
            if directory != root && (code == ENOENT || code == ENOTDIR) { return }  // gone or replaced meanwhile
            let kind: FolderWatchError.Kind =
                switch code {
                case ENOSPC: .watchLimitReached
                case ENOENT: .missing
                case ENOTDIR: .notADirectory
                default: .cannotWatch
                }
            let error = FolderWatchError(kind: kind, path: directory, code: code)
            if strict && (directory == root || code == ENOSPC) { throw error }
            events.append(.watchFailed(error))
        } else {
            if directories[wd] == directory { return }
            if let old = directories[wd] { watches[old] = nil }  // the same directory known under another path
            directories[wd] = directory
            watches[directory] = wd
        }
        for entry in Self.entries(of: directory) {
            if entry.isDirectory {
                try watchTree(entry.path, reportFiles: reportFiles, strict: strict, into: &events)
            } else if reportFiles {
                events.append(.found(entry.path))
            }
        }
    }

    /// Forgets (and removes from the kernel) the watches of `directory` and every directory below it.
    private mutating func unwatchTree(_ directory: String) {
        let prefix = directory + "/"
        for (path, wd) in watches where path == directory || path.hasPrefix(prefix) {
            inotify_rm_watch(fd, wd)
            watches[path] = nil
            directories[wd] = nil
        }
    }

    private mutating func forget(_ wd: Int32) {
        guard let path = directories.removeValue(forKey: wd) else { return }
        if watches[path] == wd { watches[path] = nil }
        if path == root { pending.append(.watchFailed(FolderWatchError(kind: .missing, path: root, code: ENOENT))) }
    }

    private func isExcluded(_ path: String) -> Bool { Self.isExcluded(path, by: excluded) }

    // MARK: - Reading events

    /// poll(2) on the inotify descriptor, retried on EINTR until the deadline.
    private func waitReadable(timeout: Double) -> Bool {
        let deadline = Self.now() + max(0, timeout)
        while true {
            let remaining = max(0, deadline - Self.now())
            var entry = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(min((remaining * 1000).rounded(.up), Double(Int32.max)))
            let ready = poll(&entry, 1, milliseconds)
            if ready > 0 { return entry.revents & Int16(POLLIN) != 0 }
            if ready == 0 || errno != EINTR { return false }
        }
    }

    /// Reads what the kernel has queued (a bounded number of reads, so a busy tree cannot starve the caller).
    private mutating func drain(into events: inout [FolderEvent]) {
        for _ in 0..<16 {
            let count = read(fd, buffer.baseAddress, buffer.count)
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            parse(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), into: &events)
            events.append(contentsOf: pending)
            pending = []
        }
    }

    /// Walks the variable-length `inotify_event` records: a 16-byte header, then `len` bytes of NUL-padded name.
    private mutating func parse(_ bytes: UnsafeRawBufferPointer, into events: inout [FolderEvent]) {
        let header = MemoryLayout<inotify_event>.size
        var offset = 0
        while offset + header <= bytes.count {
            let wd = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameStart = offset + header
            let nameEnd = min(nameStart + length, bytes.count)
            let nameBytes = bytes[nameStart..<nameEnd].prefix { $0 != 0 }
            offset = nameStart + length
            handle(wd: wd, mask: mask, name: String(decoding: nameBytes, as: UTF8.self), into: &events)
        }
    }

    private mutating func handle(wd: Int32, mask: UInt32, name: String, into events: inout [FolderEvent]) {
        func has(_ flag: Int32) -> Bool { mask & UInt32(flag) != 0 }
        if has(IN_Q_OVERFLOW) {
            events.append(.overflow)
            rescan(into: &events)
            return
        }
        guard let directory = directories[wd] else { return }  // a watch already dropped
        if has(IN_IGNORED) || has(IN_DELETE_SELF) || has(IN_MOVE_SELF) {
            if has(IN_MOVE_SELF) { inotify_rm_watch(fd, wd) }  // moved away: its path is no longer known
            forget(wd)
            return
        }
        guard !name.isEmpty else { return }
        let path = Self.child(directory, name)
        guard !isExcluded(path) else { return }
        if has(IN_ISDIR) {
            if has(IN_CREATE) || has(IN_MOVED_TO) {
                try? watchTree(path, reportFiles: true, strict: false, into: &events)
            } else if has(IN_DELETE) || has(IN_MOVED_FROM) {
                unwatchTree(path)
            }
            return
        }
        if has(IN_DELETE) || has(IN_MOVED_FROM) {
            events.append(.removed(path))
        } else if has(IN_CLOSE_WRITE) {
            if Self.mayBeRegularFile(path) { events.append(.closedAfterWrite(path)) }
        } else if has(IN_MOVED_TO) {
            if Self.mayBeRegularFile(path) { events.append(.movedIn(path)) }
        } else if has(IN_CREATE) {
            if Self.mayBeRegularFile(path) { events.append(.writing(path)) }
        } else if has(IN_MODIFY) {
            if events.last != .writing(path) { events.append(.writing(path)) }
        }
    }

    // MARK: - Paths and directories

    /// False only when `path` exists and is something else than a regular file (symlink, fifo, socket, device).
    private static func mayBeRegularFile(_ path: String) -> Bool {
        var info = stat()
        guard lstat(path, &info) == 0 else { return true }
        return info.st_mode & S_IFMT == S_IFREG
    }

    /// The subdirectories and regular files of `directory`, sorted by name; anything else (symlinks…) left out.
    static func entries(of directory: String) -> [(path: String, isDirectory: Bool)] {
        guard let stream = opendir(directory) else { return [] }
        defer { closedir(stream) }
        var result: [(path: String, isDirectory: Bool)] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name != ".", name != ".." else { continue }
            let path = child(directory, name)
            var type = Int32(entry.pointee.d_type)
            if type == Int32(DT_UNKNOWN) {
                var info = stat()
                guard lstat(path, &info) == 0 else { continue }
                switch info.st_mode & S_IFMT {
                case S_IFDIR: type = Int32(DT_DIR)
                case S_IFREG: type = Int32(DT_REG)
                default: continue
                }
            }
            if type == Int32(DT_DIR) {
                result.append((path, true))
            } else if type == Int32(DT_REG) {
                result.append((path, false))
            }
        }
        return result.sorted { $0.path < $1.path }
    }

    static func child(_ directory: String, _ name: String) -> String {
        directory == "/" ? "/" + name : directory + "/" + name
    }

    static func isExcluded(_ path: String, by excluded: [String]) -> Bool {
        excluded.contains { path == $0 || path.hasPrefix($0 == "/" ? "/" : $0 + "/") }
    }

    private static func now() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
