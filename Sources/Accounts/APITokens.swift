import Foundation
import Store

/// A token just created: its text is shown once and never stored (only its SHA-256 is).
public struct IssuedToken: Sendable {
    /// `ann_…`: give it to the integration; it cannot be shown again.
    public let token: String
    /// What is stored about it.
    public let record: APITokenRecord
}

/// API tokens for integrations: created for integrator accounts, stored hashed, with expiry and revocation.
public struct APITokens: Sendable {
    /// The store holding the tokens.
    public let store: AnnulusStore
    /// The current time (injected for tests).
    public let clock: @Sendable () -> Date

    /// The default lifetime of a token, in days.
    public static let defaultLifetimeDays = 365
    /// The longest lifetime, in days.
    public static let maximumLifetimeDays = 3650
    /// The longest label, in characters.
    public static let maximumLabelLength = 100
    /// `last_used_at` is written at most this often per token (seconds), so a busy integration does not turn every
    /// request into a write.
    public static let lastUsedResolution: TimeInterval = 60

    /// Creates the token service over `store`.
    public init(store: AnnulusStore, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.clock = clock
    }

    /// Creates a token for the account `accountName`, valid for `lifetimeDays` days.
    public func create(accountName: String, label: String, lifetimeDays: Int = APITokens.defaultLifetimeDays)
        throws(AccountError) -> IssuedToken
    {
        let label = label.trimmingCharacters(in: .whitespaces)
        guard !label.isEmpty else { throw AccountError.invalidTokenLabel(reason: "is empty") }
        guard label.count <= Self.maximumLabelLength else {
            throw AccountError.invalidTokenLabel(reason: "is longer than \(Self.maximumLabelLength) characters")
        }
        guard !label.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw AccountError.invalidTokenLabel(reason: "contains control characters")
        }
        guard (1...Self.maximumLifetimeDays).contains(lifetimeDays) else {
            throw AccountError.invalidTokenLifetime(days: lifetimeDays)
        }
        let account = try account(named: accountName)
        guard account.role.mayHoldAPITokens else {
            throw AccountError.tokensNotAllowed(account: account.name, role: account.role)
        }
        guard !account.isDisabled else { throw AccountError.accountDisabled(account.name) }
        let secret = Secret.generate()
        let now = clock()
        let expires = now.addingTimeInterval(Double(lifetimeDays) * 86_400)
        let record = try AccountDirectory.storeCall { () throws(StoreError) in
            try store.insertToken(
                accountID: account.id, name: label, sha256: secret.sha256, createdAt: now, expiresAt: expires)
        }
        return IssuedToken(token: APITokenText.format(secret), record: record)
    }

    /// Every token of the account `accountName`, oldest first (revoked and expired ones included).
    public func list(accountName: String) throws(AccountError) -> [APITokenRecord] {
        let account = try account(named: accountName)
        return try AccountDirectory.storeCall { () throws(StoreError) in try store.tokens(accountID: account.id) }
    }

    /// Revokes the token `id`; revoking a revoked token changes nothing. Returns the token.
    public func revoke(id: Int64) throws(AccountError) -> APITokenRecord {
        guard
            let record = try AccountDirectory.storeCall({ () throws(StoreError) in
                try store.revokeToken(id: id, at: clock())
            })
        else { throw AccountError.unknownToken(id: id) }
        return record
    }

    /// The account and token behind a presented token (`Authorization: Bearer ann_…`).
    ///
    /// Throws `AccountError.tokenRefused` with the reason when the text is malformed, unknown, revoked or expired,
    /// or its account is disabled or no longer an integrator. Records the use (at most once a minute).
    public func authenticate(_ presented: String) throws(AccountError) -> (account: Account, token: APITokenRecord) {
        guard let secret = APITokenText.parse(presented) else { throw AccountError.tokenRefused(reason: .malformed) }
        let found = try AccountDirectory.storeCall { () throws(StoreError) in try store.token(sha256: secret.sha256) }
        guard let token = found else { throw AccountError.tokenRefused(reason: .unknown) }
        guard token.revokedAt == nil else { throw AccountError.tokenRefused(reason: .revoked) }
        let now = clock()
        if let expires = token.expiresAt.flatMap(StoreTimestamp.date), expires <= now {
            throw AccountError.tokenRefused(reason: .expired)
        }
        let account = try account(id: token.accountID)
        guard !account.isDisabled else { throw AccountError.tokenRefused(reason: .accountDisabled) }
        guard account.role.mayHoldAPITokens else { throw AccountError.tokenRefused(reason: .roleNotAllowed) }
        let lastUsed = token.lastUsedAt.flatMap(StoreTimestamp.date)
        if lastUsed.map({ now.timeIntervalSince($0) >= Self.lastUsedResolution || now < $0 }) ?? true {
            try AccountDirectory.storeCall { () throws(StoreError) in try store.touchToken(id: token.id, at: now) }
        }
        return (account, token)
    }

    private func account(named name: String) throws(AccountError) -> Account {
        guard let record = try AccountDirectory.storeCall({ () throws(StoreError) in try store.account(named: name) })
        else { throw AccountError.unknownAccount(name) }
        return try Account(record)
    }

    private func account(id: Int64) throws(AccountError) -> Account {
        guard let record = try AccountDirectory.storeCall({ () throws(StoreError) in try store.account(id: id) })
        else { throw AccountError.tokenRefused(reason: .unknown) }
        return try Account(record)
    }
}
