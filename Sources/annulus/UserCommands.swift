import Accounts
import ArgumentParser
import Foundation
import Store
import TextSafety

/// `annulus user`: accounts and API tokens, for the first admin and for operations without the server.
struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user",
        abstract: "Manage accounts (add, list, disable, enable, reset-password) and their API tokens.",
        discussion: """
            Roles: reader (view studies, findings, triage), clinician (+ annotate, intake, worklist, sign), \
            coordinator (intake, worklist, export; never signs), integrator (exports and deliveries with API \
            tokens), admin (accounts and the audit trail). Once an account exists, findings are signed only by \
            enabled clinician accounts. Passwords are read from a prompt on the terminal (typed twice), \
            --password-file FILE or --password-stdin: never from an argument. The command line trusts whoever can \
            write the data folder; every action here is written to the audit trail as cli-user:$ANNULUS_USER (else \
            the system user). See docs/operations.md, "Accounts, roles and the audit trail".
            """,
        subcommands: [
            UserAdd.self, UserList.self, UserDisable.self, UserEnable.self, UserResetPassword.self,
            UserTokenCommand.self,
        ]
    )
}

/// `annulus user add NAME --role ROLE`.
struct UserAdd: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add an account with a role and a password (the first admin: annulus user add NAME --role admin).",
        discussion: """
            NAME: 1–64 letters, digits, '.', '_', '-' or '@', unique ignoring case (stored lower-case). The \
            password: at least 12 characters, at most 72 bytes. Creates the store in the data folder when there is \
            none yet, so the first admin can be added before anything is ingested.
            """)

    @Argument(help: "The account name (sign-in name; it names the account in signatures and the audit trail).")
    var name: String

    @Option(help: ArgumentHelp("reader, clinician, coordinator, integrator or admin.", valueName: "role"))
    var role: String

    @Option(help: ArgumentHelp("The name shown to people (default: the account name).", valueName: "text"))
    var displayName: String?

    @OptionGroup var password: PasswordOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let role = try AccountsCLI.mapped { try Role.parse(self.role) }
        let normalized = try AccountsCLI.mapped { try AccountName.normalized(name) }
        let hasher = try AccountsCLI.hasher()
        let secret = try password.read(for: normalized)
        let store = try storeOptions.open(creating: true)
        let directory = AccountDirectory(store: store, hasher: hasher)
        let account = try CommandAudit(store: store).run(
            AuditAction.userAdd, resourceType: "account", resourceIDs: [normalized],
            detail: { "role \($0.role.rawValue)" }
        ) {
            try directory.create(name: normalized, displayName: displayName, role: role, password: secret)
        }
        OutputLines().write("added account \(account.name.terminalSafe) (\(account.role.rawValue))")
    }
}

/// `annulus user list`.
struct UserList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List the accounts: name, role, enabled or disabled, dates (never passwords).")

    @Flag(help: "One JSON object per account.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let store = try storeOptions.open()
        let directory = AccountDirectory(store: store, hasher: try AccountsCLI.hasher())
        let accounts = try CommandAudit(store: store).run(
            AuditAction.userList, resourceType: "account", resourceIDs: [], detail: { "\($0.count) account(s)" }
        ) { try directory.list() }
        let output = OutputLines()
        if json {
            for account in accounts {
                output.write(JSONLine.encode(AccountView(account)))
            }
            return
        }
        guard !accounts.isEmpty else {
            output.write(
                "no accounts: a single-user installation (add the first admin with `annulus user add NAME --role admin`)"
            )
            return
        }
        var rows = [["NAME", "ROLE", "STATE", "DISPLAY NAME", "CREATED", "PASSWORD SET"]]
        for account in accounts {
            rows.append([
                account.name, account.role.rawValue, account.isDisabled ? "disabled" : "enabled", account.displayName,
                account.createdAt, account.passwordChangedAt,
            ])
        }
        output.write(TextTable.render(rows))
    }
}

/// `annulus user disable NAME`.
struct UserDisable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disable",
        abstract: "Disable an account: it can no longer sign in, sign findings or use its API tokens.",
        discussion: "Its browser sessions end at once. Accounts are never deleted (signatures name them).")

    @Argument(help: "The account name.")
    var name: String

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let account = try UserState.set(name: name, disabled: true, storeOptions: storeOptions)
        OutputLines().write(
            "disabled \(account.name.terminalSafe): its sessions ended; its API tokens are refused until it is enabled")
    }
}

/// `annulus user enable NAME`.
struct UserEnable: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enable", abstract: "Enable a disabled account again (its unexpired, unrevoked tokens work again)."
    )

    @Argument(help: "The account name.")
    var name: String

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let account = try UserState.set(name: name, disabled: false, storeOptions: storeOptions)
        OutputLines().write("enabled \(account.name.terminalSafe) (\(account.role.rawValue))")
    }
}

/// Disabling and enabling, audited.
enum UserState {
    static func set(name: String, disabled: Bool, storeOptions: StoreOptions) throws -> Account {
        let store = try storeOptions.open()
        let directory = AccountDirectory(store: store, hasher: try AccountsCLI.hasher())
        return try CommandAudit(store: store).run(
            disabled ? AuditAction.userDisable : AuditAction.userEnable, resourceType: "account",
            resourceIDs: [name.lowercased()]
        ) { try directory.setDisabled(name: name, disabled) }
    }
}

/// `annulus user reset-password NAME`.
struct UserResetPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reset-password",
        abstract: "Set a new password for an account; its browser sessions end.",
        discussion: "The password is read as for `user add`: a terminal prompt, --password-file or --password-stdin.")

    @Argument(help: "The account name.")
    var name: String

    @OptionGroup var password: PasswordOptions
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let store = try storeOptions.open()
        let directory = AccountDirectory(store: store, hasher: try AccountsCLI.hasher())
        let audit = CommandAudit(store: store)
        guard let existing = try AccountsCLI.mapped({ try directory.account(named: name) }) else {
            // Refused before asking for a password, and audited like any refusal.
            try audit.run(AuditAction.userResetPassword, resourceType: "account", resourceIDs: [name.lowercased()]) {
                () throws -> Void in throw AccountError.unknownAccount(name)
            }
            return
        }
        let secret = try password.read(for: existing.name)
        let account = try audit.run(
            AuditAction.userResetPassword, resourceType: "account", resourceIDs: [existing.name],
            detail: { _ in "password set; sessions ended" }
        ) { try directory.resetPassword(name: existing.name, password: secret) }
        OutputLines().write("password of \(account.name.terminalSafe) reset; its browser sessions ended")
    }
}
