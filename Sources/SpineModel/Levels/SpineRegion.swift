/// The region of the spine a disc belongs to.
public enum SpineRegion: String, Codable, Sendable, Hashable, CaseIterable {
    /// C2-C3 to C7-T1.
    case cervical
    /// T1-T2 to T12-L1.
    case thoracic
    /// L1-L2 to L5-S1, with the transitional L5-L6 and S1-S2.
    case lumbar
}
