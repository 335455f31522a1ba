import Foundation
import Store
import TextSafety

/// The accounts of a store: create, list, disable, enable, reset passwords, and sign in with a password.
///
/// Stateless apart from its injected parts (the store, the hasher and the clock), so faces can make one per request
/// or share one. Password hashing is CPU-bound: a server calls `create`, `resetPassword` and `authenticate` from a
/// thread pool.
public struct AccountDirectory: Sendable {
    /// The store holding the accounts.
    public let store: AnnulusStore
    /// bcrypt at the configured cost.
    public let hasher: PasswordHasher
    /// The current time (injected for tests).
    public let clock: @Sendable () -> Date

    /// Creates a directory over `store`.
    public init(store: AnnulusStore, hasher: PasswordHasher, clock: @escaping @Sendable () -> Date = { Date() }) {
        self.store = store
        self.hasher = hasher
        self.clock = clock
    }

    /// Whether any account exists (disabled ones included). Without accounts, the installation is single-user.
    public func hasAccounts() throws(AccountError) -> Bool {
        try Self.storeCall { () throws(StoreError) in try store.accountCount() > 0 }
    }

    /// Creates an account after checking its name, display name and password; the password is stored hashed.
    ///
    /// - Parameter displayName: Shown to people; the name when nil or blank.
    public func create(name: String, displayName: String?, role: Role, password: Password) throws(AccountError)
        -> Account
    {
        let name = try AccountName.normalized(name)
        let shown = try Self.displayName(displayName, default: name)
        try PasswordPolicy.check(password, accountName: name)
        if let existing = try account(named: name) { throw AccountError.nameTaken(existing.name) }
        let hash = hasher.hash(password)
        let insertion = try Self.storeCall { () throws(StoreError) in
            try store.insertAccount(
                name: name, displayName: shown, role: role.rawValue, passwordHash: hash, at: clock())
        }
        switch insertion {
        case .created(let record): return try Account(record)
        case .nameTaken(let record): throw AccountError.nameTaken(record.name)
        }
    }

    /// The account named `name` (ignoring case), or nil.
    public func account(named name: String) throws(AccountError) -> Account? {
        guard let record = try Self.storeCall({ () throws(StoreError) in try store.account(named: name) }) else {
            return nil
        }
        return try Account(record)
    }

    /// The account named `name`, or `AccountError.unknownAccount`.
    public func existing(named name: String) throws(AccountError) -> Account {
        guard let account = try account(named: name) else { throw AccountError.unknownAccount(name) }
        return account
    }

    /// Every account, by name.
    public func list() throws(AccountError) -> [Account] {
        let records = try Self.storeCall { () throws(StoreError) in try store.accounts() }
        var accounts: [Account] = []
        for record in records { accounts.append(try Account(record)) }
        return accounts
    }

    /// Disables (`true`) or enables (`false`) an account. Disabling ends its browser sessions; its API tokens are
    /// refused while it is disabled.
    public func setDisabled(name: String, _ disabled: Bool) throws(AccountError) -> Account {
        guard
            let record = try Self.storeCall({ () throws(StoreError) in
                try store.setAccountDisabled(name: name, disabled: disabled, at: clock())
            })
        else { throw AccountError.unknownAccount(name) }
        return try Account(record)
    }

    /// Sets a new password (checked against the policy) and ends the account's browser sessions.
    public func resetPassword(name: String, password: Password) throws(AccountError) -> Account {
        let account = try existing(named: name)
        try PasswordPolicy.check(password, accountName: account.name)
        let hash = hasher.hash(password)
        guard
            let record = try Self.storeCall({ () throws(StoreError) in
                try store.setPasswordHash(name: account.name, passwordHash: hash, at: clock())
            })
        else { throw AccountError.unknownAccount(name) }
        return try Account(record)
    }

    /// Signs in with a name and a password.
    ///
    /// The same bcrypt work is done whether the name is unknown, the account disabled or the password wrong, and
    /// all three throw the same `AccountError.signInRefused`, so neither the answer nor its timing tells which.
    /// Rate limiting is the caller's (`SignInLimiter`), before calling this.
    public func authenticate(name: String, password: Password) throws(AccountError) -> Account {
        let record = try Self.storeCall { () throws(StoreError) in try store.account(named: name) }
        guard let record else {
            _ = hasher.verifyDecoy()
            throw AccountError.signInRefused
        }
        let matches = hasher.verify(password, hash: record.passwordHash)
        guard matches, !record.isDisabled else { throw AccountError.signInRefused }
        return try Account(record)
    }

    /// Runs a store call, wrapping its error.
    static func storeCall<T>(_ body: () throws(StoreError) -> T) throws(AccountError) -> T {
        do { return try body() } catch { throw AccountError.store(error) }
    }

    /// The longest display name, in characters.
    public static let maximumDisplayNameLength = 200

    private static func displayName(_ text: String?, default name: String) throws(AccountError) -> String {
        let trimmed = (text ?? "").trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return name }
        guard trimmed.count <= maximumDisplayNameLength else {
            throw AccountError.invalidDisplayName(reason: "is longer than \(maximumDisplayNameLength) characters")
        }
        guard !trimmed.unicodeScalars.contains(where: TerminalText.needsEscape) else {
            throw AccountError.invalidDisplayName(reason: "contains control characters; use plain text")
        }
        return trimmed
    }
}
