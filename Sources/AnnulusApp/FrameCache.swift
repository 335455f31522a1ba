import DicomIO
import Foundation
import Logging
import Synchronization

/// The folder of rendered frames under the data folder, bounded in bytes: when a new rendering takes the total
/// over the limit, the least recently used files are deleted until it fits.
///
/// Recency is kept in memory: the folder is scanned once, lazily, by the first call (on the caller's thread, so on
/// the server's CPU pool, never an event loop), seeding the order from the files' modification times; every hit and
/// every write then marks a file used. Files are written atomically (a hidden temporary name, then a rename), and
/// only published files the cache knows are ever deleted, so a file being written is never touched. A write that
/// fails (a full disk, a read-only file system, no permission) is logged once per kind and costs nothing else:
/// the caller still has its bytes. Safe to use from any number of threads. Another process sharing the folder (a
/// second server on the same data folder) keeps its own order; a file it deleted is a miss here, rendered anew.
public final class FrameCache: Sendable {
    /// The default bound: 1 GiB.
    public static let defaultLimit: Int64 = 1 << 30

    /// The folder (`<data>/frame-cache`): files are `<2 hex>/<key>.png`.
    public let folder: String
    /// The most bytes the cached files may hold together; 0 turns caching off.
    public let limit: Int64

    private let logger: Logger
    private let state = Mutex(State())

    /// A hidden temporary file older than this at the scan is a crashed writer's and is removed.
    static let abandonedTemporaryAge: TimeInterval = 600

    /// A cache over `folder`, holding at most `limit` bytes (0: nothing is cached).
    public init(folder: String, limit: Int64 = FrameCache.defaultLimit, logger: Logger) {
        self.folder = folder
        self.limit = max(0, limit)
        self.logger = logger
    }

    /// The path of the file for `key`.
    public func filePath(for key: String) -> String {
        folder + "/" + String(key.prefix(2)) + "/" + key + ".png"
    }

    /// The bytes the cache counts: the published files it knows.
    public var totalBytes: Int64 { state.withLock { $0.recency.totalBytes } }

    /// The cached bytes for `key`, marking them used; nil when not cached.
    public func cached(_ key: String) -> Data? {
        guard limit > 0 else { return nil }
        scanOnce()
        let target = filePath(for: key)
        let data = FileManager.default.contents(atPath: target)
        // What is on disk now decides (under the lock, where files are published and evicted): a file deleted
        // behind our back (by hand, by another process) is forgotten, one we did not know is counted.
        state.withLock { state in
            var status = stat()
            if stat(target, &status) == 0 {
                state.recency.markUsed(key, size: Int64(status.st_size))
            } else {
                state.recency.remove(key)
            }
        }
        return data
    }

    /// Stores `data` under `key` and evicts the least recently used files beyond the limit (a rendering larger than
    /// the limit is not stored). Never throws: a write that fails is logged (once per kind of failure, until a write
    /// succeeds again) and the cache stays as it was.
    public func store(_ data: Data, key: String) {
        // A rendering larger than the whole cache would only push every other one out, itself included.
        guard limit > 0, Int64(data.count) <= limit else { return }
        scanOnce()
        let target = filePath(for: key)
        let temporary: String
        do {
            try Self.makeFolder(folder)
            try Self.makeFolder((target as NSString).deletingLastPathComponent)
            temporary = try AtomicFile.writeTemporary(data, for: target)
        } catch {
            noteFailure(error)
            return
        }
        // Publishing, counting and evicting under one lock: the files on disk are always the ones counted.
        let published: Result<Bool, any Error> = state.withLock { state in
            do { try AtomicFile.publish(temporary, as: target) } catch { return .failure(error) }
            state.recency.markUsed(key, size: Int64(data.count))
            for victim in state.evictions(limit: limit) { unlink(filePath(for: victim)) }
            let recovered = !state.reportedFailures.isEmpty
            state.reportedFailures.removeAll()
            return .success(recovered)
        }
        switch published {
        case .failure(let error):
            unlink(temporary)
            noteFailure(error)
        case .success(let recovered):
            if recovered { logger.info("frame cache: writes succeed again", metadata: ["folder": "\(folder)"]) }
        }
    }

    // MARK: - Failures

    /// What kind of failure a write met, for the log: the words an operator acts on.
    enum FailureKind: String, Sendable {
        case noSpace = "no space left on the device"
        case readOnly = "the file system is read-only"
        case permission = "permission denied"
        case notAFolder = "a path in the cache is a file, not a folder"
        case quota = "the disk quota is exceeded"
        case other = "the file cannot be written"

