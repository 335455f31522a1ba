import Foundation

/// Bounds the audit rows that requests without an account can cause.
///
/// A request that reaches patient data always has an account and always gets its own row. A request without one
/// (no credential on an audited route, a sign-in that fails or is locked out) reads nothing, but anyone who can
/// reach the port can send millions: one row each would let them grow the append-only table without bound. So
/// such refusals get one row per kind and client address per minute, and that row's detail counts the ones
/// folded into it since the previous row ("+41 more in the previous minute").
actor AuditThrottle {
    /// What to do with one refusal.
    enum Decision: Equatable {
        /// Write a row; `folded` refusals of the same key were not written since the last row.
        case write(folded: Int)
        /// Count it into the next row.
        case fold
    }

    private struct Entry {
        var windowStart: Date
        var folded: Int
    }

    private var entries: [String: Entry] = [:]
    private let window: TimeInterval
    private let maximumKeys: Int

    /// One row per key per `window` seconds; at most `maximumKeys` keys are remembered (beyond that, one shared
    /// key stands for every new address, so memory stays bounded too).
    init(window: TimeInterval = 60, maximumKeys: Int = 4096) {
        self.window = window
        self.maximumKeys = maximumKeys
    }

    /// The decision for a refusal of kind `action` from `address` at `now`.
    func admit(action: String, address: String?, now: Date = Date()) -> Decision {
        var key = action + " " + (address ?? "-")
        if entries[key] == nil, entries.count >= maximumKeys {
            entries = entries.filter { now.timeIntervalSince($0.value.windowStart) < window }
            if entries.count >= maximumKeys { key = action + " (other addresses)" }
        }
        guard var entry = entries[key], now.timeIntervalSince(entry.windowStart) < window, now >= entry.windowStart
        else {
            let folded = entries[key]?.folded ?? 0
            entries[key] = Entry(windowStart: now, folded: 0)
            return .write(folded: folded)
        }
        entry.folded += 1
        entries[key] = entry
        return .fold
    }
}
