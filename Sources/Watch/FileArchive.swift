import Crypto
import Foundation
import Synchronization

/// What happens to a source file once it is safely archived and indexed.
public enum SourceDisposition: String, Sendable, CaseIterable {
    /// Leave it where it is (the ledger keeps it from being taken twice).
    case keep
    /// Move it under the processed folder, keeping its path relative to the watched folder.
    case move
    /// Delete it.
    case delete
}

/// The watcher's folders inside the data folder, and the file operations on them. Every placement is atomic (a
/// temporary name, then rename), durability comes from one flush per batch (`flush()`: a `syncfs`, or, when the
/// sources are durable already, an fsync of each folder the batch placed into), and a source is only touched after
/// its archived copy is durable and indexed.
///
/// - `archive/<StudyUID>/<SeriesUID>/<SOPInstanceUID>.dcm`: what the index points at. A hard link when the
///   source will be moved or deleted and is on the same file system (no bytes copied); a copy otherwise (a kept
///   source could be rewritten in place by its sender, and a link would change the archive with it).
/// - `archive/…/<SOPInstanceUID>.superseded-<time>-<random>.dcm`: the older content of a replaced instance.
/// - `quarantine/<id>-<name>` with `<id>-<name>.reason.txt` beside it: files that could not be indexed.
/// - `processed/<relative path>`: sources moved away with `--source move` (unless another folder is given).
public struct FileArchive: Sendable {
    /// The archive root.
    public let archiveRoot: String
    /// The quarantine folder.
    public let quarantineRoot: String
    /// Where moved sources go.
    public let processedRoot: String
    /// The watched folder (for relative paths).
    public let watchedRoot: String
    /// Folders known to exist (creating a folder per file cost a tenth of the watcher's time).
    private let knownFolders = KnownFolders()
    /// Whether every source was fsynced by whoever handed it over (see `init`).
    public let sourcesAreDurable: Bool
    /// The folders whose entries changed since the last flush (tracked only when `sourcesAreDurable`).
    private let touchedFolders = TouchedFolders()

    /// Creates the folders (mode 0750) if needed. `clearingIncoming` removes placements a crash left half done;
    /// an entrance that runs beside the watcher (which owns that clean-up) passes false, so that it never removes
    /// a placement the watcher has under way.
    ///
    /// `sourcesAreDurable`: every source's content is on disk before its batch commits (the network receive
    /// pipeline fsyncs each object while reading it). A batch's flush then fsyncs only the folders it placed into — a hard link adds a
    /// name, not data — instead of a `syncfs` that also writes back every other file on the file system (with a
    /// busy neighbour on the same disk, a syncfs took ten times as long). Copies are then fsynced one by one.
    public init(
        dataFolder: String, watchedRoot: String, processedRoot: String? = nil, clearingIncoming: Bool = true,
        sourcesAreDurable: Bool = false
    ) throws {
        self.sourcesAreDurable = sourcesAreDurable
        archiveRoot = dataFolder + "/archive"
        quarantineRoot = dataFolder + "/quarantine"
        self.processedRoot = processedRoot ?? dataFolder + "/processed"
        self.watchedRoot = watchedRoot
        for folder in [archiveRoot, quarantineRoot, archiveRoot + "/.incoming"] { try Self.makeFolder(folder) }
        // Placements interrupted by a crash leave their temporary names here; nothing refers to them.
        if clearingIncoming { clearIncoming() }
    }

