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

    /// Pending, delivered or failed, from the latest attempt.
    public var state: State {
        switch attempts.last?.outcome {
        case .delivered: return .delivered
        case .retry: return .pending
        case .failed, nil: return .failed
        }
    }
}

extension AnnulusStore {
    /// Every delivery with its attempts, in the order the deliveries were first attempted; only those of one
    /// study when `studyUID` is given.
    public func deliveries(studyUID: String? = nil) throws(StoreError) -> [DeliveryRecord] {
        let attempts: [DeliveryAttempt]
        if let studyUID {
            attempts = try deliveryAttempts().filter { $0.studyUID == studyUID }
        } else {
            attempts = try deliveryAttempts()
        }
        var records: [String: DeliveryRecord] = [:]
        var order: [String] = []
        for attempt in attempts {
            if var record = records[attempt.deliveryID] {
                record.attempts.append(attempt)
                record.url = attempt.url
                records[attempt.deliveryID] = record
            } else {
                order.append(attempt.deliveryID)
                records[attempt.deliveryID] = DeliveryRecord(
                    deliveryID: attempt.deliveryID, studyUID: attempt.studyUID, url: attempt.url,
                    outboxPath: attempt.outboxPath, attempts: [attempt])
            }
        }
        return order.compactMap { records[$0] }
    }
}
