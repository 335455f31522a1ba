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
    let pacs: PACSDestination?
    let policy: DeliveryPolicy
    let interval: Duration
    let logger: Logger

    /// The server's own principal for the retries it makes.
    public static let principal = Principal(name: "annulus serve", authentication: .watcher)

    /// A retry loop over `useCases`' outbox with the bearer `token` (FHIR) and the PACS `pacs` (DICOM SR).
    public init(
        useCases: UseCases, token: String?, pacs: PACSDestination? = nil, policy: DeliveryPolicy, interval: Duration,
        logger: Logger
    ) {
        self.useCases = useCases
        self.token = token
        self.pacs = pacs
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
                switch try await useCases.resend(attempt, token: token, pacs: pacs, policy: policy, by: Self.principal)
                {
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

/// Sends a study's DICOM SR to the PACS when its signed findings change (`annulus serve --send-sr-on-sign`): one
/// export and delivery at a time, in the order asked. A report whose content is unchanged since the last export is
/// not sent again; a delivery not accepted stays in the outbox for the retry loop.
public struct StructuredReportHandoffService: Service {
    let useCases: UseCases
    let destination: PACSDestination
    let policy: DeliveryPolicy
    let logger: Logger
    let studies: AsyncStream<String>

    /// The server's own principal for the exports and deliveries it makes.
    public static let principal = Principal(name: "annulus serve", authentication: .watcher)

    /// The service, and the function to hand to `ServeOptions.signedFindingsChanged` (it only queues).
    public static func make(useCases: UseCases, destination: PACSDestination, policy: DeliveryPolicy, logger: Logger)
        -> (service: StructuredReportHandoffService, notify: @Sendable (Set<String>) -> Void)
    {
        let (studies, continuation) = AsyncStream.makeStream(of: String.self)
        let service = StructuredReportHandoffService(
            useCases: useCases, destination: destination, policy: policy, logger: logger, studies: studies)
        return (service, { for study in $0.sorted() { continuation.yield(study) } })
    }

    /// Sends what is asked until graceful shutdown (a send in progress finishes first).
    public func run() async throws {
        for await study in studies.cancelOnGracefulShutdown() {
            await send(study)
        }
    }

    /// Exports the study's SR and delivers it when it changed; failures are logged (no patient data), not thrown.
    func send(_ studyUID: String) async {
        do {
            let export = try await useCases.exportStructuredReport(
                study: studyUID, includeDrafts: false, by: Self.principal)
            guard export.documents.contains(where: \.isNew) else {
                logger.info("DICOM SR report \(export.report.record.sopInstanceUID) unchanged: not sent again")
                return
            }
            let result = try await useCases.deliver(export, to: destination, policy: policy, by: Self.principal)
            logger.info(
                "DICOM SR report \(export.report.record.sopInstanceUID) to \(destination.url): \(result.last.outcome.rawValue) (delivery \(result.deliveryID.prefix(8)))"
            )
        } catch {
            logger.warning("DICOM SR could not be sent: \(error.message)")
        }
    }
}
