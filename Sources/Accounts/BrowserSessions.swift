import Crypto
import Foundation
import Store

/// A session just created: the cookie value goes to the browser (HttpOnly, SameSite=Strict, Secure under TLS) and
/// is never stored; the anti-CSRF token goes in the sign-in response for the page to send back in a header.
public struct IssuedSession: Sendable {
    /// The cookie value (43 base64url characters: no escaping needed in a cookie).
    public let cookieValue: String
    /// The value the client must send in the anti-CSRF header on every state-changing request.
    public let csrfToken: String
    /// What is stored about it.
    public let record: SessionRecord
    /// The signed-in account.
    public let account: Account
}

/// Browser sessions kept in the store, so they survive a restart of the server.
///
/// A session ends at `lifetime` after sign-in, or after `idleTimeout` without a request, at sign-out, and when its
/// account is disabled or its password reset. Only the SHA-256 of each cookie value is stored.
public struct BrowserSessions: Sendable {
    /// The store holding the sessions.
    public let store: AnnulusStore
    /// The longest a session lasts after sign-in.
    public let lifetime: TimeInterval
    /// How long a session may go unused before it ends.
    public let idleTimeout: TimeInterval
    /// The current time (injected for tests).
    public let clock: @Sendable () -> Date

    /// `last_seen_at` is written at most this often per session (seconds).
    public static let lastSeenResolution: TimeInterval = 60

    /// Creates the session service (defaults: 8 hours' lifetime, 30 minutes idle).
    public init(
        store: AnnulusStore, lifetime: TimeInterval = 8 * 3600, idleTimeout: TimeInterval = 30 * 60,
        clock: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.lifetime = lifetime
        self.idleTimeout = idleTimeout
        self.clock = clock
    }

    /// Starts a session for `account` (after `AccountDirectory.authenticate`), from `clientAddress`.
    public func create(for account: Account, clientAddress: String?) throws(AccountError) -> IssuedSession {
        guard !account.isDisabled else { throw AccountError.accountDisabled(account.name) }
        let secret = Secret.generate()
        let now = clock()
        let record = SessionRecord(
            idSHA256: secret.sha256, accountID: account.id, createdAt: StoreTimestamp.string(now),
            expiresAt: StoreTimestamp.string(now.addingTimeInterval(lifetime)),
            lastSeenAt: StoreTimestamp.string(now), clientAddress: clientAddress)
        try AccountDirectory.storeCall { () throws(StoreError) in try store.insertSession(record) }
        return IssuedSession(
            cookieValue: secret.text, csrfToken: Self.csrfToken(cookieValue: secret.text), record: record,
            account: account)
    }

    /// The account and session behind a presented cookie value.
    ///
    /// Throws `AccountError.sessionRefused` when the value is malformed or unknown, the session expired or sat idle
    /// too long (it is then removed), or its account is disabled. Records the use (at most once a minute).
    public func resolve(cookieValue: String) throws(AccountError) -> (account: Account, session: SessionRecord) {
        guard let secret = Secret(text: Substring(cookieValue)) else {
            throw AccountError.sessionRefused(reason: "malformed")
        }
        let found = try AccountDirectory.storeCall { () throws(StoreError) in
            try store.session(idSHA256: secret.sha256)
        }
        guard let session = found else { throw AccountError.sessionRefused(reason: "unknown or ended") }
        let now = clock()
        let expires = StoreTimestamp.date(session.expiresAt) ?? .distantPast
        let lastSeen = StoreTimestamp.date(session.lastSeenAt) ?? .distantPast
        if expires <= now || now.timeIntervalSince(lastSeen) > idleTimeout {
            _ = try? store.deleteSession(idSHA256: session.idSHA256)
            throw AccountError.sessionRefused(reason: expires <= now ? "expired" : "idle too long")
        }
        guard
            let record = try AccountDirectory.storeCall({ () throws(StoreError) in
                try store.account(id: session.accountID)
            })
        else { throw AccountError.sessionRefused(reason: "unknown or ended") }
        let account = try Account(record)
        guard !account.isDisabled else { throw AccountError.sessionRefused(reason: "account disabled") }
        var current = session
        if now.timeIntervalSince(lastSeen) >= Self.lastSeenResolution {
            try AccountDirectory.storeCall { () throws(StoreError) in
                try store.touchSession(idSHA256: session.idSHA256, at: now)
            }
            current.lastSeenAt = StoreTimestamp.string(now)
        }
        return (account, current)
    }

    /// Ends the session of a cookie value (sign-out). Returns whether there was one.
    @discardableResult
    public func end(cookieValue: String) throws(AccountError) -> Bool {
        guard let secret = Secret(text: Substring(cookieValue)) else { return false }
        return try AccountDirectory.storeCall { () throws(StoreError) in
            try store.deleteSession(idSHA256: secret.sha256)
        }
    }

    /// Removes expired and idle sessions (a server runs this periodically). Returns how many.
    @discardableResult
    public func purgeExpired() throws(AccountError) -> Int {
        let now = clock()
        return try AccountDirectory.storeCall { () throws(StoreError) in
            try store.deleteExpiredSessions(now: now, idleSince: now.addingTimeInterval(-idleTimeout))
        }
    }

    /// The anti-CSRF token of a session: derived from its cookie value (SHA-256 of a fixed label and the value), so
    /// nothing more is stored, and a page on another site, which cannot read the cookie, cannot compute it.
    public static func csrfToken(cookieValue: String) -> String {
        SHA256.hash(data: Data(("annulus-csrf-v1:" + cookieValue).utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether `header` is the anti-CSRF token of the session `cookieValue` (compared in constant time).
    public static func csrfMatches(cookieValue: String, header: String?) -> Bool {
        guard let header else { return false }
        return Secret.constantTimeEquals(csrfToken(cookieValue: cookieValue), header)
    }
}