    /// Removes whatever is staged in `archive/.incoming/`: placements a crash or a failed batch (a full disk)
    /// left half done. Nothing refers to them; only one watcher uses a data folder at a time (`WatchLock`).
    public func clearIncoming() {
        for leftover in (try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? [] {
            unlink(incoming + "/" + leftover)
        }
    }

    /// The names staged in `archive/.incoming/` (empty unless a placement is under way or was interrupted).
    public func incomingLeftovers() -> [String] {
        (try? FileManager.default.contentsOfDirectory(atPath: incoming)) ?? []
    }

    /// Where placements are staged before their atomic rename (same file system as the archive).
    private var incoming: String { archiveRoot + "/.incoming" }

    /// The archive path of an instance. UIDs that are not plain DICOM UIDs (digits and dots, at most 64) are
    /// replaced by a hash so that no header can steer a path.
    public func archivePath(study: String, series: String, sop: String) -> String {
        "\(archiveRoot)/\(Self.safe(study))/\(Self.safe(series))/\(Self.safe(sop)).dcm"
    }

    /// Places `source` at `target`: a hard link when `link` and possible, else a copy, staged in
    /// `archive/.incoming/` and renamed into place (atomically replacing whatever is there).
    public func place(_ source: String, at target: String, link: Bool) throws {
        let folder = (target as NSString).deletingLastPathComponent
        let created = try knownFolders.ensure(folder)
        if sourcesAreDurable { touchedFolders.add(folder, created: created, below: archiveRoot) }
        let temporary = incoming + "/" + UUID().uuidString
        if !(link && Glibc.link(source, temporary) == 0) {
            try Self.copy(source, to: temporary, durable: sourcesAreDurable)
        }
        try rename(temporary, target, source: source)
        // When the target is already a hard link to the same file (a placement whose batch was never recorded:
        // killed, or a failed commit, before the source left the folder), rename(2) succeeds without doing
        // anything and leaves the staged name behind. Normally the name is gone and this fails with ENOENT.
        unlink(temporary)
    }

    /// Keeps the archived file of a replaced instance aside (`….superseded-<time>.dcm`, a hard link) and returns
    /// its path. The file itself stays where the index points until the new content atomically replaces it, so a
    /// failed placement leaves the index and the archive as they were.
    public func supersede(_ archived: String) throws -> String {
        // Time plus a random part: several versions of one instance can be replaced within a millisecond.
        let stamp = Self.stamp() + "-" + UUID().uuidString.prefix(8).lowercased()
        let aside = archived.replacingOccurrences(of: ".dcm", with: "") + ".superseded-\(stamp).dcm"
        guard Glibc.link(archived, aside) == 0 else {
            throw WatchError.from(archived, "cannot keep the replaced copy aside: \(Self.lastError())", errno: errno)
        }
        if sourcesAreDurable {
            touchedFolders.add((aside as NSString).deletingLastPathComponent, created: false, below: archiveRoot)
        }
        return aside
    }

    /// Quarantines `source` with a reason file beside it and returns the quarantine path. The reason file is
    /// written first; the file is then moved (or copied when `keepSource`), under a name derived from the
    /// source's path, size and time, so that doing it again after a crash gives the same name.
    public func quarantine(_ source: String, stat: FileStat?, reason: String, keepSource: Bool) throws -> String {
        let name = (source as NSString).lastPathComponent
        let key = "\(source)|\(stat?.size ?? -1)|\(stat?.mtimeNanoseconds ?? -1)"
        let id = SHA256.hash(data: Data(key.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
        let target = "\(quarantineRoot)/\(id)-\(name)"
        let text = """
            file: \(source)
            size: \(stat.map { String($0.size) } ?? "unknown") bytes
            quarantined: \(ISO8601DateFormatter().string(from: Date()))
            reason: \(reason)
            what to do: fix or replace the file at its source and send it again, or, when the file is fine and \
            Annulus is wrong, report it; to retry this copy, move it (without this .reason.txt) back into the \
            watched folder.

            """
        try Self.writeAtomically(Data(text.utf8), to: target + ".reason.txt")
        if keepSource {
            try Self.copy(source, to: target)
        } else if Glibc.rename(source, target) != 0 {
            // Another file system: copy, then remove the source only once the copy is durable.
            try Self.copy(source, to: target, durable: true)
            unlink(source)
        }
        return target
    }

    /// Quarantines something that is not a regular file (a symbolic link, a fifo, a socket, a device) by
    /// renaming the entry itself (or, when sources are kept, leaving it and writing only the reason): its target is
    /// never opened, so a link cannot make Annulus read or copy a file from elsewhere. Returns the quarantine path.
    public func quarantineEntry(_ path: String, kind: String, move: Bool) throws -> String {
        let name = (path as NSString).lastPathComponent
        let id = SHA256.hash(data: Data("\(path)|\(kind)".utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
        let target = "\(quarantineRoot)/\(id)-\(name)"
        let reason =
            "a \(kind), not a regular file: Annulus takes regular files only and never follows links; put the "
            + "file itself into the watched folder"
        let text = """
            file: \(path)
            quarantined: \(ISO8601DateFormatter().string(from: Date()))
            reason: \(reason)

            """
        try Self.writeAtomically(Data(text.utf8), to: target + ".reason.txt")
        guard move else { return target }
        guard Glibc.rename(path, target) == 0 else {
            throw WatchError.file(path, "cannot move the \(kind) into the quarantine: \(Self.lastError())")
        }
        return target
    }

    /// Applies the disposition to a source whose archived copy is durable and indexed.
    public func dispose(_ source: String, _ disposition: SourceDisposition) throws {
        switch disposition {
        case .keep:
            return
        case .delete:
            guard unlink(source) == 0 || errno == ENOENT else {
                throw WatchError.file(source, "archived, but cannot delete the source: \(Self.lastError())")
            }
        case .move:
            guard access(source, F_OK) == 0 else { return }
            let relative =
                source.hasPrefix(watchedRoot + "/") ? String(source.dropFirst(watchedRoot.count + 1)) : source
            var target = processedRoot + "/" + relative
            try knownFolders.ensure((target as NSString).deletingLastPathComponent)
            if access(target, F_OK) == 0 { target += ".\(Self.stamp())" }
            if Glibc.rename(source, target) != 0 && errno == ENOENT {
                try Self.makeFolder((target as NSString).deletingLastPathComponent)
            }
            if access(source, F_OK) == 0 && Glibc.rename(source, target) != 0 {
                try Self.copy(source, to: target, durable: true)
                unlink(source)
            }
        }
    }

    /// The folders the next flush will fsync (empty unless `sourcesAreDurable`).
    var foldersToSync: [String] { touchedFolders.peek() }

    /// Makes everything placed so far durable: one `syncfs` of the archive's file system, or, when the sources are
    /// durable already, an fsync of each folder placed into (and of the parents of folders created).
    public func flush() throws {
        if sourcesAreDurable {
            for folder in touchedFolders.take() {
                let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
                guard descriptor >= 0 else { throw WatchError.file(folder, "cannot open: \(Self.lastError())") }
                defer { close(descriptor) }
                guard fsync(descriptor) == 0 else {
                    throw WatchError.from(folder, "fsync: \(Self.lastError())", errno: errno)
                }
            }
            return
        }
        let descriptor = open(archiveRoot, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw WatchError.file(archiveRoot, "cannot open: \(Self.lastError())") }
        defer { close(descriptor) }
        guard GNUCalls.syncfs(descriptor) == 0 else {
            throw WatchError.from(archiveRoot, "syncfs: \(Self.lastError())", errno: errno)
        }
    }

    private func rename(_ temporary: String, _ target: String, source: String) throws {
        if Glibc.rename(temporary, target) == 0 { return }
        if errno == ENOENT {
            // The folder was removed behind our back since we created it: create it again.
            let folder = (target as NSString).deletingLastPathComponent
            try Self.makeFolder(folder)
            if sourcesAreDurable { touchedFolders.add(folder, created: true, below: archiveRoot) }
            if Glibc.rename(temporary, target) == 0 { return }
        }
        let code = errno
        let reason = Self.lastError()
        unlink(temporary)
        throw WatchError.from(source, "cannot place it in the archive at \(target): \(reason)", errno: code)
    }

    static func safe(_ uid: String) -> String {
        let isUID =
            !uid.isEmpty && uid.count <= 64 && uid.allSatisfy { $0 == "." || ("0"..."9").contains($0) }
            && !uid.hasPrefix(".")
        if isUID { return uid }
        return "x" + SHA256.hash(data: Data(uid.utf8)).prefix(16).map { String(format: "%02x", $0) }.joined()
    }

    static func makeFolder(_ path: String) throws {
        do {
            try FileManager.default.createDirectory(
                atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        } catch {
            let code = ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError).map { Int32($0.code) } ?? 0
            throw WatchError.from(path, "cannot create the folder: \(error.localizedDescription)", errno: code)
        }
    }

    /// Copies with copy_file_range (in the kernel; a reflink where the file system can), into a new file;
    /// `durable` fsyncs it (before its source is removed). Archive copies are made durable by one syncfs per batch.
    static func copy(_ source: String, to target: String, durable: Bool = false) throws {
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw WatchError.file(source, "cannot open to copy: \(lastError())") }
        defer { close(input) }
        let output = open(target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o640)
        guard output >= 0 else {
            throw WatchError.from(target, "cannot create: \(lastError())", errno: errno)
        }
        defer { close(output) }
        do {
            while true {
                let copied = GNUCalls.copyFileRange(input, output, 1 << 30)
                if copied > 0 { continue }
                if copied == 0 { break }
                if errno == EINTR { continue }
                if errno == EXDEV || errno == ENOSYS || errno == EINVAL {
                    try copyByReading(input, output, source: source)
                    break
                }
                throw WatchError.from(source, "cannot copy to \(target): \(lastError())", errno: errno)
            }
            if durable && fsync(output) != 0 {
                throw WatchError.from(
                    source, "cannot make the copy at \(target) durable: \(lastError())", errno: errno)
            }
        } catch {
            // A partial copy (a full disk) is never left behind.
            unlink(target)
            throw error
        }
    }

    private static func copyByReading(_ input: Int32, _ output: Int32, source: String) throws {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if count == 0 { return }
            if count < 0 {
                if errno == EINTR { continue }
                throw WatchError.from(source, "cannot read: \(lastError())", errno: errno)
            }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(output, $0.baseAddress! + offset, count - offset) }
                if written < 0 {
                    if errno == EINTR { continue }
                    throw WatchError.from(source, "cannot write the copy: \(lastError())", errno: errno)
                }
                offset += written
            }
        }
    }

    static func writeAtomically(_ data: Data, to path: String) throws {
        let temporary = path + ".tmp-" + UUID().uuidString
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            let code = errno
            unlink(temporary)
            throw WatchError.from(path, "cannot write: \(String(cString: strerror(code)))", errno: code)
        }
        let descriptor = open(temporary, O_RDONLY | O_CLOEXEC)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
        guard Glibc.rename(temporary, path) == 0 else {
            unlink(temporary)
            throw WatchError.file(path, "cannot write: \(lastError())")
        }
    }

