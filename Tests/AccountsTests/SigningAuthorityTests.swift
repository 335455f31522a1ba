import Foundation
import Testing

@testable import Accounts
@testable import Store

@Suite("A signature names a real account")
struct SigningAuthorityTests {
    @Test("without accounts, any named signer is accepted as a single-user installation")
    func singleUser() throws {
        let fixture = try AccountsFixture()
        defer { fixture.remove() }
        #expect(try SigningAuthority.signer(named: "Dr.Whoever", store: fixture.store) == .singleUser("Dr.Whoever"))
        #expect(try fixture.audit.records().isEmpty)
    }

    @Test("with accounts, only an enabled clinician signs, under the account's own name; refusals are audited")
    func accountsDecide() throws {
        let fixture = try AccountsFixture()
        defer { fixture.remove() }
        let clinician = try fixture.add("dr.rivera", .clinician)
        try fixture.add("reader", .reader)
        try fixture.add("admin", .admin)
        try fixture.add("coord", .coordinator)
        let signer = try SigningAuthority.signer(named: "Dr.Rivera", store: fixture.store)
        #expect(signer == .account(clinician) && signer.name == "dr.rivera")
        #expect(throws: AccountError.notAllowedToSign(account: "reader", role: .reader)) {
            try SigningAuthority.signer(named: "reader", store: fixture.store, annotationIDs: ["a1"])
        }
        #expect(throws: AccountError.notAllowedToSign(account: "admin", role: .admin)) {
            try SigningAuthority.signer(named: "admin", store: fixture.store)
        }
        #expect(throws: AccountError.notAllowedToSign(account: "coord", role: .coordinator)) {
            try SigningAuthority.signer(named: "coord", store: fixture.store)
        }
        #expect(throws: AccountError.signerNotAnAccount(name: "dr.nobody")) {
            try SigningAuthority.signer(named: "dr.nobody", store: fixture.store)
        }
        _ = try fixture.directory.setDisabled(name: "dr.rivera", true)
        #expect(throws: AccountError.accountDisabled("dr.rivera")) {
            try SigningAuthority.signer(
                named: "dr.rivera", store: fixture.store, actor: .account("dr.rivera"), clientAddress: "127.0.0.1",
                statusCode: 403)
        }
        let rows = try fixture.audit.records()
        #expect(
            rows.map(\.actor) == [
                "cli-user:reader", "cli-user:admin", "cli-user:coord", "cli-user:dr.nobody", "dr.rivera",
            ])
        #expect(rows.allSatisfy { $0.action == "annotation.sign" && $0.outcome == .forbidden })
        #expect(rows[0].resourceIDs == ["a1"] && rows[0].detail.contains("only clinician accounts sign"))
        #expect(rows[4].statusCode == 403 && rows[4].clientAddress == "127.0.0.1")
    }
}
