import AnnulusRecords
import Foundation
import Testing

@testable import Store

@Suite("Concurrent writers on one file")
struct ConcurrencyTests {
    @Test("Two stores (two pools) adding 200 annotations each at once end with exactly 400")
    func concurrentAdds() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/annulus.sqlite"
            let first = try AnnulusStore(path: path)
            let second = try AnnulusStore(path: path)
            let study = try Fixture.ingestStudy(first)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (index, store) in [first, second].enumerated() {
                    group.addTask {
                        for item in 0..<200 {
                            _ = try store.add(
                                NewAnnotation(
                                    studyUID: study, level: "L4-L5", findingKind: "fissure",
                                    payload: Fixture.payload(item % 5, note: "writer \(index)")),
                                author: "writer-\(index)", reason: nil)
                        }
                    }
                }
                try await group.waitForAll()
            }
            let annotations = try first.annotations(studyUID: study, includeRetracted: true)
            #expect(annotations.count == 400)
            #expect(Set(annotations.map(\.annotationID)).count == 400)
            #expect(annotations.filter { $0.author == "writer-0" }.count == 200)
            #expect(try second.resolveStudy(study).draftAnnotations == 400)
        }
    }

    @Test(
        "A second store on the file in one process keeps the first one's locks: the WAL stays, commits stay visible",
        .enabled(if: StoreProtectionTests.hasSQLite3))
    func secondOpenInOneProcessKeepsTheLocks() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/annulus.sqlite"
            let first = try AnnulusStore(path: path)
            let study = try Fixture.ingestStudy(first)
            // Opening checks the file's header; closing that descriptor must not drop the first store's POSIX locks.
            let second = try AnnulusStore(path: path)
            #expect(try second.annotations(studyUID: study).isEmpty)
            // Another process opens and closes the store: it must not find itself the last connection (it would
            // then checkpoint and delete the WAL under this process's open connections).
            #expect(try sqlite3(path, "SELECT count(*) FROM annotation_versions;") == "0")
            #expect(FileManager.default.fileExists(atPath: path + "-wal"), "the WAL was deleted under open connections")
            _ = try first.add(
                NewAnnotation(studyUID: study, level: "L4-L5", findingKind: "fissure", payload: Fixture.payload(0)),
                author: "dr.a", reason: nil)
            #expect(try sqlite3(path, "SELECT count(*) FROM annotation_versions;") == "1", "a commit no one else sees")
            #expect(try second.annotations(studyUID: study).count == 1)
        }
    }

    @Test("One annotation amended concurrently from two stores keeps versions 1…N without gaps")
    func concurrentAmends() async throws {
        try await withTemporaryFolder { folder in
            let path = folder + "/annulus.sqlite"
            let first = try AnnulusStore(path: path)
            let second = try AnnulusStore(path: path)
            let study = try Fixture.ingestStudy(first)
            let v1 = try first.add(
                NewAnnotation(studyUID: study, level: "L4-L5", findingKind: "fissure", payload: Fixture.payload(0)),
                author: "dr.a", reason: nil)
            let amendsEach = 100
            try await withThrowingTaskGroup(of: [Int].self) { group in
                for (index, store) in [first, second].enumerated() {
                    group.addTask {
                        var versions: [Int] = []
                        for item in 0..<amendsEach {
                            let version = try store.amend(
                                id: v1.annotationID, payload: Fixture.payload(item, note: "writer \(index)"),
                                author: "writer-\(index)", reason: "pass \(item)")
                            versions.append(version.version)
                        }
                        return versions
                    }
                }
                var all: [Int] = []
                for try await versions in group {
                    #expect(versions == versions.sorted(), "each writer sees its versions increase")
                    all += versions
                }
                #expect(all.sorted() == Array(2...(1 + 2 * amendsEach)))
            }
            let history = try second.history(id: v1.annotationID)
            #expect(history.map(\.version) == Array(1...(1 + 2 * amendsEach)))
            #expect(zip(history, history.dropFirst()).allSatisfy { $0.createdAt <= $1.createdAt })
        }
    }

    @Test("A writer that waits longer than the busy timeout gets the 'database is locked' text with the path")
    func lockedTimeout() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("annulus-store-tests-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/annulus.sqlite"
        let holder = try AnnulusStore(path: path)
        let impatient = try AnnulusStore(path: path, busyTimeout: 0.3)
        let study = try Fixture.ingestStudy(holder)
        let new = NewAnnotation(studyUID: study, level: "L4-L5", findingKind: "fissure", payload: Fixture.payload(1))

        // The holder takes the write lock on its own thread and keeps it until released.
        let lockTaken = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let finished = DispatchSemaphore(value: 0)
        Thread {
            try? holder.write { _ in
                lockTaken.signal()
                release.wait()
            }
            finished.signal()
        }.start()
        lockTaken.wait()
        let error = #expect(throws: StoreError.locked(path: path, seconds: 0.3)) {
            try impatient.add(new, author: "dr.a", reason: nil)
        }
        release.signal()
        finished.wait()
        #expect(error?.description.contains("database is locked for more than 0.3 s") == true)
        #expect(error?.description.contains(path) == true)
        #expect(throws: Never.self) { try impatient.add(new, author: "dr.a", reason: nil) }
    }
}