    static func stamp() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS"
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: Date())
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}

/// The folders this process created or found, so that each is created at most once.
/// Shared by every copy of a `FileArchive` and by the batch's parallel readers, so the set is behind a mutex; it is
/// not held while a folder is made (two threads may both make one, which `makeFolder` allows).
final class KnownFolders: Sendable {
    private let folders = Mutex<Set<String>>([])

    /// Makes sure `folder` exists; returns false when it was known to (nothing was done).
    @discardableResult
    func ensure(_ folder: String) throws -> Bool {
        if folders.withLock({ $0.contains(folder) }) { return false }
        try FileArchive.makeFolder(folder)
        folders.withLock { _ = $0.insert(folder) }
        return true
    }
}

/// The folders a batch changed, for a flush that syncs only them.
final class TouchedFolders: Sendable {
    private let folders = Mutex<Set<String>>([])

    /// Records `folder`; when it may have just been created, its parents up to `root` too (their new entries).
    func add(_ folder: String, created: Bool, below root: String) {
        folders.withLock { folders in
            folders.insert(folder)
            guard created else { return }
            var parent = folder
            while parent.hasPrefix(root + "/") {
                parent = (parent as NSString).deletingLastPathComponent
                folders.insert(parent)
            }
        }
    }

    /// The folders recorded since the last `take`, deepest first.
    func peek() -> [String] { folders.withLock { Self.deepestFirst($0) } }

