/// The decision for one level or for the patient.
public enum Outcome: String, Codable, Sendable, Hashable, CaseIterable {
    /// A red flag holds: review urgently, no candidacy decision.
    case urgentReview = "urgent-review"
    /// An exclusion holds, or a required rule is known to be unmet.
    case notCandidate = "not-candidate"
    /// A required fact is unknown.
    case needsMoreInformation = "needs-more-information"
    /// Every required rule is met and no exclusion holds.
    case candidate
}
