import Foundation
import Testing

@testable import Accounts

@Suite("Sign-in rate limiting per account and per address")
struct SignInLimiterTests {
    let start = Date(timeIntervalSince1970: 1_780_000_000)

    @Test("5 failures lock the account for 30 s; each further failure doubles the lockout up to 15 minutes")
    func exponentialLockout() {
        var limiter = SignInLimiter()
        var now = start
        for _ in 1...4 {
            #expect(limiter.recordFailure(account: "dr.rivera", address: "10.0.0.1", now: now) == .allowed)
        }
        #expect(
            limiter.recordFailure(account: "Dr.Rivera", address: "10.0.0.2", now: now) == .locked(retryAfterSeconds: 30)
        )
        #expect(limiter.check(account: "DR.RIVERA", address: nil, now: now) == .locked(retryAfterSeconds: 30))
        #expect(limiter.check(account: "dr.okafor", address: "10.0.0.1", now: now) == .allowed, "other accounts")
        now += 29.5
        #expect(limiter.check(account: "dr.rivera", address: nil, now: now) == .locked(retryAfterSeconds: 1))
        now += 0.5
        #expect(limiter.check(account: "dr.rivera", address: nil, now: now) == .allowed)
        var expected = 60
        for _ in 0..<8 {
            #expect(
                limiter.recordFailure(account: "dr.rivera", address: nil, now: now)
                    == .locked(retryAfterSeconds: expected))
            now += Double(expected)
            expected = min(expected * 2, 900)
        }
        #expect(expected == 900)
    }

    @Test("a success forgets the account's failures but not the address's")
    func success() {
        var limiter = SignInLimiter()
        for _ in 1...4 { limiter.recordFailure(account: "dr.rivera", address: "10.0.0.1", now: start) }
        limiter.recordSuccess(account: "dr.rivera", address: "10.0.0.1", now: start)
        for _ in 1...4 {
            #expect(limiter.recordFailure(account: "dr.rivera", address: "10.0.0.1", now: start) == .allowed)
        }
        #expect(limiter.trackedKeys == 2)
    }

    @Test("20 failures from one address lock it for every account; other addresses go on")
    func perAddress() {
        var limiter = SignInLimiter()
        for index in 1...19 {
            #expect(limiter.recordFailure(account: "guess\(index)", address: "203.0.113.9", now: start) == .allowed)
        }
        #expect(
            limiter.recordFailure(account: "guess20", address: "203.0.113.9", now: start)
                == .locked(retryAfterSeconds: 30))
        #expect(limiter.check(account: "dr.new", address: "203.0.113.9", now: start) == .locked(retryAfterSeconds: 30))
        #expect(limiter.check(account: "dr.new", address: "203.0.113.10", now: start) == .allowed)
    }

    @Test("failures older than an hour are forgotten")
    func forgetting() {
        var limiter = SignInLimiter()
        for _ in 1...4 { limiter.recordFailure(account: "dr.rivera", address: nil, now: start) }
        #expect(limiter.recordFailure(account: "dr.rivera", address: nil, now: start + 3601) == .allowed)
    }

    @Test("memory is bounded: past the ceiling the oldest entries are forgotten")
    func bounded() {
        var limiter = SignInLimiter(policy: .init(maximumTrackedKeys: 50))
        for index in 0..<500 {
            limiter.recordFailure(account: "name\(index)", address: nil, now: start + Double(index))
        }
        #expect(limiter.trackedKeys <= 50)
        // The latest names are still counted: 4 more failures make 5 and lock.
        for _ in 1...3 { limiter.recordFailure(account: "name499", address: nil, now: start + 500) }
        #expect(
            limiter.recordFailure(account: "name499", address: nil, now: start + 500) == .locked(retryAfterSeconds: 30))
    }
}
