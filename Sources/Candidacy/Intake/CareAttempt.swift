/// One attempt at conservative care: what, for how long, and whether relief lasted.
///
/// JSON: `{"kind": "physical-therapy", "weeks": 12, "lastingRelief": false}`; unknown parts are omitted.
public struct CareAttempt: Codable, Sendable, Hashable {
    /// The kind of care.
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        /// Physical therapy (physiotherapy).
        case physicalTherapy = "physical-therapy"
        /// Non-steroidal anti-inflammatory drugs.
        case nsaids
        /// Chiropractic care.
        case chiropractic
        /// Epidural steroid injection.
        case epiduralSteroid = "epidural-steroid"
        /// Anything else (recorded in a note elsewhere).
        case other

        /// Other spellings accepted on the command line.
        static let aliases: [String: Kind] = [
            "pt": .physicalTherapy, "physio": .physicalTherapy, "physiotherapy": .physicalTherapy,
            "physical-therapy": .physicalTherapy, "nsaid": .nsaids, "chiro": .chiropractic, "esi": .epiduralSteroid,
            "epidural": .epiduralSteroid, "epidural-steroid-injection": .epiduralSteroid,
        ]
    }

    /// The kind of care.
    public var kind: Kind
    /// How long it was tried, weeks, if known.
    public var weeks: Double?
    /// Whether it brought lasting relief, if known.
    public var lastingRelief: Bool?

    /// Creates an attempt.
    public init(kind: Kind, weeks: Double? = nil, lastingRelief: Bool? = nil) {
        self.kind = kind
        self.weeks = weeks
        self.lastingRelief = lastingRelief
    }

    /// "physical-therapy 12 weeks, no lasting relief".
    public var display: String {
        let weeksText = weeks.map { "\(FactValue.format($0)) weeks" } ?? "weeks unknown"
        let relief = lastingRelief.map { $0 ? "lasting relief" : "no lasting relief" } ?? "relief unknown"
        return "\(kind.rawValue) \(weeksText), \(relief)"
    }
}
