import Foundation
@testable import Store
import Testing

@testable import Watch

/// How long `watch --once` stays for pending studies: until they are due, never past its limit.
@Suite("One-shot wait: quiet studies completed before a --once run exits, within a bound")
struct OneShotWaitTests {
    /// `wait.shouldWait(pendingDue:now:)`, callable inside `#expect`.
    func step(_ wait: inout OneShotWait, pendingDue: [Double], now: Double) -> Bool {
        wait.shouldWait(pendingDue: pendingDue, now: now)
    }

    @Test("waits while a pending study becomes due before the deadline; stops once none is left")
    func waitsForDueStudies() {
        var wait = OneShotWait(limit: 62)
        #expect(wait.drainedAt == nil && wait.deadline == nil)
        #expect(step(&wait, pendingDue: [102], now: 100), "due in 2 s, deadline 162")
        #expect(wait.drainedAt == 100 && wait.deadline == 162, "the first call starts the clock")
        #expect(step(&wait, pendingDue: [102], now: 101.5))
        #expect(step(&wait, pendingDue: [102], now: 102.1), "due but not completed yet: completion is tried again")
        #expect(!step(&wait, pendingDue: [], now: 102.3), "nothing pending: done")
    }

    @Test("a late arrival moves the study's due time; the wait follows it up to the deadline, not past")
    func lateArrivalsWithinTheBound() {
        var wait = OneShotWait(limit: 10)
        #expect(step(&wait, pendingDue: [3], now: 0))
        #expect(step(&wait, pendingDue: [9.5], now: 6.5), "an arrival at 6.5 s with Q = 3: due at 9.5")
        #expect(!step(&wait, pendingDue: [12], now: 9), "an arrival at 9 s: due at 12, past the deadline 10")
        var again = OneShotWait(limit: 10)
        #expect(step(&again, pendingDue: [5], now: 0))
        #expect(!step(&again, pendingDue: [5], now: 10), "the deadline ends the wait even with a study due")
    }

    @Test("studies that cannot be due in time are not waited for: a long quiet time, an unmet count, limit 0")
    func notWaitedFor() {
        var long = OneShotWait(limit: OneShotWait.defaultLimit(quietSeconds: 30))
        #expect(long.limit == 90)
        #expect(!step(&long, pendingDue: [1000 + 600], now: 1000), "held by an announced count: 600 s")
        var none = OneShotWait(limit: 0)
        #expect(!step(&none, pendingDue: [1000], now: 1000), "limit 0 never waits, even for a study due now")
        #expect(OneShotWait(limit: -5).limit == 0)
        var mixed = OneShotWait(limit: 60)
        #expect(step(&mixed, pendingDue: [5000, 1002], now: 1000), "one study in reach is enough")
    }

    @Test("StudyCompletion.dueAt: quiet time after the last arrival, the count patience while a count is unmet")
    func dueTimes() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("due-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = try AnnulusStore(path: root + "/annulus.sqlite")
        struct Nothing: StudyCompletionHandler {
            func completeStudy(_ studyUID: String) throws -> StudyCompletionReport { .init(summary: "") }
        }
        let completion = StudyCompletion(store: store, quietSeconds: 5, countPatience: 100, handler: Nothing())
        var study = WatchStudy(
            studyUID: "1.2.3", state: .pending, firstArrival: 10, lastArrival: 20, instancesReceived: 4,
            expectedInstances: nil, completedAt: nil, completion: nil, attempts: 0, failure: nil)
        #expect(completion.dueAt(study) == 25)
        study.expectedInstances = 4
        #expect(completion.dueAt(study) == 25, "the announced count has arrived")
        study.expectedInstances = 9
        #expect(completion.dueAt(study) == 120, "5 of 9 missing: held for the count patience")
        #expect(try completion.pendingDue().isEmpty, "an empty store has nothing pending")
    }
}
