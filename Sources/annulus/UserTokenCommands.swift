import Accounts
import ArgumentParser
import Foundation
import Store
import TextSafety

/// `annulus user token`: API tokens of integrator accounts.
struct UserTokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Create, list and revoke the API tokens of integrator accounts.",
        discussion: """
            A token (ann_ followed by 43 characters) is printed once, when it is created, and only its SHA-256 is \
            stored: keep it in the integration's secret store. It is sent as `Authorization: Bearer ann_…`. \
            Tokens expire (--expires-days, default 365) and can be revoked at any time.
            """,
        subcommands: [UserTokenCreate.self, UserTokenList.self, UserTokenRevoke.self])
}

/// `annulus user token create NAME --name LABEL [--expires-days N]`.
struct UserTokenCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create an API token for an integrator account and print it once.",
        discussion: """
            The token alone goes to standard output (capture it: it cannot be shown again); what it is goes to \
            standard error. With --json, one object with the token and its details.
            """)

    @Argument(help: "The integrator account.")
    var account: String

    @Option(help: ArgumentHelp("What uses the token (\"EHR interface engine\").", valueName: "label"))
    var name: String

    @Option(help: ArgumentHelp("Days until the token stops working (1–3650).", valueName: "days"))
    var expiresDays: Int = APITokens.defaultLifetimeDays

    @Flag(help: "Print one JSON object: id, account, name, token, createdAt, expiresAt.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    /// The created token as `--json` prints it.
    struct Line: Encodable {
        var id: Int64
        var account: String
        var name: String
        var token: String
        var createdAt: String
        var expiresAt: String?
    }

    mutating func run() async throws {
        try global.bootstrap()
        let store = try storeOptions.open()
        let tokens = APITokens(store: store)
        let (account, label, days) = (self.account, name, expiresDays)
        let issued = try CommandAudit(store: store).run(
            AuditAction.tokenCreate, resourceType: "account", resourceIDs: [account.lowercased()],
            detail: { "token \($0.record.id) (\($0.record.name)), expires \($0.record.expiresAt ?? "never")" }
        ) { try tokens.create(accountName: account, label: label, lifetimeDays: days) }
        let record = issued.record
        if json {
            OutputLines().write(
                JSONLine.encode(
                    Line(
                        id: record.id, account: record.accountName, name: record.name, token: issued.token,
                        createdAt: record.createdAt, expiresAt: record.expiresAt)))
            return
        }
        FileHandle.standardError.write(
            Data(
                ("token \(record.id) for \(record.accountName.terminalSafe) (\(record.name.terminalSafe)), expires "
                    + "\(record.expiresAt ?? "never"); it is shown only now:\n").utf8))
        OutputLines().write(issued.token)
    }
}

/// `annulus user token list NAME`.
struct UserTokenList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "List an account's API tokens: id, label, dates and state (never the token).")

    @Argument(help: "The account.")
    var account: String

    @Flag(help: "One JSON object per token.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    /// One token as `--json` prints it (every key present; null when unknown).
    struct Line: Encodable {
        var id: Int64
        var account: String
        var name: String
        var state: String
        var createdAt: String
        var expiresAt: String?
        var revokedAt: String?
        var lastUsedAt: String?

        enum CodingKeys: String, CodingKey {
            case id, account, name, state, createdAt, expiresAt, revokedAt, lastUsedAt
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(id, forKey: .id)
            try container.encode(account, forKey: .account)
            try container.encode(name, forKey: .name)
            try container.encode(state, forKey: .state)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(expiresAt, forKey: .expiresAt)
            try container.encode(revokedAt, forKey: .revokedAt)
            try container.encode(lastUsedAt, forKey: .lastUsedAt)
        }
    }

    mutating func run() async throws {
        try global.bootstrap()
        let store = try storeOptions.open()
        let tokens = APITokens(store: store)
        let account = self.account
        let list = try CommandAudit(store: store).run(
            AuditAction.tokenList, resourceType: "account", resourceIDs: [account.lowercased()],
            detail: { "\($0.count) token(s)" }
        ) { try tokens.list(accountName: account) }
        let now = Date()
        let output = OutputLines()
        if json {
            for token in list {
                output.write(
                    JSONLine.encode(
                        Line(
                            id: token.id, account: token.accountName, name: token.name,
                            state: token.state(at: now), createdAt: token.createdAt,
                            expiresAt: token.expiresAt, revokedAt: token.revokedAt, lastUsedAt: token.lastUsedAt)))
            }
            return
        }
        guard !list.isEmpty else {
            output.write("no API tokens for \(account.terminalSafe)")
            return
        }
        var rows = [["ID", "NAME", "STATE", "CREATED", "EXPIRES", "LAST USED"]]
        for token in list {
            rows.append([
                "\(token.id)", token.name, token.state(at: now), token.createdAt, token.expiresAt ?? "never",
                token.lastUsedAt ?? "never",
            ])
        }
        output.write(TextTable.render(rows))
    }
}

/// `annulus user token revoke ID`.
struct UserTokenRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke", abstract: "Revoke an API token by its id (see `annulus user token list NAME`).")

    @Argument(help: "The token's id.")
    var id: Int64

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    mutating func run() async throws {
        try global.bootstrap()
        let store = try storeOptions.open()
        let tokens = APITokens(store: store)
        let id = self.id
        let token = try CommandAudit(store: store).run(
            AuditAction.tokenRevoke, resourceType: "api-token", resourceIDs: ["\(id)"],
            detail: { "token of \($0.accountName) (\($0.name))" }
        ) { try tokens.revoke(id: id) }
        OutputLines().write(
            "revoked token \(token.id) (\(token.name.terminalSafe)) of \(token.accountName.terminalSafe) at "
                + (token.revokedAt ?? "?"))
    }
}