    /// The folders recorded since the last call, deepest first, and forgets them.
    func take() -> [String] {
        folders.withLock { folders in
            defer { folders.removeAll() }
            return Self.deepestFirst(folders)
        }
    }

    private static func deepestFirst(_ folders: Set<String>) -> [String] { folders.sorted { $0.count > $1.count } }
}

/// glibc's GNU extensions that Swift's Glibc module does not import (they need _GNU_SOURCE), looked up once.
enum GNUCalls {
    private typealias SyncFS = @convention(c) (Int32) -> Int32
    private typealias CopyFileRange =
        @convention(c) (Int32, UnsafeMutablePointer<Int64>?, Int32, UnsafeMutablePointer<Int64>?, Int, UInt32) -> Int

    private static let syncfsFunction: SyncFS? = dlsym(
        UnsafeMutableRawPointer(bitPattern: 0), "syncfs"
    )
    .map { unsafeBitCast($0, to: SyncFS.self) }
    private static let copyFunction: CopyFileRange? = dlsym(
        UnsafeMutableRawPointer(bitPattern: 0), "copy_file_range"
    ).map { unsafeBitCast($0, to: CopyFileRange.self) }

    /// syncfs(2); falls back to sync(2) where the symbol is missing.
    static func syncfs(_ descriptor: Int32) -> Int32 {
        guard let syncfsFunction else {
            sync()
            return 0
        }
        return syncfsFunction(descriptor)
    }

    /// copy_file_range(2) from the current offsets; -1 with errno ENOSYS where the symbol is missing.
    static func copyFileRange(_ input: Int32, _ output: Int32, _ count: Int) -> Int {
        guard let copyFunction else {
            errno = ENOSYS
            return -1
        }
        return copyFunction(input, nil, output, nil, count, 0)
    }
}
