import Foundation

/// One attempt to deliver an export to an endpoint.
public struct DeliveryAttempt: Sendable, Equatable, Codable {
    /// What happened.
    public enum Outcome: String, Sendable, Codable {
        /// The endpoint accepted it (2xx).
        case delivered
        /// A timeout, a connection error or a 5xx/429: worth trying again.
        case retry
        /// A 4xx (other than 408/429) or a local error: retrying the same bytes will not help.
        case failed
    }

    /// Identifies one export being delivered (all its attempts share it).
    public var deliveryID: String
    /// 1, 2, 3, …
    public var attempt: Int
    /// The study exported.
    public var studyUID: String
    /// Where it was sent.
    public var url: String
    /// The exported file kept in the outbox (what was sent, byte for byte).
    public var outboxPath: String
    /// The HTTP status, when a response came back.
    public var httpStatus: Int?
    /// Delivered, retry or failed.
    public var outcome: Outcome
    /// The endpoint's answer or the error, for people.
    public var message: String
    /// ISO 8601 UTC with milliseconds.
    public var attemptedAt: String

    /// Creates an attempt record (time: now, unless given).
    public init(
        deliveryID: String, attempt: Int, studyUID: String, url: String, outboxPath: String, httpStatus: Int?,
        outcome: Outcome, message: String, attemptedAt: String? = nil
    ) {
        self.deliveryID = deliveryID
        self.attempt = attempt
        self.studyUID = studyUID
        self.url = url
        self.outboxPath = outboxPath
        self.httpStatus = httpStatus
        self.outcome = outcome
        self.message = message
        self.attemptedAt = attemptedAt ?? Timestamp.nowText()
    }
}

/// One export being delivered to an endpoint, with every attempt made so far.
public struct DeliveryRecord: Sendable, Equatable {
    /// Where a delivery stands, from its latest attempt.
    public enum State: String, Sendable, Codable, CaseIterable {
        /// The latest attempt was left to retry (`annulus export --retry-pending` sends it again).
        case pending
        /// The endpoint accepted it.
        case delivered
        /// The endpoint refused it, or a local error stopped it: it is not retried.
        case failed
    }

    /// The delivery's id (a lowercase UUID; the outbox file is named after it).
    public var deliveryID: String
    /// The study exported.
    public var studyUID: String
    /// Where it is sent (the URL of its latest attempt).
    public var url: String
    /// The exported Bundle kept in the outbox.
    public var outboxPath: String
    /// Every attempt, oldest first (never empty).
    public var attempts: [DeliveryAttempt]

    /// Creates a delivery record.
    public init(deliveryID: String, studyUID: String, url: String, outboxPath: String, attempts: [DeliveryAttempt]) {
        self.deliveryID = deliveryID
        self.studyUID = studyUID
        self.url = url
        self.outboxPath = outboxPath
        self.attempts = attempts
    }

    /// Pending, delivered or failed, from the latest attempt.
    public var state: State {
        switch attempts.last?.outcome {
        case .delivered: return .delivered
        case .retry: return .pending
        case .failed, nil: return .failed
        }
    }
}
