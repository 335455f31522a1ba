import AnnulusApp
import Foundation
import Logging
import ServiceLifecycle

/// A blocking loop (the export-folder watcher's `run()`, which polls and returns after `requestStop()`) as a
/// Service: on its own thread, never on Swift's cooperative pool, stopped between batches on graceful shutdown or
/// cancellation.
public struct BlockingLoopService: Service {
    let name: String
    let body: @Sendable () throws -> Void
    let stop: @Sendable () -> Void

    /// A service running `body` on a thread named `name` until it returns; `stop` asks it to return.
    public init(name: String, body: @escaping @Sendable () throws -> Void, stop: @escaping @Sendable () -> Void) {
        self.name = name
        self.body = body
        self.stop = stop
    }

    /// Runs the loop; returns when it has stopped.
    public func run() async throws {
        let body = self.body
        let name = self.name
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                    let thread = Thread {
                        do {
                            try body()
                            continuation.resume()
                        } catch {
                            continuation.resume(throwing: error)
                        }
                    }
                    thread.name = name
                    thread.start()
                }
            } onCancel: {
                stop()
            }
        } onGracefulShutdown: {
            stop()
        }
    }
}

/// Sends the outbox's pending deliveries again every `interval`, as `annulus export --retry-pending` does, until
/// graceful shutdown (a delivery in progress finishes first).
public struct DeliveryRetryService: Service {
    let useCases: UseCases
    let token: String?
    let policy: DeliveryPolicy
    let interval: Duration
    let logger: Logger

    /// The server's own principal for the retries it makes.
    public static let principal = Principal(name: "annulus serve", authentication: .watcher)

    /// A retry loop over `useCases`' outbox with the bearer `token`.
    public init(useCases: UseCases, token: String?, policy: DeliveryPolicy, interval: Duration, logger: Logger) {
        self.useCases = useCases
        self.token = token
        self.policy = policy
        self.interval = interval
        self.logger = logger
    }

    /// Loops until graceful shutdown.
    public func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
            await retryPending()
        }
    }

    /// One pass over the pending deliveries; failures are logged (without patient data), never thrown.
    func retryPending() async {
        do {
            let pending = try await useCases.pendingDeliveries(by: Self.principal)
            for attempt in pending where URL(string: attempt.url) != nil {
                if Task.isShuttingDownGracefully { return }
                switch try await useCases.resend(attempt, token: token, policy: policy, by: Self.principal) {
                case .sent(let result):
                    logger.info(
                        "delivery \(attempt.deliveryID.prefix(8)): \(result.last.outcome.rawValue) after attempt \(result.last.attempt)"
                    )
                case .unsendable(let id, let message):
                    logger.warning("delivery \(id.prefix(8)) cannot be resent: \(message)")
                }
            }
        } catch {
            logger.warning("delivery retry pass failed: \(error.message)")
        }
    }
}
