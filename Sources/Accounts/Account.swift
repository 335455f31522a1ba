import Store

/// An account: who may use Annulus, with its role. Built from the store's record, without the password hash.
public struct Account: Sendable, Equatable, Codable {
    /// The stored id.
    public var id: Int64
    /// The sign-in name (lower-case); names the account in signatures and the audit trail.
    public var name: String
    /// The name shown to people.
    public var displayName: String
    /// The role.
    public var role: Role
    /// Whether the account is disabled.
    public var isDisabled: Bool
    /// When it was created (store time text).
    public var createdAt: String
    /// When it last changed (store time text).
    public var updatedAt: String
    /// When its password was last set (store time text).
    public var passwordChangedAt: String

    /// The account of a stored record; `AccountError.store` when its role is unknown to this version.
    public init(_ record: AccountRecord) throws(AccountError) {
        guard let role = Role(rawValue: record.role) else {
            throw AccountError.store(
                .database(path: "", reason: "account \(record.name) has an unknown role '\(record.role)'"))
        }
        id = record.id
        name = record.name
        displayName = record.displayName
        self.role = role
        isDisabled = record.isDisabled
        createdAt = record.createdAt
        updatedAt = record.updatedAt
        passwordChangedAt = record.passwordChangedAt
    }

    /// Whether the account may do `permission` now (enabled, and its role grants it).
    public func can(_ permission: Permission) -> Bool { !isDisabled && role.allows(permission) }

    /// Throws `AccountError.accountDisabled` or `.forbidden` unless the account may do `permission` through
    /// `credential`: signing needs the signer's own session, never an API token.
    public func require(_ permission: Permission, via credential: Credential = .session) throws(AccountError) {
        guard !isDisabled else { throw AccountError.accountDisabled(name) }
        guard role.allows(permission) else { throw AccountError.forbidden(account: name, permission: permission) }
        guard credential.mayUse(permission) else {
            throw AccountError.forbidden(account: name, permission: permission)
        }
    }

    /// How a request proved who it comes from.
    public enum Credential: Sendable, Equatable {
        /// A browser session after a password sign-in.
        case session
        /// An API token (integrations).
        case apiToken

        /// Whether a request authenticated this way may do `permission` at all: an API token never signs,
        /// manages accounts or reads the audit trail.
        public func mayUse(_ permission: Permission) -> Bool {
            switch self {
            case .session: return true
            case .apiToken: return ![.sign, .manageAccounts, .readAudit].contains(permission)
            }
        }
    }
}
