import AnnulusApp
import Foundation
import Logging
import ProcessTestSupport
import Store
import Synchronization
import Testing

/// The cache of rendered frames: the byte limit holds on disk, a hit keeps an entry, a failed write never fails the
/// request, and many threads at once keep it consistent.
@Suite("The frame cache: bounded, least recently used first, failures that do not fail the request")
struct FrameCacheTests {
    /// The sizes of the published renderings under `folder` (key → bytes) and the temporary files left there.
    static func onDisk(_ folder: String) -> (files: [String: Int64], temporary: [String]) {
        var files: [String: Int64] = [:]
        var temporary: [String] = []
        for shard in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: folder + "/" + shard)) ?? [] {
                var status = stat()
                guard stat(folder + "/" + shard + "/" + name, &status) == 0 else { continue }
                if name.hasPrefix(".") {
                    temporary.append(name)
                } else if name.hasSuffix(".png") {
                    files[String(name.dropLast(4))] = Int64(status.st_size)
                }
            }
        }
        return (files, temporary)
    }

    /// A key as the renderer makes them: 64 hex digits, then parameters.
    static func key(_ number: Int) -> String {
        String(repeating: String(format: "%02x", number % 256), count: 32) + "-\(number)-auto-full"
    }

    /// Use cases over `fixture`'s store with a cache of `limit` bytes, logging into `log`, blocking work on threads
    /// of their own (so that renderings really run in parallel).
    static func useCases(_ fixture: AppFixture, limit: Int64, log: LogRecorder = LogRecorder()) throws -> UseCases {
        var environment = try AppEnvironment(
            store: fixture.store, dataFolder: fixture.dataFolder, logger: log.logger, executor: ThreadExecutor())
        environment.frameCacheLimit = limit
        return UseCases(environment)
    }

    /// An MR instance of SampleStudies.
    static func instanceUID(_ store: AnnulusStore) throws -> String {
        let study = try #require(try store.studies().first { $0.modalities.contains("MR") })
        let series = try #require(try store.series(ofStudy: study.studyInstanceUID).first)
        return try #require(try store.instances(ofSeries: series.seriesInstanceUID).first).sopInstanceUID
    }

    static func isPNG(_ data: Data) -> Bool {
        data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            && data.suffix(8) == Data([0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82])
    }

    @Test("renderings beyond the limit keep the folder within it, on disk, after every request")
    func limitHoldsOnDisk() async throws {
        let fixture = try await AppFixture()
        let limit: Int64 = 40_000
        let app = try Self.useCases(fixture, limit: limit)
        let uid = try Self.instanceUID(fixture.store)
        var rendered: Int64 = 0
        for size in stride(from: 96, through: 256, by: 8) {
            let png = try await app.renderFrame(FrameRequest(instanceUID: uid, frame: 0, size: size), by: .watcher)
            #expect(!png.fromCache && Self.isPNG(png.data))
            rendered += Int64(png.data.count)
            let disk = Self.onDisk(app.frameCacheFolder)
            let total = disk.files.values.reduce(0, +)
            #expect(total <= limit, "\(total) bytes on disk after size \(size)")
            #expect(total == app.frameCache.totalBytes)
            #expect(disk.temporary.isEmpty)
        }
        #expect(rendered > 3 * limit, "the test must render well beyond the limit (\(rendered) bytes)")
        let newest = try await app.renderFrame(FrameRequest(instanceUID: uid, frame: 0, size: 256), by: .watcher)
        #expect(newest.fromCache, "the latest rendering is still cached")
        let oldest = try await app.renderFrame(FrameRequest(instanceUID: uid, frame: 0, size: 96), by: .watcher)
        #expect(!oldest.fromCache, "the first rendering was evicted")
    }

    @Test("a hit marks an entry used: the least recently used goes first")
    func recentlyUsedSurvives() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frame-cache-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cache = FrameCache(folder: folder, limit: 3000, logger: Logger(label: "test"))
        for number in 1...3 { cache.store(Data(repeating: UInt8(number), count: 1000), key: Self.key(number)) }
        #expect(cache.cached(Self.key(1)) == Data(repeating: 1, count: 1000))
        cache.store(Data(repeating: 4, count: 1000), key: Self.key(4))
        #expect(Set(Self.onDisk(folder).files.keys) == Set([1, 3, 4].map(Self.key)), "2 was the least recently used")
        cache.store(Data(repeating: 5, count: 1000), key: Self.key(5))
        #expect(Set(Self.onDisk(folder).files.keys) == Set([1, 4, 5].map(Self.key)))
        #expect(cache.cached(Self.key(2)) == nil)
        #expect(cache.totalBytes == 3000)
        cache.store(Data(count: 3001), key: Self.key(6))
        #expect(Set(Self.onDisk(folder).files.keys) == Set([1, 4, 5].map(Self.key)), "larger than the whole cache")
        // A file deleted behind the cache's back is a miss and is no longer counted.
        unlink(cache.filePath(for: Self.key(4)))
        #expect(cache.cached(Self.key(4)) == nil)
        #expect(cache.totalBytes == 2000)

        let off = FrameCache(folder: folder + "-off", limit: 0, logger: Logger(label: "test"))
        off.store(Data(count: 10), key: Self.key(9))
        #expect(!FileManager.default.fileExists(atPath: folder + "-off"), "a limit of 0 caches nothing")
    }

    @Test("the first use scans the folder: the oldest files by modification time go first, strays are left alone")
    func scanSeedsRecency() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frame-cache-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let now = Date().timeIntervalSince1970
        func put(_ name: String, in shard: String, age: Double, size: Int = 1000) throws {
            try FileManager.default.createDirectory(atPath: folder + "/" + shard, withIntermediateDirectories: true)
            let path = folder + "/" + shard + "/" + name
            try Data(count: size).write(to: URL(fileURLWithPath: path))
            try FileManager.default.setAttributes(
                [.modificationDate: Date(timeIntervalSince1970: now - age)], ofItemAtPath: path)
        }
        // Written in an order unlike their ages: 3 is the oldest, then 1, 4, 2.
        for (number, age) in [(1, 300.0), (2, 100), (3, 400), (4, 200)] {
            try put(Self.key(number) + ".png", in: String(Self.key(number).prefix(2)), age: age)
        }
        let abandoned = "." + Self.key(5) + ".png.tmp-1-2"
        let writing = "." + Self.key(6) + ".png.tmp-3-4"
        try put(abandoned, in: "05", age: 3600)
        try put(writing, in: "06", age: 1)
        try put("notes.txt", in: "01", age: 9000, size: 50_000)
        try put("README", in: "zz", age: 9000, size: 50_000)

        let cache = FrameCache(folder: folder, limit: 2500, logger: Logger(label: "test"))
        #expect(cache.cached(Self.key(2)) != nil)
        #expect(Set(Self.onDisk(folder).files.keys) == Set([2, 4].map(Self.key)), "3 and 1 were the oldest")
        #expect(cache.totalBytes == 2000)
        #expect(!FileManager.default.fileExists(atPath: folder + "/05/" + abandoned), "a crashed writer's file")
        #expect(FileManager.default.fileExists(atPath: folder + "/06/" + writing), "a file being written")
        #expect(FileManager.default.fileExists(atPath: folder + "/01/notes.txt"))
        #expect(FileManager.default.fileExists(atPath: folder + "/zz/README"))
    }

    @Test("sizes as an operator writes them")
    func byteCounts() {
        let cases: [(String, Int64?)] = [
            ("0", 0), ("1073741824", 1 << 30), ("512M", 512 << 20), ("2G", 2 << 30), ("2g", 2 << 30),
            ("1.5GiB", 3 << 29), ("100k", 102_400), ("100 KB", 102_400), ("1T", 1 << 40), ("10b", 10),
            ("", nil), ("G", nil), ("-1G", nil), ("1.2.3M", nil), ("12Q", nil), ("2048T", nil), ("1e9", nil),
        ]
        for (text, bytes) in cases { #expect(FrameCache.byteCount(text) == bytes, "\(text)") }
    }

    @Test("a cache folder that is a file: frames are served, one warning without patient data, then recovery")
    func cacheFolderIsAFile() async throws {
        let fixture = try await AppFixture()
        let log = LogRecorder()
        let app = try Self.useCases(fixture, limit: 1 << 20, log: log)
        try Data("not a folder".utf8).write(to: URL(fileURLWithPath: app.frameCacheFolder))
        let uid = try Self.instanceUID(fixture.store)
        for size in [64, 80, 96, 64] {
            let png = try await app.renderFrame(FrameRequest(instanceUID: uid, frame: 0, size: size), by: .watcher)
            #expect(Self.isPNG(png.data) && !png.fromCache)
        }
        let warnings = log.messages(.warning)
        #expect(warnings.count == 1, "\(warnings)")
        #expect(warnings.first?.contains("a file, not a folder") == true, "\(warnings)")
        let hash = try #require(try fixture.store.instance(sopInstanceUID: uid)).contentSHA256
        #expect(!log.all().contains { $0.contains(uid) || $0.contains(hash) })

        try FileManager.default.removeItem(atPath: app.frameCacheFolder)
        _ = try await app.renderFrame(FrameRequest(instanceUID: uid, frame: 0, size: 64), by: .watcher)
        #expect(log.messages(.info).contains { $0.contains("writes succeed again") })
        #expect(try await app.renderFrame(FrameRequest(instanceUID: uid, frame: 0, size: 64), by: .watcher).fromCache)
    }

    @Test(
        "a read-only cache folder (permissions) still serves frames",
        .enabled(if: geteuid() != 0, "running as root: permissions do not restrict it (the tmpfs test covers EROFS)"))
    func readOnlyFolder() async throws {
        let fixture = try await AppFixture()
        let log = LogRecorder()
        let app = try Self.useCases(fixture, limit: 1 << 20, log: log)
        try FileManager.default.createDirectory(atPath: app.frameCacheFolder, withIntermediateDirectories: true)
        chmod(app.frameCacheFolder, 0o555)
        defer { chmod(app.frameCacheFolder, 0o755) }
        let uid = try Self.instanceUID(fixture.store)
        for size in [64, 80] {
            let png = try await app.renderFrame(FrameRequest(instanceUID: uid, frame: 0, size: size), by: .watcher)
            #expect(Self.isPNG(png.data) && !png.fromCache)
        }
        #expect(log.messages(.warning).count == 1)
        #expect(log.messages(.warning).first?.contains("permission denied") == true)
    }

    @Test(
        "a full disk, then a read-only file system: frames are served, one warning per kind",
        .enabled(if: Tmpfs.canMount, "a tmpfs cannot be mounted here (needs root with CAP_SYS_ADMIN)"))
    func fullThenReadOnlyDisk() async throws {
        let fixture = try await AppFixture()
        let log = LogRecorder()
        let app = try Self.useCases(fixture, limit: 1 << 30, log: log)
        try FileManager.default.createDirectory(atPath: app.frameCacheFolder, withIntermediateDirectories: true)
        try #require(Tmpfs.mount(at: app.frameCacheFolder, size: "48k"))
        defer { Tmpfs.unmount(app.frameCacheFolder) }
        let uid = try Self.instanceUID(fixture.store)
        for size in stride(from: 300, through: 500, by: 50) {
            let png = try await app.renderFrame(FrameRequest(instanceUID: uid, frame: 0, size: size), by: .watcher)
            #expect(Self.isPNG(png.data))
        }
        #expect(log.messages(.warning).filter { $0.contains("no space left") }.count == 1, "\(log.all())")
        #expect(Self.onDisk(app.frameCacheFolder).temporary.isEmpty, "no partial file is left")

        try #require(Tmpfs.remountReadOnly(app.frameCacheFolder))
        for size in [200, 210] {
            let png = try await app.renderFrame(FrameRequest(instanceUID: uid, frame: 0, size: size), by: .watcher)
            #expect(Self.isPNG(png.data) && !png.fromCache)
        }
        #expect(log.messages(.warning).filter { $0.contains("read-only") }.count == 1, "\(log.all())")
    }

    @Test("parallel renderings of overlapping frames: every response whole, the limit kept, nothing half-written")
    func parallelRenders() async throws {
        let fixture = try await AppFixture()
        let limit: Int64 = 30_000
        let app = try Self.useCases(fixture, limit: limit)
        let uid = try Self.instanceUID(fixture.store)
        let sizes = Array(stride(from: 100, to: 220, by: 10))
        let results = try await withThrowingTaskGroup(of: (Int, Data).self) { group in
            for index in 0..<64 {
                let size = sizes[index % sizes.count]
                group.addTask {
                    (
                        size,
                        try await app.renderFrame(FrameRequest(instanceUID: uid, frame: 0, size: size), by: .watcher)
                            .data
                    )
                }
            }
            return try await group.reduce(into: [Int: Set<Data>]()) { $0[$1.0, default: []].insert($1.1) }
        }
        #expect(results.count == sizes.count)
        #expect(results.values.allSatisfy { $0.count == 1 && Self.isPNG($0.first!) }, "one identical PNG per size")
        let disk = Self.onDisk(app.frameCacheFolder)
        #expect(disk.files.values.reduce(0, +) <= limit)
        #expect(disk.files.values.reduce(0, +) == app.frameCache.totalBytes)
        #expect(disk.temporary.isEmpty)
    }

    @Test("sixteen threads storing and reading one cache: each read is what was stored, the count matches the disk")
    func manyThreads() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("frame-cache-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let limit: Int64 = 20_000
        let cache = FrameCache(folder: folder, limit: limit, logger: Logger(label: "test"))
        // Each key's content is fixed: its number repeated, 500 to 2,900 bytes.
        let content: @Sendable (Int) -> Data = { Data(repeating: UInt8($0), count: 500 + ($0 % 25) * 100) }
        let wrong = Mutex(0)
        await Threads.run(16) { _ in
            var generator = SystemRandomNumberGenerator()
            for _ in 0..<400 {
                let number = Int.random(in: 0..<60, using: &generator)
                if let data = cache.cached(Self.key(number)) {
                    if data != content(number) { wrong.withLock { $0 += 1 } }
                } else {
                    cache.store(content(number), key: Self.key(number))
                }
            }
        }
        #expect(wrong.withLock { $0 } == 0)
        let disk = Self.onDisk(folder)
        #expect(disk.files.values.reduce(0, +) <= limit)
        #expect(disk.files.values.reduce(0, +) == cache.totalBytes)
        #expect(disk.temporary.isEmpty)
        #expect(disk.files.count > 3)
    }
}

/// Runs blocking work on a thread of its own: parallel renderings without the cooperative pool's width.
struct ThreadExecutor: BlockingExecutor {
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try work() }) }.start()
        }
    }
}

/// Keeps every log message (with its metadata) for a test to read.
final class LogRecorder: Sendable {
    private let lines = Mutex<[(Logger.Level, String)]>([])

    /// A logger writing here, at every level.
    var logger: Logger {
        var logger = Logger(label: "test") { _ in Handler(recorder: self) }
        logger.logLevel = .trace
        return logger
    }

    /// The messages at `level`.
    func messages(_ level: Logger.Level) -> [String] { lines.withLock { $0.filter { $0.0 == level }.map(\.1) } }

    /// Every message.
    func all() -> [String] { lines.withLock { $0.map(\.1) } }

    private struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let text = "\(event.message) \(metadata.merging(event.metadata ?? [:]) { $1 })"
            recorder.lines.withLock { $0.append((event.level, text)) }
        }
    }
}
