import Store
import TextSafety

/// Everything the Accounts module refuses or fails at, with text an administrator can act on.
///
/// Messages never contain a password or a token: at most their length in bytes or which rule they broke.
public enum AccountError: Error, CustomStringConvertible, Sendable, Equatable {
    /// An account name breaks the grammar.
    case invalidName(given: String, reason: String)
    /// An account name is reserved for the audit trail (`anonymous`).
    case reservedName(String)
    /// An account with this name (ignoring case) already exists.
    case nameTaken(String)
    /// No account has this name.
    case unknownAccount(String)
    /// A role name is not one of the roles.
    case invalidRole(given: String)
    /// A display name is too long or holds control characters.
    case invalidDisplayName(reason: String)
    /// A password breaks the policy (`PasswordPolicy`); `reason` names the rule, never the password.
    case weakPassword(reason: String)
    /// The password and its confirmation differ.
    case passwordMismatch
    /// No password was given (empty input).
    case passwordMissing(source: String)
    /// A bcrypt cost outside 4…31.
    case invalidCost(Int)
    /// Sign-in refused: the name or the password is wrong, or the account is disabled (one message for all, so a
    /// caller cannot tell which).
    case signInRefused
    /// Too many failed sign-ins: wait `retryAfterSeconds`.
    case lockedOut(retryAfterSeconds: Int)
    /// The account is disabled.
    case accountDisabled(String)
    /// The account's role may not hold API tokens.
    case tokensNotAllowed(account: String, role: Role)
    /// An API token label is empty or too long.
    case invalidTokenLabel(reason: String)
    /// A token lifetime outside 1…3650 days.
    case invalidTokenLifetime(days: Int)
    /// No API token has this id.
    case unknownToken(id: Int64)
    /// A presented API token cannot be used; `reason` says why (malformed, unknown, revoked, expired, …).
    case tokenRefused(reason: TokenRefusal)
    /// A presented session cookie cannot be used (unknown, expired, or its account disabled).
    case sessionRefused(reason: String)
    /// The signer named is not an account, while accounts exist.
    case signerNotAnAccount(name: String)
    /// The signer's account may not sign (its role).
    case notAllowedToSign(account: String, role: Role)
    /// The account's role lacks `permission`.
    case forbidden(account: String, permission: Permission)
    /// The store failed or refused.
    case store(StoreError)

    /// Why a presented API token was refused.
    public enum TokenRefusal: String, Sendable, Equatable {
        /// Not `ann_` followed by 43 base64url characters.
        case malformed
        /// No stored token has this hash.
        case unknown
        /// Revoked.
        case revoked
        /// Past its expiry.
        case expired
        /// Its account is disabled.
        case accountDisabled = "account disabled"
        /// Its account's role may no longer hold tokens.
        case roleNotAllowed = "role may not hold tokens"
    }

    /// How a face should answer: the command line maps it to an exit status, the server to an HTTP status.
    public enum Kind: Sendable, Equatable {
        /// The request is malformed (HTTP 400, exit 2).
        case invalidInput
        /// Credentials are missing or wrong (HTTP 401, exit 2).
        case unauthenticated
        /// Authenticated but not allowed (HTTP 403, exit 2).
        case forbidden
        /// The named thing does not exist (HTTP 404, exit 2).
        case notFound
        /// The state refuses it (HTTP 409, exit 2).
        case conflict
        /// Try later (HTTP 429 with Retry-After, exit 2).
        case tooManyAttempts
        /// The store failed (HTTP 500/503, exit 1).
        case failed
    }

    /// How a face should answer this error.
    public var kind: Kind {
        switch self {
        case .invalidName, .reservedName, .invalidRole, .invalidDisplayName, .weakPassword, .passwordMismatch,
            .passwordMissing, .invalidCost, .invalidTokenLabel, .invalidTokenLifetime:
            return .invalidInput
        case .signInRefused, .tokenRefused, .sessionRefused: return .unauthenticated
        case .accountDisabled, .tokensNotAllowed, .signerNotAnAccount, .notAllowedToSign, .forbidden: return .forbidden
        case .unknownAccount, .unknownToken: return .notFound
        case .nameTaken: return .conflict
        case .lockedOut: return .tooManyAttempts
        case .store(let error): return error.isRefusal ? .conflict : .failed
        }
    }

    /// Whether the request was refused (nothing changed) rather than failed.
    public var isRefusal: Bool { kind != .failed }

    /// The message for people (control characters in echoed input escaped).
    public var description: String {
        switch self {
        case .invalidName(let given, let reason):
            return "'\(given.terminalSafe)' cannot be an account name: \(reason); use 1–64 letters, digits, '.', '_',"
                + " '-' or '@', starting with a letter or digit (for example dr.rivera)"
        case .reservedName(let name):
            return "'\(name.terminalSafe)' is reserved for the audit trail; choose another account name"
        case .nameTaken(let name):
            return "an account named \(name.terminalSafe) already exists (names are unique ignoring case); see"
                + " `annulus user list`"
        case .unknownAccount(let name):
            return "no account named \(name.terminalSafe); see `annulus user list`"
        case .invalidRole(let given):
            return "'\(given.terminalSafe)' is not a role; use one of: "
                + Role.allCases.map(\.rawValue).joined(separator: ", ")
        case .invalidDisplayName(let reason):
            return "the display name \(reason)"
        case .weakPassword(let reason):
            return "the password \(reason)"
        case .passwordMismatch:
            return "the two passwords differ; nothing was changed, try again"
        case .passwordMissing(let source):
            return "no password was read from \(source); nothing was changed"
        case .invalidCost(let cost):
            return "bcrypt cost \(cost) is outside 4…31 (12 is the default)"
        case .signInRefused:
            return "the account name or the password is wrong, or the account is disabled"
        case .lockedOut(let seconds):
            return "too many failed sign-ins: try again in \(seconds) s"
        case .accountDisabled(let name):
            return "the account \(name.terminalSafe) is disabled; an admin can enable it (`annulus user enable"
                + " \(name.terminalSafe)`)"
        case .tokensNotAllowed(let account, let role):
            return "\(account.terminalSafe) is a \(role.rawValue) account: only integrator accounts hold API tokens"
                + " (people sign in with their password)"
        case .invalidTokenLabel(let reason):
            return "the token label \(reason); name what uses the token (for example --name \"EHR interface\")"
        case .invalidTokenLifetime(let days):
            return "a token lifetime of \(days) days is outside 1…3650"
        case .unknownToken(let id):
            return "no API token with id \(id); see `annulus user token list NAME`"
        case .tokenRefused(let reason):
            return "the API token is not valid (\(reason.rawValue)); ask an admin for a new one"
        case .sessionRefused(let reason):
            return "the session is not valid (\(reason)); sign in again"
        case .signerNotAnAccount(let name):
            return "\(name.terminalSafe) is not an account of this installation, so it cannot sign: a signature names"
                + " a real clinician account. Sign as your own account (--author NAME or ANNULUS_USER), or ask an"
                + " admin to add one (`annulus user add NAME --role clinician`)"
        case .notAllowedToSign(let account, let role):
            return "\(account.terminalSafe) is a \(role.rawValue) account: only clinician accounts sign findings"
        case .forbidden(let account, let permission):
            return "\(account.terminalSafe) may not \(permission.rawValue) (its role does not allow it)"
        case .store(let error):
            return error.description
        }
    }
}
