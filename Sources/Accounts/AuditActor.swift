import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Who an audit row names: an account, a command-line user, or nobody known.
public enum AuditActor: Sendable, Equatable {
    /// A signed-in account (session or API token), by name.
    case account(String)
    /// Someone at the command line, by `ANNULUS_USER` or the operating-system user name (recorded as
    /// `cli-user:NAME`: the command line does not authenticate, it trusts who may write the data folder).
    case cliUser(String)
    /// A request without valid credentials.
    case anonymous
    /// A DICOM peer, by the calling AE title it presented (recorded as `dicom:AE`; the peer's address goes in
    /// the row's client address).
    case dicomPeer(String)

    /// The text stored in the audit trail: `NAME`, `cli-user:NAME` or `anonymous`.
    public var text: String {
        switch self {
        case .account(let name): return name
        case .cliUser(let name): return "cli-user:" + name
        case .anonymous: return "anonymous"
        case .dicomPeer(let aeTitle): return "dicom:" + aeTitle
        }
    }

    /// The command-line user: `ANNULUS_USER` when set and not blank, else the operating-system user, else `uid N`.
    public static func commandLine(environment: [String: String] = ProcessInfo.processInfo.environment)
        -> AuditActor
    {
        if let user = environment["ANNULUS_USER"]?.trimmingCharacters(in: .whitespaces), !user.isEmpty {
            return .cliUser(user)
        }
        return .cliUser(operatingSystemUser())
    }

    /// The name of the effective user (from the password database, else `$USER`, else `uid N`).
    static func operatingSystemUser() -> String {
        let uid = geteuid()
        if let entry = getpwuid(uid), let name = entry.pointee.pw_name {
            let text = String(cString: name)
            if !text.isEmpty { return text }
        }
        if let user = ProcessInfo.processInfo.environment["USER"], !user.isEmpty { return user }
        return "uid \(uid)"
    }
}

/// The action names written to the audit trail, as `area.verb`.
public enum AuditAction {
    /// `annulus user add`.
    public static let userAdd = "user.add"
    /// `annulus user list`.
    public static let userList = "user.list"
    /// `annulus user disable`.
    public static let userDisable = "user.disable"
    /// `annulus user enable`.
    public static let userEnable = "user.enable"
    /// `annulus user reset-password`.
    public static let userResetPassword = "user.reset-password"
    /// A password sign-in (server).
    public static let signIn = "user.sign-in"
    /// A sign-out (server).
    public static let signOut = "user.sign-out"
    /// `annulus user token create`.
    public static let tokenCreate = "token.create"
    /// `annulus user token list`.
    public static let tokenList = "token.list"
    /// `annulus user token revoke`.
    public static let tokenRevoke = "token.revoke"
    /// Reading the audit trail (`annulus audit`, `GET /audit`).
    public static let auditRead = "audit.read"
    /// Writing the audit trail to a file (`annulus audit --out`).
    public static let auditExport = "audit.export"
    /// Signing findings.
    public static let annotationSign = "annotation.sign"
}
