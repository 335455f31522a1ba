import Foundation
import Testing

@testable import Accounts
@testable import Store

@Suite("API tokens: shown once, stored hashed, expiry and revocation")
struct APITokenTests {
    @Test("an integrator's token authenticates, is recorded as used, and is not stored in clear")
    func createAndUse() throws {
        let fixture = try AccountsFixture()
        defer { fixture.remove() }
        try fixture.add("ehr", .integrator)
        let issued = try fixture.tokens.create(accountName: "EHR", label: "interface engine", lifetimeDays: 30)
        #expect(issued.token.hasPrefix("ann_") && issued.token.count == 47)
        #expect(issued.record.accountName == "ehr" && issued.record.name == "interface engine")
        #expect(issued.record.expiresAt == StoreTimestamp.string(fixture.clock.now.addingTimeInterval(30 * 86_400)))
        #expect(issued.record.lastUsedAt == nil)
        fixture.clock.advance(10)
        let (account, token) = try fixture.tokens.authenticate(issued.token)
        #expect(account.name == "ehr" && token.id == issued.record.id)
        #expect(
            try fixture.tokens.list(accountName: "ehr").first?.lastUsedAt == StoreTimestamp.string(fixture.clock.now))
        let bytes = try fixture.databaseBytes()
        #expect(bytes.range(of: Data(issued.token.utf8)) == nil)
        #expect(bytes.range(of: Data(issued.token.dropFirst(4).utf8)) == nil)
    }

    @Test("only integrator accounts hold tokens; labels and lifetimes are checked")
    func rules() throws {
        let fixture = try AccountsFixture()
        defer { fixture.remove() }
        try fixture.add("dr.rivera", .clinician)
        try fixture.add("ehr", .integrator)
        #expect(throws: AccountError.tokensNotAllowed(account: "dr.rivera", role: .clinician)) {
            try fixture.tokens.create(accountName: "dr.rivera", label: "laptop")
        }
        #expect(throws: AccountError.unknownAccount("nobody")) {
            try fixture.tokens.create(accountName: "nobody", label: "x")
        }
        #expect(throws: AccountError.invalidTokenLabel(reason: "is empty")) {
            try fixture.tokens.create(accountName: "ehr", label: "  ")
        }
        #expect(throws: AccountError.invalidTokenLifetime(days: 0)) {
            try fixture.tokens.create(accountName: "ehr", label: "x", lifetimeDays: 0)
        }
        #expect(throws: AccountError.invalidTokenLifetime(days: 3651)) {
            try fixture.tokens.create(accountName: "ehr", label: "x", lifetimeDays: 3651)
        }
    }

    @Test("revoked, expired, malformed and unknown tokens, and tokens of disabled accounts, are refused")
    func refusals() throws {
        let fixture = try AccountsFixture()
        defer { fixture.remove() }
        try fixture.add("ehr", .integrator)
        let revoked = try fixture.tokens.create(accountName: "ehr", label: "old")
        let revocation = try fixture.tokens.revoke(id: revoked.record.id)
        #expect(revocation.revokedAt == StoreTimestamp.string(fixture.clock.now))
        fixture.clock.advance(1)
        #expect(try fixture.tokens.revoke(id: revoked.record.id).revokedAt == revocation.revokedAt, "first time kept")
        #expect(throws: AccountError.tokenRefused(reason: .revoked)) { try fixture.tokens.authenticate(revoked.token) }

        let shortLived = try fixture.tokens.create(accountName: "ehr", label: "short", lifetimeDays: 1)
        _ = try fixture.tokens.authenticate(shortLived.token)
        fixture.clock.advance(86_400)
        #expect(throws: AccountError.tokenRefused(reason: .expired)) {
            try fixture.tokens.authenticate(shortLived.token)
        }

        #expect(throws: AccountError.tokenRefused(reason: .malformed)) { try fixture.tokens.authenticate("Bearer x") }
        #expect(throws: AccountError.tokenRefused(reason: .unknown)) {
            try fixture.tokens.authenticate(APITokenText.format(Secret.generate()))
        }
        let current = try fixture.tokens.create(accountName: "ehr", label: "current")
        _ = try fixture.directory.setDisabled(name: "ehr", true)
        #expect(throws: AccountError.tokenRefused(reason: .accountDisabled)) {
            try fixture.tokens.authenticate(current.token)
        }
        _ = try fixture.directory.setDisabled(name: "ehr", false)
        #expect(try fixture.tokens.authenticate(current.token).account.name == "ehr", "enabling restores its tokens")
        #expect(throws: AccountError.unknownToken(id: 999)) { try fixture.tokens.revoke(id: 999) }
        #expect(try fixture.tokens.list(accountName: "ehr").map(\.name) == ["old", "short", "current"])
        #expect(AccountError.tokenRefused(reason: .expired).kind == .unauthenticated)
    }
}
