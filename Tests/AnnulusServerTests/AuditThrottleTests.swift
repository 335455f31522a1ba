import Foundation
import Testing

@testable import AnnulusServer

@Suite struct AuditThrottleTests {
    @Test("one row per key per window; the next row counts what was folded; keys are bounded")
    func folding() async {
        let throttle = AuditThrottle(window: 60, maximumKeys: 3)
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(await throttle.admit(action: "GET /a", address: "10.0.0.1", now: start) == .write(folded: 0))
        for second in 1...9 {
            #expect(await throttle.admit(action: "GET /a", address: "10.0.0.1", now: start + Double(second)) == .fold)
        }
        // Another address or another route is its own key.
        #expect(await throttle.admit(action: "GET /a", address: "10.0.0.2", now: start + 5) == .write(folded: 0))
        #expect(await throttle.admit(action: "GET /b", address: "10.0.0.1", now: start + 5) == .write(folded: 0))
        // After the window, one row again, counting the nine folded.
        #expect(await throttle.admit(action: "GET /a", address: "10.0.0.1", now: start + 61) == .write(folded: 9))
        #expect(await throttle.admit(action: "GET /a", address: "10.0.0.1", now: start + 62) == .fold)
        // Beyond three keys, new addresses share one key: one row, then folded.
        #expect(await throttle.admit(action: "GET /a", address: "10.0.0.9", now: start + 62) == .write(folded: 0))
        #expect(await throttle.admit(action: "GET /a", address: "10.0.0.10", now: start + 63) == .fold)
        // A clock that steps back starts a new window rather than folding forever.
        #expect(await throttle.admit(action: "GET /b", address: "10.0.0.1", now: start - 3600) == .write(folded: 0))
    }
}
