import Foundation
import Store
import Synchronization
import Testing

@testable import Watch

/// A study whose completion fails is marked failed with its reason and never retried in a loop; a completion
/// that keeps taking the process down is given up; the child-process runner reports exits, signals and timeouts.
@Suite("Study completion: failures, crash loops, the child process")
struct StudyCompletionTests {
    final class RecordingHandler: StudyCompletionHandler {
        let calls = Mutex<[String]>([])
        let answer: @Sendable (String) throws -> StudyCompletionReport
        init(_ answer: @escaping @Sendable (String) throws -> StudyCompletionReport) { self.answer = answer }
        func completeStudy(_ studyUID: String) throws -> StudyCompletionReport {
            calls.withLock { $0.append(studyUID) }
            return try answer(studyUID)
        }
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String { "the renderer gave up" }
    }

    /// A store with two watched studies that arrived long ago.
    static func store() throws -> (AnnulusStore, String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("completion-\(UUID().uuidString)").path
        let store = try AnnulusStore(path: root + "/annulus.sqlite")
        let series = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("SampleStudies").path
        let files = try FileManager.default.subpathsOfDirectory(atPath: series).filter { $0.hasSuffix(".dcm") }
            .sorted().map { series + "/" + $0 }
        let archive = try FileArchive(dataFolder: root + "/data", watchedRoot: series)
        let processor = ArrivalProcessor(store: store, archive: archive, disposition: .keep)
        _ = try processor.process(files)
        return (store, root)
    }

    @Test("a failing completion marks the study failed with its reason, and it is not tried again")
    func failureIsFinal() throws {
        let (store, root) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let studies = try store.watchStudies()
        try #require(studies.count == 3)
        let failing = studies[0].studyUID
        let handler = RecordingHandler { uid in
            if uid == failing { throw Failure() }
            return StudyCompletionReport(summary: "done")
        }
        let completion = StudyCompletion(store: store, quietSeconds: 0, handler: handler)
        let done = try completion.completeDue(now: Date().timeIntervalSince1970 + 10)
        #expect(Set(done) == Set(studies.map(\.studyUID)))
        let after = try store.watchStudies()
        #expect(after.first { $0.studyUID == failing }?.state == .failed)
        #expect(after.first { $0.studyUID == failing }?.failure == "completion-failed")
        #expect(after.first { $0.studyUID == failing }?.completion?.contains("the renderer gave up") == true)
        #expect(after.filter { $0.state == .complete }.count == 2)
        // Nothing is due any more: the failed study waits for a new instance.
        #expect(try completion.completeDue(now: Date().timeIntervalSince1970 + 20).isEmpty)
        #expect(handler.calls.withLock { $0.count } == 3)
        let status = try store.watchStatus()
        #expect(status.failedStudies == 1 && status.failed.first?.failure == "completion-failed")
    }

    @Test("problems a completion reports are each recorded, and the study is failed with their code")
    func problemsRecorded() throws {
        let (store, root) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let handler = RecordingHandler { _ in
            StudyCompletionReport(
                summary: "1 failed", failure: "previews-failed",
                problems: ["preview failed: IM0001.dcm: decode-crashed: the decoder worker died of SIGSEGV"])
        }
        try StudyCompletion(store: store, quietSeconds: 0, handler: handler).completeDue(
            now: Date().timeIntervalSince1970 + 10)
        let status = try store.watchStatus(problems: 50)
        #expect(status.failedStudies == 3)
        #expect(status.lastProblems.filter { $0.message.contains("decode-crashed") }.count == 3)
    }

    @Test("a completion started maximumAttempts times without finishing is given up as crashed, unrun")
    func crashLoopBroken() throws {
        let (store, root) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let study = try store.watchStudies()[0].studyUID
        // Three completions that began and never recorded an end: the process died each time.
        for _ in 0..<3 { try store.beginCompletion(study) }
        let handler = RecordingHandler { _ in StudyCompletionReport(summary: "done") }
        try StudyCompletion(store: store, quietSeconds: 0, maximumAttempts: 3, handler: handler).completeDue(
            now: Date().timeIntervalSince1970 + 10)
        #expect(!handler.calls.withLock { $0.contains(study) })
        let state = try store.watchStudies().first { $0.studyUID == study }
        #expect(state?.state == .failed && state?.failure == "completion-crashed")
    }

