import Foundation
import Testing

@testable import DicomIO

/// The decoder worker pool: a codec that crashes, aborts, traps, hangs, spins or exhausts memory ends a worker,
/// never the caller, and the pool goes on with a new worker. Faults are injected into real `annulus-decoder`
/// processes (real signals, real rlimits); equality with in-process decoding is checked on the corpus.
@Suite("Decoder isolation")
struct DecoderIsolationTests {
    /// A pool whose workers honour fault requests.
    static func faultyPool(capacity: Int = 1) -> DecoderPool {
        DecoderPool(capacity: capacity, extraEnvironment: ["ANNULUS_DECODER_FAULTS": "1"])
    }

    static let quickOptions = DicomReadOptions(maxDecodedBytes: 64 << 20, decodeTimeoutSeconds: 2)

    static let rleFile = Corpus.file("pydicom/src/pydicom/data/test_files/MR_small_RLE.dcm")

    /// Decodes the RLE corpus file through `pool` and compares with in-process decoding.
    static func decodesCorrectly(with pool: DecoderPool) throws {
        let inProcess = try DicomFile(path: rleFile, options: DicomReadOptions(decoding: .inProcess)).storedFrame(0)
        let isolated = try pool.storedFrame(
            path: rleFile, frame: 0, options: quickOptions, expectedBytes: inProcess.bytes.count)
        #expect(isolated.bytes == inProcess.bytes)
        #expect(isolated.colorModel == inProcess.colorModel)
    }

    @Test(
        "a worker that dies of a signal fails the job with the signal named, and the next job gets a new worker",
        .enabled(if: Corpus.isAvailable, Corpus.skipMessage),
        arguments: [("crash", "SIGSEGV"), ("abort", "SIGABRT"), ("trap", "Fatal error: injected trap")])
    func crashes(fault: String, named: String) throws {
        let pool = Self.faultyPool()
        do {
            try pool.injectFault(fault, options: Self.quickOptions)
            Issue.record("the fault \(fault) did not fail the job")
        } catch {
            #expect(error.kind == .decodeCrashed)
            #expect(error.message.contains(named), "\(error.message)")
        }
        try Self.decodesCorrectly(with: pool)
    }

    @Test(
        "a worker that hangs or spins is stopped at the time limit and replaced",
        .enabled(if: Corpus.isAvailable, Corpus.skipMessage), arguments: ["hang", "spin"])
    func timeouts(fault: String) throws {
        let pool = Self.faultyPool()
        let started = ContinuousClock.now
        do {
            try pool.injectFault(fault, options: Self.quickOptions)
            Issue.record("the fault \(fault) did not fail the job")
        } catch {
            #expect(error.kind == .decodeTimeout, "\(error)")
        }
        #expect(ContinuousClock.now - started < .seconds(10))
        try Self.decodesCorrectly(with: pool)
    }

