import AnnulusRecords

extension UseCases {
    /// Every indexed study, newest first, with its counts (the patient ID is never encoded).
    public func studies(by principal: Principal) async throws(AppError) -> [StudySummary] {
        try await perform { try self.environment.store.studies() }
    }
}
