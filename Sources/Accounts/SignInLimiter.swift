import Foundation

/// Limits password guessing: failed sign-ins are counted per account name and per client address, and past a
/// number of free failures each further failure locks that name (or address) out for twice as long as the last,
/// up to a ceiling.
///
/// A pure value: every call takes the time (`now`), so tests drive it with any clock. A server keeps one in a
/// lock (`Mutex`) and checks it before doing any bcrypt work:
///
/// ```swift
/// if case .locked(let retry) = limiter.withLock({ $0.check(account: name, address: ip, now: now) }) { … 429 … }
/// // verify the password, then limiter.recordFailure(…) or limiter.recordSuccess(…)
/// ```
///
/// Unknown names are tracked like real ones, so lockouts do not tell which names exist. Memory is bounded: past
/// `Policy.maximumTrackedKeys`, the entries idle longest are forgotten.
public struct SignInLimiter: Sendable {
    /// The numbers.
    public struct Policy: Sendable, Equatable {
        /// Failures of one account name before it is locked (5).
        public var freeFailuresPerAccount: Int
        /// Failures from one address before it is locked (20: several people may share an address).
        public var freeFailuresPerAddress: Int
        /// The first lockout, doubled with each further failure (30 s).
        public var firstLockout: TimeInterval
        /// The longest lockout (15 minutes).
        public var maximumLockout: TimeInterval
        /// Failures are forgotten this long after the last one (1 hour).
        public var forgetAfter: TimeInterval
        /// The most names and addresses tracked at once (10,000).
        public var maximumTrackedKeys: Int

        /// Creates a policy (defaults as documented on each field).
        public init(
            freeFailuresPerAccount: Int = 5, freeFailuresPerAddress: Int = 20, firstLockout: TimeInterval = 30,
            maximumLockout: TimeInterval = 15 * 60, forgetAfter: TimeInterval = 3600, maximumTrackedKeys: Int = 10_000
        ) {
            self.freeFailuresPerAccount = freeFailuresPerAccount
            self.freeFailuresPerAddress = freeFailuresPerAddress
            self.firstLockout = firstLockout
            self.maximumLockout = maximumLockout
            self.forgetAfter = forgetAfter
            self.maximumTrackedKeys = maximumTrackedKeys
        }
    }

    /// Whether a sign-in may be attempted now.
    public enum Decision: Sendable, Equatable {
        /// Go ahead.
        case allowed
        /// Refuse without checking the password; tell the client to retry after this many whole seconds.
        case locked(retryAfterSeconds: Int)
    }

    private enum Key: Hashable, Sendable {
        case account(String)
        case address(String)
    }

    private struct Entry: Sendable {
        var failures: Int
        var lastFailure: Date
        var lockedUntil: Date?
    }

    /// The numbers in force.
    public let policy: Policy
    private var entries: [Key: Entry] = [:]

    /// Creates a limiter with no failures recorded.
    public init(policy: Policy = Policy()) { self.policy = policy }

    /// How many names and addresses are tracked.
    public var trackedKeys: Int { entries.count }

    /// Whether a sign-in to `account` from `address` may be attempted at `now`.
    public func check(account: String, address: String?, now: Date) -> Decision {
        let waits = keys(account: account, address: address).compactMap { key -> TimeInterval? in
            guard let until = entries[key]?.lockedUntil, until > now else { return nil }
            return until.timeIntervalSince(now)
        }
        guard let longest = waits.max() else { return .allowed }
        return .locked(retryAfterSeconds: max(1, Int(longest.rounded(.up))))
    }

    /// Records a failed sign-in (wrong password, unknown or disabled account) and returns the decision for the next
    /// attempt.
    @discardableResult
    public mutating func recordFailure(account: String, address: String?, now: Date) -> Decision {
        for key in keys(account: account, address: address) {
            var entry = entries[key] ?? Entry(failures: 0, lastFailure: now, lockedUntil: nil)
            if now.timeIntervalSince(entry.lastFailure) > policy.forgetAfter { entry.failures = 0 }
            entry.failures += 1
            entry.lastFailure = now
            let free: Int
            switch key {
            case .account: free = policy.freeFailuresPerAccount
            case .address: free = policy.freeFailuresPerAddress
            }
            if entry.failures >= free {
                entry.lockedUntil = now.addingTimeInterval(lockout(afterExtraFailures: entry.failures - free))
            }
            entries[key] = entry
        }
        prune(now: now)
        return check(account: account, address: address, now: now)
    }

    /// Records a successful sign-in: the account's failures are forgotten (the address's are not, so one valid
    /// account cannot be used to keep guessing others from the same address).
    public mutating func recordSuccess(account: String, address: String?, now: Date) {
        entries[.account(account.lowercased())] = nil
    }

    /// The lockout after `extra` failures past the free ones: first, doubled each time, capped.
    func lockout(afterExtraFailures extra: Int) -> TimeInterval {
        let doublings = min(extra, 30)
        return min(policy.maximumLockout, policy.firstLockout * pow(2, Double(doublings)))
    }

    private func keys(account: String, address: String?) -> [Key] {
        [.account(account.lowercased())] + (address.map { [.address($0)] } ?? [])
    }

    /// Forgets entries whose failures are old and whose lockout has passed; past the ceiling, the oldest.
    private mutating func prune(now: Date) {
        guard entries.count > policy.maximumTrackedKeys else { return }
        entries = entries.filter { _, entry in
            (entry.lockedUntil.map { $0 > now } ?? false)
                || now.timeIntervalSince(entry.lastFailure) <= policy.forgetAfter
        }
        let excess = entries.count - policy.maximumTrackedKeys
        guard excess > 0 else { return }
        for (key, _) in entries.sorted(by: { $0.value.lastFailure < $1.value.lastFailure }).prefix(excess) {
            entries[key] = nil
        }
    }
}