    @Test(
        "a worker that allocates without bound dies at its address-space limit, not the caller",
        .enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func memory() throws {
        let pool = Self.faultyPool()
        do {
            // Filling a gigabyte takes a moment on a loaded machine: the time limit is not what is tested here.
            try pool.injectFault(
                "allocate", options: DicomReadOptions(maxDecodedBytes: 64 << 20, decodeTimeoutSeconds: 30))
            Issue.record("unbounded allocation did not fail the job")
        } catch {
            #expect(error.kind == .decodeCrashed, "\(error)")
        }
        try Self.decodesCorrectly(with: pool)
    }

    @Test("fault requests are refused by a worker started without ANNULUS_DECODER_FAULTS")
    func faultsOffByDefault() throws {
        let pool = DecoderPool(capacity: 1)
        #expect(throws: DicomError.self) { try pool.injectFault("crash", options: Self.quickOptions) }
        do {
            try pool.injectFault("crash", options: Self.quickOptions)
        } catch {
            #expect(error.kind == .invalidArgument)
        }
        #expect(pool.idleWorkers == 1, "the worker survived the refused fault")
    }

    @Test(
        "an answer of a size the header does not allow is refused and the worker stopped",
        .enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func answerSizeChecked() throws {
        let pool = DecoderPool(capacity: 1)
        #expect {
            _ = try pool.storedFrame(path: Self.rleFile, frame: 0, options: Self.quickOptions, expectedBytes: 7)
        } throws: { error in
            (error as? DicomError)?.kind == .internal
                && (error as? DicomError)?.message.contains("which the header does not allow") == true
        }
        #expect(pool.idleWorkers == 0)
        try Self.decodesCorrectly(with: pool)
    }

    @Test(
        "every compressed corpus image decodes to the same stored values and renderings in a worker",
        .enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func sameAsInProcess() throws {
        let compressed = Corpus.rows.filter {
            TransferSyntax(uid: $0.transferSyntaxUID).isEncapsulated && ($0.category == "image")
        }
        try #require(compressed.count > 20)
        var compared = 0
        for row in compressed {
            let local = try DicomFile(path: row.url, options: DicomReadOptions(decoding: .inProcess))
            let isolated = try DicomFile(path: row.url, options: DicomReadOptions(decoding: .workerProcesses))
            let frames = min(try local.frameCount(), 3)
            for frame in 0..<frames {
                let expected = Result { try local.storedFrame(frame) }
                let actual = Result { try isolated.storedFrame(frame) }
                switch (expected, actual) {
                case (.success(let a), .success(let b)):
                    #expect(a.bytes == b.bytes, "\(row.path) frame \(frame)")
                    #expect(a.colorModel == b.colorModel, "\(row.path) frame \(frame)")
                    compared += 1
                case (.failure(let a), .failure(let b)):
                    #expect((a as? DicomError)?.kind == (b as? DicomError)?.kind, "\(row.path)")
                default: Issue.record("\(row.path) frame \(frame): in process \(expected), in a worker \(actual)")
                }
            }
            let localRendering = Result {
                try DicomFile(path: row.url, options: DicomReadOptions(decoding: .inProcess)).renderedFrame(0)
            }
            let isolatedRendering = Result { try isolated.renderedFrame(0) }
            if case .success(let a) = localRendering, case .success(let b) = isolatedRendering {
                #expect(a == b, "\(row.path) rendering")
            } else if case .success = localRendering {
                Issue.record("\(row.path): renders in process but not in a worker: \(isolatedRendering)")
            }
        }
        #expect(compared > 20)
    }

    @Test("a worker inherits none of the caller's descriptors")
    func workerInheritsNoDescriptors() throws {
        // A file this process has open for writing (no O_CLOEXEC, as Foundation's Data.write and DCMTK's fopen
        // open files) while a worker starts: inherited, it would stay open as long as the worker lives, and its
        // IN_CLOSE_WRITE (the watcher's sign that a file is complete) would wait for the worker's end.
        let path = NSTemporaryDirectory() + "annulus-inherit-\(UUID().uuidString).dcm"
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        try #require(descriptor >= 0)
        defer {
            close(descriptor)
            unlink(path)
        }
        let worker = try DecoderWorkerProcess.start(
            executable: DecoderPool.locateExecutable(), memoryBytes: DecoderPool.memoryBudget(maxDecodedBytes: 1 << 26),
            environment: ProcessInfo.processInfo.environment)
        defer { worker.stop() }
        let folder = "/proc/\(worker.pid)/fd"
        let targets = try FileManager.default.contentsOfDirectory(atPath: folder).compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + $0)
        }
        #expect(!targets.isEmpty, "the worker's descriptors can be listed")
        #expect(!targets.contains(path), "\(targets)")
    }

    @Test("many threads share a small pool", .enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func concurrentCallers() throws {
        let expected = try DicomFile(path: Self.rleFile, options: DicomReadOptions(decoding: .inProcess)).storedFrame(0)
            .bytes
        let pool = DecoderPool(capacity: 2)
        let results = Parallel.map(Array(0..<64)) { _ in
            Result {
                try pool.storedFrame(
                    path: Self.rleFile, frame: 0, options: Self.quickOptions, expectedBytes: expected.count
                ).bytes
            }
        }
        for result in results { #expect((try? result.get()) == expected) }
        #expect(pool.idleWorkers <= 2)
    }
}
