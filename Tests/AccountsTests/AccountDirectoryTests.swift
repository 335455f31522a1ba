import Foundation
import Testing

@testable import Accounts
@testable import Store

@Suite("Accounts in the store: create, list, disable, reset, sign in")
struct AccountDirectoryTests {
    @Test("an account is created with its role; names are unique ignoring case; the password is stored hashed")
    func create() throws {
        let fixture = try AccountsFixture()
        defer { fixture.remove() }
        #expect(try !fixture.directory.hasAccounts())
        let account = try fixture.directory.create(
            name: "Dr.Rivera", displayName: "  Dr Ana Rivera ", role: .clinician,
            password: Password("a very secret phrase"))
        #expect(account.name == "dr.rivera" && account.displayName == "Dr Ana Rivera" && account.role == .clinician)
        #expect(!account.isDisabled)
        #expect(account.createdAt == StoreTimestamp.string(fixture.clock.now))
        #expect(try fixture.directory.hasAccounts())
        #expect(throws: AccountError.nameTaken("dr.rivera")) {
            try fixture.directory.create(
                name: "DR.RIVERA", displayName: nil, role: .reader, password: Password("another secret phrase"))
        }
        try fixture.add("admin", .admin)
        #expect(try fixture.directory.list().map(\.name) == ["admin", "dr.rivera"])
        let record = try #require(try fixture.store.account(named: "dr.rivera"))
        #expect(record.passwordHash.hasPrefix("$2b$04$"))
        let bytes = try fixture.databaseBytes()
        #expect(bytes.range(of: Data("a very secret phrase".utf8)) == nil, "no password in the database files")
    }

    @Test("sign-in: the right password works; a wrong one, an unknown name and a disabled account look the same")
    func authenticate() throws {
        let fixture = try AccountsFixture()
        defer { fixture.remove() }
        try fixture.add("dr.rivera", .clinician)
        #expect(
            try fixture.directory.authenticate(name: "DR.Rivera", password: Password("correct horse battery")).name
                == "dr.rivera")
        #expect(throws: AccountError.signInRefused) {
            try fixture.directory.authenticate(name: "dr.rivera", password: Password("wrong horse battery"))
        }
        #expect(throws: AccountError.signInRefused) {
            try fixture.directory.authenticate(name: "nobody", password: Password("correct horse battery"))
        }
        let disabled = try fixture.directory.setDisabled(name: "dr.rivera", true)
        #expect(disabled.isDisabled)
        #expect(throws: AccountError.signInRefused) {
            try fixture.directory.authenticate(name: "dr.rivera", password: Password("correct horse battery"))
        }
        let enabled = try fixture.directory.setDisabled(name: "dr.rivera", false)
        #expect(!enabled.isDisabled)
        #expect(
            try fixture.directory.authenticate(name: "dr.rivera", password: Password("correct horse battery")).name
                == "dr.rivera")
        #expect(AccountError.signInRefused.kind == .unauthenticated)
    }

    @Test("reset-password: the old password stops working and every session of the account ends")
    func resetPassword() throws {
        let fixture = try AccountsFixture()
        defer { fixture.remove() }
        let account = try fixture.add("dr.rivera", .clinician)
        let session = try fixture.sessions.create(for: account, clientAddress: "127.0.0.1")
        fixture.clock.advance(5)
        let reset = try fixture.directory.resetPassword(name: "dr.rivera", password: Password("a brand new phrase"))
        #expect(reset.passwordChangedAt == StoreTimestamp.string(fixture.clock.now))
        #expect(throws: AccountError.signInRefused) {
            try fixture.directory.authenticate(name: "dr.rivera", password: Password("correct horse battery"))
        }
        #expect(
            try fixture.directory.authenticate(name: "dr.rivera", password: Password("a brand new phrase")).id
                == account.id)
        #expect(throws: AccountError.self) { try fixture.sessions.resolve(cookieValue: session.cookieValue) }
        #expect(
            throws: AccountError.weakPassword(
                reason: "is too short (5 characters): use at least 12, for example a few unrelated words")
        ) {
            try fixture.directory.resetPassword(name: "dr.rivera", password: Password("short"))
        }
        #expect(throws: AccountError.unknownAccount("nobody")) {
            try fixture.directory.resetPassword(name: "nobody", password: Password("a brand new phrase"))
        }
    }

    @Test("accounts are never deleted or renamed, at the SQL level")
    func neverDeleted() throws {
        let fixture = try AccountsFixture()
        defer { fixture.remove() }
        try fixture.add("dr.rivera", .clinician)
        let deletion = #expect(throws: StoreError.self) { try fixture.store.executeRawSQL("DELETE FROM accounts") }
        #expect(deletion?.description.contains("never deleted") == true)
        let rename = #expect(throws: StoreError.self) {
            try fixture.store.executeRawSQL("UPDATE accounts SET name = 'dr.someone'")
        }
        #expect(rename?.description.contains("never renamed") == true)
        #expect(throws: StoreError.self, "names are stored lower-case") {
            try fixture.store.executeRawSQL(
                """
                INSERT INTO accounts (name, display_name, role, password_hash, created_at, updated_at,
                    password_changed_at) VALUES ('Dr.X', 'x', 'reader', '$2b$04$x', 'a', 'a', 'a')
                """)
        }
        #expect(try fixture.directory.list().map(\.name) == ["dr.rivera"])
    }
}