        init(errorNumber: Int32?) {
            switch errorNumber {
            case ENOSPC: self = .noSpace
            case EROFS: self = .readOnly
            case EACCES, EPERM: self = .permission
            case ENOTDIR, EEXIST: self = .notAFolder
            case EDQUOT: self = .quota
            default: self = .other
            }
        }
    }

    private func noteFailure(_ error: any Error) {
        let number: Int32? =
            switch error {
            case let write as AtomicFile.WriteError: write.errorNumber
            case let folder as FolderError: folder.errorNumber
            default: nil
            }
        let kind = FailureKind(errorNumber: number)
        guard state.withLock({ $0.reportedFailures.insert(kind).inserted }) else { return }
        // The folder and the system's words only: a key names a file's hash, never a patient, but stays out anyway.
        logger.warning(
            "frame cache: cannot write a rendering (\(kind.rawValue)); frames are still served, rendered each time",
            metadata: [
                "folder": "\(folder)", "error": "\(number.map { String(cString: strerror($0)) } ?? "\(error)")",
            ])
    }

    private struct FolderError: Error {
        var errorNumber: Int32
    }

    private static func makeFolder(_ path: String) throws {
        if mkdir(path, 0o755) == 0 { return }
        let number = errno
        var status = stat()
        if number == EEXIST, stat(path, &status) == 0, status.st_mode & S_IFMT == S_IFDIR { return }
        throw FolderError(errorNumber: number)
    }

    // MARK: - Scan and eviction

    private struct State: ~Copyable {
        var recency = RecencyList()
        var scan = ScanState.notStarted
        var reportedFailures: Set<FailureKind> = []

        /// The least recently used keys to delete until the total fits `limit`, removed from the order.
        mutating func evictions(limit: Int64) -> [String] {
            guard scan == .done else { return [] }
            var victims: [String] = []
            while recency.totalBytes > limit, let oldest = recency.removeOldest() { victims.append(oldest) }
            return victims
        }
    }

    private enum ScanState { case notStarted, running, done }

    /// The first caller scans the folder; callers meanwhile go on with what they know (their marks are newer than
    /// any scanned file's), and eviction waits for the scan.
    private func scanOnce() {
        let claimed = state.withLock { state in
            guard state.scan == .notStarted else { return false }
            state.scan = .running
            return true
        }
        guard claimed else { return }
        let found = scan().sorted { $0.modified > $1.modified }
        state.withLock { state in
            // Newest first, each behind the others: the oldest file ends up first in line for eviction.
            for file in found { state.recency.addAsOldest(file.key, size: file.size) }
            state.scan = .done
            for victim in state.evictions(limit: limit) { unlink(filePath(for: victim)) }
        }
    }

    private struct ScannedFile {
        var key: String
        var size: Int64
        var modified: Double
    }

    /// The published renderings under the folder (`<2 hex>/<64 hex>-….png`), and the removal of temporary files
    /// a crashed writer left; anything else is neither counted nor touched.
    private func scan() -> [ScannedFile] {
        guard let shards = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
        var found: [ScannedFile] = []
        let now = Date().timeIntervalSince1970
        for shard in shards where shard.utf8.count == 2 && shard.utf8.allSatisfy(Self.isHexDigit) {
            let shardPath = folder + "/" + shard
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: shardPath) else { continue }
            for name in names {
                var status = stat()
                let path = shardPath + "/" + name
                guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
                let modified = Double(status.st_mtim.tv_sec) + Double(status.st_mtim.tv_nsec) / 1e9
                if name.hasPrefix("."), name.contains(".png.tmp-") {
                    if now - modified > Self.abandonedTemporaryAge { unlink(path) }
                    continue
                }
                guard let key = Self.key(fromFileName: name), key.hasPrefix(shard) else { continue }
                found.append(ScannedFile(key: key, size: Int64(status.st_size), modified: modified))
            }
        }
        return found
    }

    /// The key of a rendering's file name: 64 lowercase hex digits, a dash, more, `.png`.
    static func key(fromFileName name: String) -> String? {
        guard name.hasSuffix(".png") else { return nil }
        let key = name.dropLast(4)
        let bytes = Array(key.utf8)
        guard bytes.count > 65, bytes[64] == UInt8(ascii: "-"), bytes[..<64].allSatisfy(isHexDigit) else {
            return nil
        }
        return String(key)
    }

    /// A lowercase hexadecimal digit.
    static func isHexDigit(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x61...0x66).contains(byte)
    }

    // MARK: - Sizes

    /// A byte count as an operator writes it: `1073741824`, `512M`, `2G`, `1.5GiB`, `100k` (binary units: K = 1024
    /// bytes); `0` turns the cache off. Nil when the text is not such a size or exceeds 1 PiB.
    public static func byteCount(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let number = trimmed.prefix { $0.isASCII && ($0.isNumber || $0 == ".") }
        let unit = trimmed.dropFirst(number.count).trimmingCharacters(in: .whitespaces)
        guard !number.isEmpty, number.filter({ $0 == "." }).count <= 1, let value = Double(number),
            let shift = units[unit]
        else { return nil }
        let bytes = (value * Double(Int64(1) << shift)).rounded(.down)
        guard bytes >= 0, bytes <= Double(Int64(1) << 50) else { return nil }
        return Int64(bytes)
    }

    /// The unit spellings `byteCount` accepts and their powers of two.
    private static let units: [String: Int64] = {
        var units: [String: Int64] = ["": 0, "b": 0]
        for (letter, shift) in [("k", 10), ("m", 20), ("g", 30), ("t", 40)] as [(String, Int64)] {
            for spelling in [letter, letter + "b", letter + "ib"] { units[spelling] = shift }
        }
        return units
    }()
}

