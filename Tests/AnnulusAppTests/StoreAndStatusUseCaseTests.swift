import AnnulusApp
import AnnulusRecords
import Foundation
import Store
import Testing
import Watch

@Suite("Use cases: the data folder, the store check, status and the watcher's setup, in process", .serialized)
struct StoreAndStatusUseCaseTests {
    /// A temporary folder, removed afterwards.
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-app-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("no store in the data folder is not found (never a new empty one); a file given as the folder is refused")
    func dataFolder() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let missing = await AppFixture.error { try DataFolder(path: root + "/data").openStore() }
        #expect(missing?.kind == .notFound && missing?.code == "no-store" && missing?.isRefusal == true)
        #expect(missing?.message.hasPrefix("there is no store at \(root)/data/annulus.sqlite") == true)
        #expect(!FileManager.default.fileExists(atPath: root + "/data"), "nothing was created")
        let file = root + "/annulus.sqlite"
        #expect(FileManager.default.createFile(atPath: file, contents: Data()))
        let isFile = await AppFixture.error { try DataFolder(path: file).openStore() }
        #expect(isFile?.kind == .invalidInput && isFile?.code == "data-folder-is-a-file")
        #expect(isFile?.message.hasSuffix(", here --data \(root)") == true)
        let empty = await AppFixture.error { try DataFolder(path: root).openStore() }
        #expect(empty?.kind == .unavailable && empty?.code == "not-a-store" && empty?.isRefusal == false)
        #expect(DataFolder(storeFile: file).path == root)
        #expect(DataFolder.arguments(forStoreAt: file) == ["--data", root])
    }

    @Test("the store check: clean, a file that is not a store (a result), and no store (not found)")
    func checkStore() async throws {
        let fixture = try await AppFixture(ingest: false)
        let clean = try await UseCases.checkStore(fixture.dataFolder, full: true)
        #expect(clean.isClean && clean.path == fixture.dataFolder.storePath)
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(FileManager.default.createFile(atPath: root + "/annulus.sqlite", contents: Data("not sqlite".utf8)))
        let unusable = try await UseCases.checkStore(DataFolder(path: root), full: false)
        guard case .unusable(_, let message) = unusable else {
            Issue.record("expected unusable: \(unusable)")
            return
        }
        #expect(message.contains("is not an annulus store") && !unusable.isClean)
        let none = await AppFixture.error {
            try await UseCases.checkStore(DataFolder(path: root + "/none"), full: false)
        }
        #expect(none?.kind == .notFound)
    }

    @Test("status: a watcher is running only with a recent heartbeat and a live process; a dead one is not")
    func status() async throws {
        let fixture = try await AppFixture(ingest: false)
        let empty = try await fixture.useCases.status(by: .watcher)
        #expect(empty.watchers.isEmpty && empty.queued == 0)
        let now = ISO8601DateFormatter().string(from: Date())
        try fixture.store.recordHeartbeat(
            folder: "/inbox", pid: Int(ProcessInfo.processInfo.processIdentifier), startedAt: now, queued: 3)
        try fixture.store.recordHeartbeat(folder: "/gone", pid: 999_999_999, startedAt: now, queued: 7)
        let report = try await fixture.useCases.status(by: .watcher)
        let byFolder = Dictionary(uniqueKeysWithValues: report.watchers.map { ($0.watcher.folder, $0) })
        #expect(byFolder["/inbox"]?.running == true && byFolder["/inbox"]?.processAlive == true)
        #expect(byFolder["/gone"]?.running == false && byFolder["/gone"]?.processAlive == false)
        #expect(report.queued == 3, "only running watchers' queues count")
        let view = StatusView(report)
        #expect(view.watchers.count == 2 && view.studies == ["pending": 0, "complete": 0, "failed": 0])
    }

    @Test("the watcher: a folder that is not one is refused; one watcher per data folder; --once on an empty inbox")
    func watch() async throws {
        let fixture = try await AppFixture(ingest: false)
        struct NoCompletion: StudyCompletionHandler {
            func completeStudy(_ studyUID: String) throws -> StudyCompletionReport {
                StudyCompletionReport(summary: "nothing")
            }
        }
        let notAFolder = await AppFixture.error {
            try fixture.useCases.prepareWatch(WatchRequest(folder: fixture.root + "/none"), completion: NoCompletion())
        }
        #expect(notAFolder?.kind == .invalidInput && notAFolder?.code == "not-a-folder")
        let inbox = fixture.root + "/inbox"
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        let request = WatchRequest(folder: inbox, once: true, onceWaitLimit: 0, lockWait: 0)
        let prepared = try fixture.useCases.prepareWatch(request, completion: NoCompletion())
        let second = await AppFixture.error { try fixture.useCases.prepareWatch(request, completion: NoCompletion()) }
        #expect(second?.kind == .unavailable && second?.message.contains("another watcher") == true)
        let (report, pending) = try prepared.run()
        #expect(report.added == 0 && pending == 0)
        #expect(UseCases.exclusions(["/in/data", "/elsewhere"], within: "/in") == ["/in/data"])
    }

    @Test("the store's errors keep their message and map to the kinds a face needs")
    func storeErrorMapping() {
        let cases: [(StoreError, AppError.Kind, String)] = [
            (.unknownStudy(reference: "x"), .notFound, "unknown-study"),
            (.ambiguousStudy(reference: "A", candidates: []), .invalidInput, "ambiguous-study"),
            (.alreadySigned(id: "a", version: 2, by: "b", at: "c"), .conflict, "already-signed"),
            (.versionChanged(id: "a", listed: 1, latest: 2, by: "b", at: "c"), .conflict, "version-changed"),
            (.locked(path: "/s", seconds: 15), .unavailable, "store-locked"),
            (.diskFull(path: "/s"), .unavailable, "store-disk-full"),
            (.database(path: "/s", reason: "r"), .internal, "store-database"),
        ]
        for (store, kind, code) in cases {
            let app = AppError(store)
            #expect(app.kind == kind && app.code == code && app.message == store.description)
            #expect(app.isRefusal == store.isRefusal, "the CLI's exit status stays what it was for \(store)")
        }
        #expect(AppError(CocoaError(.fileWriteOutOfSpace)).kind == .internal)
    }
}
