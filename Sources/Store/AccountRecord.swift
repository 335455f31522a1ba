/// One account as stored: a person or an integration that may use Annulus, with its role.
///
/// The password hash is here for the Accounts module to verify against; never print, log or serialise it.
public struct AccountRecord: Sendable, Equatable {
    /// The stored id (never reused).
    public var id: Int64
    /// The sign-in name, lower-case, unique ignoring case; it names the account in signatures and the audit trail.
    public var name: String
    /// The name shown to people ("Dr Ana Rivera").
    public var displayName: String
    /// The role's raw value (`reader`, `clinician`, `coordinator`, `integrator`, `admin`).
    public var role: String
    /// The bcrypt hash of the password (`$2b$…`).
    public var passwordHash: String
    /// Whether the account is disabled (it cannot sign in, use tokens or sign findings).
    public var isDisabled: Bool
    /// When it was created (store time text).
    public var createdAt: String
    /// When it last changed (store time text).
    public var updatedAt: String
    /// When its password was last set (store time text).
    public var passwordChangedAt: String

    /// Creates a record.
    public init(
        id: Int64, name: String, displayName: String, role: String, passwordHash: String, isDisabled: Bool,
        createdAt: String, updatedAt: String, passwordChangedAt: String
    ) {
        self.id = id
        self.name = name
        self.displayName = displayName
        self.role = role
        self.passwordHash = passwordHash
        self.isDisabled = isDisabled
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.passwordChangedAt = passwordChangedAt
    }
}

/// What `AnnulusStore.insertAccount` did.
public enum AccountInsertion: Sendable, Equatable {
    /// The account was created.
    case created(AccountRecord)
    /// An account with that name (ignoring case) already exists; nothing was written.
    case nameTaken(AccountRecord)
}
