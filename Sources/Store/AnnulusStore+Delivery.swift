import Foundation
import AnnulusRecords
internal import GRDB

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
