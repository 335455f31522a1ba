import AnnulusApp
import NIOPosix

/// Admission control for blocking work: at most `maxRunning` jobs run and at most `maxQueued` wait; the next one
/// is refused at once (`AppError.unavailable` with code `busy`, answered 503 with `Retry-After`), so that load
/// never builds an unbounded queue.
public actor JobLimiter {
    /// Jobs that may run at once (the pool's threads).
    public let maxRunning: Int
    /// Jobs that may wait.
    public let maxQueued: Int
    private var running = 0
    private var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
    private var nextID: UInt64 = 0

    /// Creates a limiter.
    public init(maxRunning: Int, maxQueued: Int) {
        self.maxRunning = max(1, maxRunning)
        self.maxQueued = max(0, maxQueued)
    }

    /// Running and waiting jobs now.
    public var snapshot: (running: Int, queued: Int) { (running, waiters.count) }

    func acquire() async throws {
        if running < maxRunning {
            running += 1
            return
        }
        guard waiters.count < maxQueued else {
            throw AppError.unavailable(
                "the server is busy (\(maxRunning) jobs running, \(maxQueued) waiting): retry in a moment",
                code: "busy")
        }
        nextID += 1
        let id = nextID
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiters.append((id, continuation))
            }
        } onCancel: {
            Task { await self.cancelWaiter(id) }
        }
    }

    private func cancelWaiter(_ id: UInt64) {
        if let index = waiters.firstIndex(where: { $0.id == id }) {
            waiters.remove(at: index).continuation.resume(throwing: CancellationError())
        }
    }

    func release() {
        if waiters.isEmpty {
            running -= 1
        } else {
            waiters.removeFirst().continuation.resume()  // the slot passes to the next waiter
        }
    }
}

/// Blocking work (SQLite, decoding, rendering, PNG encoding, password hashing) on dedicated threads, never on the
/// event loops or Swift's cooperative pool, admitted by a `JobLimiter`. The use cases run their blocking work
/// through it as their `BlockingExecutor`.
public struct CPUPool: BlockingExecutor {
    let threads: NIOThreadPool
    /// The admission control.
    public let limiter: JobLimiter

    /// Starts `threads` threads; `maxQueued` jobs may wait for one.
    public init(threads: Int, maxQueued: Int) {
        self.threads = NIOThreadPool(numberOfThreads: max(1, threads))
        self.threads.start()
        self.limiter = JobLimiter(maxRunning: threads, maxQueued: maxQueued)
    }

    /// Runs `work` on a pool thread once admitted; throws `busy` when the queue is full.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await limiter.acquire()
        do {
            let value = try await threads.runIfActive(work)
            await limiter.release()
            return value
        } catch {
            await limiter.release()
            throw error
        }
    }

    /// Runs short bookkeeping (an audit row, a session check) for a request already admitted: on the pool's
    /// threads, without taking a slot, so that it cannot be refused half-way through a request.
    public func runAdmitted<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await threads.runIfActive(work)
    }

    /// Stops the threads after the jobs in hand.
    public func shutdown() async throws { try await threads.shutdownGracefully() }

    /// Stops the threads from synchronous code (a test's teardown).
    public func syncShutdown() throws { try threads.syncShutdownGracefully() }
}
