import Foundation
internal import GRDB

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

extension AnnulusStore {
    /// Records one delivery attempt (append-only).
    public func recordDeliveryAttempt(_ attempt: DeliveryAttempt) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO delivery_attempts (delivery_id, attempt, study_uid, url, outbox_path, http_status,
                        outcome, message, attempted_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    attempt.deliveryID, attempt.attempt, attempt.studyUID, attempt.url, attempt.outboxPath,
                    attempt.httpStatus, attempt.outcome.rawValue, attempt.message, attempt.attemptedAt,
                ])
        }
    }

    /// Every attempt, oldest first.
    public func deliveryAttempts() throws(StoreError) -> [DeliveryAttempt] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT delivery_id, attempt, study_uid, url, outbox_path, http_status, outcome, message,
                        attempted_at
                    FROM delivery_attempts ORDER BY rowid
                    """
            ).map { row in
                DeliveryAttempt(
                    deliveryID: row["delivery_id"], attempt: row["attempt"], studyUID: row["study_uid"],
                    url: row["url"], outboxPath: row["outbox_path"], httpStatus: row["http_status"],
                    outcome: DeliveryAttempt.Outcome(rawValue: row["outcome"]) ?? .failed, message: row["message"],
                    attemptedAt: row["attempted_at"])
            }
        }
    }

    /// The latest attempt of each delivery that is not delivered and was last left to retry.
    public func pendingDeliveries() throws(StoreError) -> [DeliveryAttempt] {
        let attempts = try deliveryAttempts()
        var latest: [String: DeliveryAttempt] = [:]
        var order: [String] = []
        for attempt in attempts {
            if latest[attempt.deliveryID] == nil { order.append(attempt.deliveryID) }
            latest[attempt.deliveryID] = attempt
        }
        return order.compactMap { latest[$0] }.filter { $0.outcome == .retry }
    }
}
