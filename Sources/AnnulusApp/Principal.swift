/// Who performs an action, and how that was established: every use case that reads or changes patient data takes
/// one, so that signatures and the audit trail can name it.
///
/// Today the command line names its user with `--author` or `ANNULUS_USER` (`cliUser`: a name given, not
/// verified, as fits a single-user installation) and the watcher acts for itself (`watcher`). Accounts add their
/// own ways (a browser session, an API token) with the account's id in `accountID`.
public struct Principal: Sendable, Equatable, Hashable, Codable, CustomStringConvertible {
    /// How the principal was established.
    public enum Authentication: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
        /// A name given on the command line (`--author`) or in `ANNULUS_USER`: not verified.
        case cliUser = "cli-user"
        /// The export-folder watcher's own work (pre-triage, automatic export): no person.
        case watcher
        /// An account signed in with its password, through a browser session of the server (`accountID` set).
        case session
        /// An account authenticated by an API token (an integration; `accountID` set). A token never signs.
        case apiToken = "api-token"
    }

    /// The name recorded as author or signer (and shown in histories).
    public var name: String
    /// How it was established.
    public var authentication: Authentication
    /// The account, once accounts exist (nil for `cliUser` and `watcher`).
    public var accountID: String?

    /// Creates a principal.
    public init(name: String, authentication: Authentication, accountID: String? = nil) {
        self.name = name
        self.authentication = authentication
        self.accountID = accountID
    }

    /// A command-line user named by `--author` or `ANNULUS_USER`.
    public static func cliUser(_ name: String) -> Principal {
        Principal(name: name, authentication: .cliUser)
    }

    /// An account authenticated by the server (`session` or `apiToken`), named by its account name.
    public static func account(name: String, id: Int64, authentication: Authentication) -> Principal {
        Principal(name: name, authentication: authentication, accountID: String(id))
    }

    /// The watcher acting for itself.
    public static let watcher = Principal(name: "annulus watch", authentication: .watcher)

    /// `name (cli-user)`: for logs and audit lines (never a patient's name).
    public var description: String { "\(name) (\(authentication.rawValue))" }
}
