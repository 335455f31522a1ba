import Foundation
import Store

/// An account as every face shows it (`annulus user list --json`, `GET /api/accounts`): never its password hash.
public struct AccountView: Codable, Sendable, Equatable {
    /// The sign-in name.
    public var name: String
    /// The name shown to people.
    public var displayName: String
    /// The role.
    public var role: String
    /// Whether the account is disabled.
    public var disabled: Bool
    /// The role's permissions, sorted.
    public var permissions: [String]
    /// When it was created.
    public var createdAt: String
    /// When it last changed.
    public var updatedAt: String
    /// When its password was last set.
    public var passwordChangedAt: String

    /// The view of `account`.
    public init(_ account: Account) {
        name = account.name
        displayName = account.displayName
        role = account.role.rawValue
        disabled = account.isDisabled
        permissions = account.role.permissions.sorted().map(\.rawValue)
        createdAt = account.createdAt
        updatedAt = account.updatedAt
        passwordChangedAt = account.passwordChangedAt
    }
}

extension APITokenRecord {
    /// `active`, `revoked` or `expired` at `now`.
    public func state(at now: Date) -> String {
        if revokedAt != nil { return "revoked" }
        if let expires = expiresAt.flatMap(StoreTimestamp.date), expires <= now { return "expired" }
        return "active"
    }
}
