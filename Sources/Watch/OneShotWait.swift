/// How long a one-shot run (`watch --once`) stays after it has emptied the folder, so that the studies it took are
/// completed before it exits instead of being left pending for a later run.
///
/// A study is due once it has been quiet for `quietSeconds` (see `StudyCompletion`), so a run that returned as
/// soon as the folder was empty would complete nothing unless the quiet time were 0. The run therefore waits
/// while some pending study will become due before the deadline: `limit` seconds after the folder was first
/// found empty. Files arriving meanwhile are taken by the same run and restart their study's quiet time, so the
/// run ends at most `quietSeconds` (plus the polling interval and the completion work) after the last arrival,
/// and never waits longer than `limit`. A study that cannot be due by the deadline (files still arriving, or an
/// announced instance count that has not arrived and holds the study for the count patience) is not waited for;
/// it stays pending for the next run.
public struct OneShotWait: Sendable, Equatable {
    /// Seconds the run may wait, counted from when the folder was first found empty.
    public var limit: Double
    /// When the folder was first found empty (seconds since 1970); nil until then.
    public private(set) var drainedAt: Double?

    /// The default limit for a quiet time: the quiet time itself plus a minute for files still arriving.
    public static func defaultLimit(quietSeconds: Double) -> Double { quietSeconds + 60 }

    /// Creates the wait with its limit (negative limits count as 0).
    public init(limit: Double) {
        self.limit = max(0, limit)
    }

    /// When the wait ends at the latest (nil until the folder was found empty).
    public var deadline: Double? { drainedAt.map { $0 + limit } }

    /// Whether the run should go on waiting at `now`, with the folder empty and the due studies completed, given
    /// when each still-pending study becomes due (`StudyCompletion.dueAt`). The first call starts the clock.
    public mutating func shouldWait(pendingDue: [Double], now: Double) -> Bool {
        if drainedAt == nil { drainedAt = now }
        guard let deadline, now < deadline else { return false }
        return pendingDue.contains { $0 <= deadline }
    }
}
