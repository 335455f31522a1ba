import Testing

@testable import Accounts
@testable import Store

@Suite("Roles and the permission table")
struct RoleTests {
    @Test("each role grants exactly the permissions of the table")
    func table() {
        #expect(Role.reader.permissions == [.viewStudies, .viewFindings, .triage])
        #expect(
            Role.clinician.permissions
                == [.viewStudies, .viewFindings, .triage, .annotate, .sign, .intake, .worklist, .pullStudies])
        #expect(
            Role.coordinator.permissions
                == [.viewStudies, .viewFindings, .triage, .intake, .worklist, .export, .pullStudies])
        #expect(Role.integrator.permissions == [.viewStudies, .export, .deliveries, .storeStudies])
        #expect(Role.admin.permissions == [.manageAccounts, .readAudit])
    }

    @Test("only clinicians sign; only admins manage accounts and read the audit trail")
    func separationOfDuties() {
        #expect(Role.allCases.filter { $0.allows(.sign) } == [.clinician])
        #expect(Role.allCases.filter { $0.allows(.annotate) } == [.clinician])
        #expect(Role.allCases.filter { $0.allows(.manageAccounts) } == [.admin])
        #expect(Role.allCases.filter { $0.allows(.readAudit) } == [.admin])
        #expect(!Role.admin.allows(.viewStudies), "an admin is not a reader of patient data")
        #expect(Role.allCases.filter(\.mayHoldAPITokens) == [.integrator])
        for permission in Permission.allCases {
            #expect(Role.allCases.contains { $0.allows(permission) }, "\(permission) is granted by some role")
        }
    }

    @Test("roles parse ignoring case; an unknown role lists the roles")
    func parsing() throws {
        #expect(try Role.parse(" Clinician ") == .clinician)
        let error = #expect(throws: AccountError.self) { try Role.parse("doctor") }
        #expect(error == .invalidRole(given: "doctor"))
        #expect(
            error?.description
                == "'doctor' is not a role; use one of: reader, clinician, coordinator, integrator, admin")
        #expect(error?.kind == .invalidInput)
    }

    @Test("account names: letters, digits and . _ - @, stored lower-case; anonymous is reserved")
    func names() throws {
        #expect(try AccountName.normalized("Dr.Rivera") == "dr.rivera")
        #expect(try AccountName.normalized("ehr-interface_01@clinic") == "ehr-interface_01@clinic")
        for bad in ["", ".hidden", "has space", "cli-user:bob", "name\u{1B}[31m", String(repeating: "a", count: 65)] {
            #expect(throws: AccountError.self, "\(bad)") { try AccountName.normalized(bad) }
        }
        #expect(throws: AccountError.reservedName("anonymous")) { try AccountName.normalized("Anonymous") }
        let error = #expect(throws: AccountError.self) { try AccountName.normalized("bad\u{1B}name") }
        #expect(error?.description.contains("\u{1B}") == false, "control characters are escaped in the message")
    }
}

@Suite("Permissions checked per account and credential")
struct RequirePermissionTests {
    static func account(_ role: Role, disabled: Bool = false) throws -> Account {
        try Account(
            AccountRecord(
                id: 1, name: "someone", displayName: "Someone", role: role.rawValue, passwordHash: "$2b$04$x",
                isDisabled: disabled, createdAt: "", updatedAt: "", passwordChangedAt: ""))
    }

    @Test("a role's permission passes through a session; signing never passes through an API token")
    func credentials() throws {
        let clinician = try Self.account(.clinician)
        try clinician.require(.sign)
        try clinician.require(.annotate, via: .apiToken)
        #expect(throws: AccountError.forbidden(account: "someone", permission: .sign)) {
            try clinician.require(.sign, via: .apiToken)
        }
        #expect(throws: AccountError.forbidden(account: "someone", permission: .export)) {
            try clinician.require(.export)
        }
        try Self.account(.integrator).require(.deliveries, via: .apiToken)
        #expect(throws: AccountError.accountDisabled("someone")) {
            try Self.account(.admin, disabled: true).require(.readAudit)
        }
        #expect(try !Self.account(.admin, disabled: true).can(.readAudit))
        #expect(throws: AccountError.self) {
            try Account(
                AccountRecord(
                    id: 1, name: "x", displayName: "x", role: "superuser", passwordHash: "", isDisabled: false,
                    createdAt: "",
                    updatedAt: "", passwordChangedAt: ""))
        }
        #expect(AccountError.forbidden(account: "someone", permission: .sign).kind == .forbidden)
    }
}
