import Foundation
import Testing

@testable import Accounts
@testable import Store

@Suite("Browser sessions in the store: lifetime, idle timeout, sign-out, disabled accounts")
struct BrowserSessionTests {
    @Test("a session resolves to its account until it expires, and survives a new store connection")
    func lifetime() throws {
        let fixture = try AccountsFixture()
        defer { fixture.remove() }
        let account = try fixture.add("dr.rivera", .clinician)
        let issued = try fixture.sessions.create(for: account, clientAddress: "127.0.0.1")
        #expect(issued.cookieValue.count == 43)
        #expect(issued.csrfToken == BrowserSessions.csrfToken(cookieValue: issued.cookieValue))
        #expect(issued.record.clientAddress == "127.0.0.1")
        // A restarted server: another store object on the same file.
        let reopened = try AnnulusStore(path: fixture.store.path)
        let restarted = BrowserSessions(store: reopened, clock: fixture.clock.function)
        for _ in 0..<16 {  // 16 × 29 min: within the idle timeout each time, 7 h 44 min in all
            fixture.clock.advance(29 * 60)
            #expect(try restarted.resolve(cookieValue: issued.cookieValue).account.name == "dr.rivera")
        }
        fixture.clock.advance(20 * 60)  // 8 h 4 min after sign-in
        #expect(throws: AccountError.sessionRefused(reason: "expired")) {
            try restarted.resolve(cookieValue: issued.cookieValue)
        }
        #expect(try fixture.store.session(idSHA256: issued.record.idSHA256) == nil, "an expired session is removed")
        let bytes = try fixture.databaseBytes()
        #expect(bytes.range(of: Data(issued.cookieValue.utf8)) == nil, "the cookie value is not stored")
    }

    @Test("a session idle for more than 30 minutes ends")
    func idle() throws {
        let fixture = try AccountsFixture()
        defer { fixture.remove() }
        let issued = try fixture.sessions.create(for: try fixture.add("dr.rivera", .clinician), clientAddress: nil)
        fixture.clock.advance(31 * 60)
        #expect(throws: AccountError.sessionRefused(reason: "idle too long")) {
            try fixture.sessions.resolve(cookieValue: issued.cookieValue)
        }
    }

    @Test("sign-out, disabling the account and malformed cookies end or refuse sessions; purge removes old ones")
    func ending() throws {
        let fixture = try AccountsFixture()
        defer { fixture.remove() }
        let account = try fixture.add("dr.rivera", .clinician)
        let first = try fixture.sessions.create(for: account, clientAddress: nil)
        let second = try fixture.sessions.create(for: account, clientAddress: nil)
        #expect(try fixture.sessions.end(cookieValue: first.cookieValue))
        #expect(try !fixture.sessions.end(cookieValue: first.cookieValue))
        #expect(throws: AccountError.sessionRefused(reason: "unknown or ended")) {
            try fixture.sessions.resolve(cookieValue: first.cookieValue)
        }
        _ = try fixture.directory.setDisabled(name: "dr.rivera", true)
        #expect(throws: AccountError.self) { try fixture.sessions.resolve(cookieValue: second.cookieValue) }
        #expect(try fixture.store.sessions(accountID: account.id).isEmpty, "disabling ends every session")
        #expect(throws: AccountError.accountDisabled("dr.rivera")) {
            try fixture.sessions.create(for: try fixture.directory.existing(named: "dr.rivera"), clientAddress: nil)
        }
        for bad in ["", "x", String(repeating: "A", count: 43) + ";", "../../etc/passwd"] {
            #expect(throws: AccountError.sessionRefused(reason: "malformed")) {
                try fixture.sessions.resolve(cookieValue: bad)
            }
        }
        _ = try fixture.directory.setDisabled(name: "dr.rivera", false)
        let enabled = try fixture.directory.existing(named: "dr.rivera")
        _ = try fixture.sessions.create(for: enabled, clientAddress: nil)
        _ = try fixture.sessions.create(for: enabled, clientAddress: nil)
        fixture.clock.advance(31 * 60)
        let fresh = try fixture.sessions.create(for: enabled, clientAddress: nil)
        #expect(try fixture.sessions.purgeExpired() == 2)
        #expect(try fixture.sessions.resolve(cookieValue: fresh.cookieValue).account.id == account.id)
    }
}