/// Keys in order of use with their sizes: a doubly linked list over arrays, so that marking a key used, removing
/// it and taking the least recently used one are O(1).
struct RecencyList {
    private var slots: [String: Int] = [:]
    private var keys: [String] = []
    private var sizes: [Int64] = []
    /// Towards the least recently used end.
    private var older: [Int] = []
    /// Towards the most recently used end.
    private var newer: [Int] = []
    private var free: [Int] = []
    private var newest = -1
    private var oldest = -1
    /// The sum of the sizes.
    private(set) var totalBytes: Int64 = 0

    /// How many keys are held.
    var count: Int { slots.count }

    /// True when `key` is held.
    func contains(_ key: String) -> Bool { slots[key] != nil }

    /// The keys from the most recently used to the least.
    var keysByRecency: [String] {
        var result: [String] = []
        var slot = newest
        while slot >= 0 {
            result.append(keys[slot])
            slot = older[slot]
        }
        return result
    }

    /// Makes `key` the most recently used, with `size` bytes (added when new).
    mutating func markUsed(_ key: String, size: Int64) {
        if let slot = slots[key] {
            totalBytes += size - sizes[slot]
            sizes[slot] = size
            detach(slot)
            linkNewest(slot)
        } else {
            linkNewest(allocate(key, size: size))
        }
    }

    /// Adds `key` as the least recently used, unless it is held already.
    mutating func addAsOldest(_ key: String, size: Int64) {
        guard slots[key] == nil else { return }
        let slot = allocate(key, size: size)
        older[slot] = -1
        newer[slot] = oldest
        if oldest >= 0 { older[oldest] = slot } else { newest = slot }
        oldest = slot
    }

    /// Removes `key`; its size, or nil when it was not held.
    @discardableResult
    mutating func remove(_ key: String) -> Int64? {
        guard let slot = slots.removeValue(forKey: key) else { return nil }
        detach(slot)
        let size = sizes[slot]
        totalBytes -= size
        keys[slot] = ""
        free.append(slot)
        return size
    }

    /// Removes and returns the least recently used key.
    mutating func removeOldest() -> String? {
        guard oldest >= 0 else { return nil }
        let key = keys[oldest]
        remove(key)
        return key
    }

    private mutating func allocate(_ key: String, size: Int64) -> Int {
        let slot: Int
        if let reused = free.popLast() {
            slot = reused
            keys[slot] = key
            sizes[slot] = size
        } else {
            slot = keys.count
            keys.append(key)
            sizes.append(size)
            older.append(-1)
            newer.append(-1)
        }
        slots[key] = slot
        totalBytes += size
        return slot
    }

    private mutating func linkNewest(_ slot: Int) {
        newer[slot] = -1
        older[slot] = newest
        if newest >= 0 { newer[newest] = slot } else { oldest = slot }
        newest = slot
    }

    private mutating func detach(_ slot: Int) {
        let (before, after) = (older[slot], newer[slot])
        if before >= 0 { newer[before] = after } else { oldest = after }
        if after >= 0 { older[after] = before } else { newest = before }
        older[slot] = -1
        newer[slot] = -1
    }
}
