import AnnulusRecords

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