    @Test("a completion deferred for a full disk leaves the study pending, its attempt not counted")
    func deferredStaysPending() throws {
        let (store, root) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let handler = RecordingHandler { _ in throw CompletionDeferred(reason: "the disk holding the previews is full")
        }
        let completion = StudyCompletion(store: store, quietSeconds: 0, maximumAttempts: 1, handler: handler)
        for _ in 0..<3 {
            #expect(throws: CompletionDeferred.self) {
                try completion.completeDue(now: Date().timeIntervalSince1970 + 10)
            }
        }
        let studies = try store.watchStudies()
        #expect(studies.allSatisfy { $0.state == .pending && $0.attempts == 0 })
        #expect(CompletionDeferred.isDiskFull("cannot write x.png: No space left on device"))
    }

    @Test("a new instance makes a failed study pending again, its attempts reset")
    func newArrivalRetries() throws {
        let (store, root) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let handler = RecordingHandler { _ in throw Failure() }
        try StudyCompletion(store: store, quietSeconds: 0, handler: handler).completeDue(
            now: Date().timeIntervalSince1970 + 10)
        #expect(try store.watchStudies().allSatisfy { $0.state == .failed })
        // A re-sent instance with other content arrives for the MR study.
        let series = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("SampleStudies/patient2-lumbar-mr/series-01-sag-t2")
            .path
        let name = try FileManager.default.contentsOfDirectory(atPath: series).sorted()[0]
        let incoming = root + "/again"
        try FileManager.default.createDirectory(atPath: incoming, withIntermediateDirectories: true)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: series + "/" + name))
        bytes[bytes.count - 1] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: incoming + "/" + name))
        let archive = try FileArchive(dataFolder: root + "/data", watchedRoot: incoming)
        _ = try ArrivalProcessor(store: store, archive: archive, disposition: .keep).process([incoming + "/" + name])
        let pending = try store.watchStudies().filter { $0.state == .pending }
        #expect(pending.count == 1 && pending.first?.attempts == 0 && pending.first?.failure == nil)
    }

    @Test("the child-process runner reports exit status, output, signals and timeouts")
    func childProcess() throws {
        let ok = try ChildProcess.run(["/bin/sh", "-c", "printf hello; exit 3"], timeout: 10)
        #expect(ok.ending == .exited(3) && String(decoding: ok.output, as: UTF8.self) == "hello")
        let crashed = try ChildProcess.run(["/bin/sh", "-c", "kill -SEGV $$"], timeout: 10)
        #expect(crashed.ending == .signalled(SIGSEGV))
        let started = ContinuousClock.now
        let hung = try ChildProcess.run(["/bin/sleep", "30"], timeout: 0.5)
        #expect(hung.ending == .timedOut)
        #expect(ContinuousClock.now - started < .seconds(10))
        let big = try ChildProcess.run(["/bin/sh", "-c", "head -c 3000000 /dev/zero"], timeout: 10, outputLimit: 1000)
        #expect(big.ending == .exited(0) && big.output.count == 1000)
    }

    @Test("the child inherits none of the caller's descriptors (a file open for writing stays the caller's)")
    func childInheritsNoDescriptors() throws {
        // Opened without O_CLOEXEC, as Foundation's Data.write and DCMTK's fopen do. Inherited, it would stay open
        // in the child: its IN_CLOSE_WRITE would wait for the child to end.
        let path = NSTemporaryDirectory() + "annulus-inherit-\(UUID().uuidString).dcm"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(descriptor >= 0)
        defer {
            close(descriptor)
            unlink(path)
        }
        let listing = try ChildProcess.run(["/bin/ls", "-l", "/proc/self/fd"], timeout: 10)
        let text = String(decoding: listing.output, as: UTF8.self)
        #expect(listing.ending == .exited(0))
        #expect(text.contains("/proc/"), "the listing names ls's own descriptor: \(text)")
        #expect(!text.contains(path), "\(text)")
    }
}
