import Foundation

/// What an account is for; its permissions come from one table, `Role.permissions`.
///
/// | role | permissions |
/// | --- | --- |
/// | reader | view studies, view findings, triage |
/// | clinician | reader's + annotate, sign, intake, worklist, pull studies |
/// | coordinator | view studies, view findings, triage, intake, worklist, export, pull studies (never sign or annotate) |
/// | integrator | view studies, export, deliveries, store studies; the only role that may hold API tokens |
/// | admin | manage accounts, read the audit trail (no patient data: an admin is not a reader) |
public enum Role: String, Sendable, CaseIterable, Codable {
    /// Reads studies, findings and triage.
    case reader
    /// Reads, annotates, records intake and signs findings: the only role whose signature is accepted.
    case clinician
    /// Records intake, works the worklist and sends exports; cannot annotate or sign.
    case coordinator
    /// An integration (the EHR interface engine, a modality or router sending studies): exports, deliveries and
    /// DICOMweb STOW-RS, with API tokens.
    case integrator
    /// Manages accounts and reads the audit trail.
    case admin

    /// The permission table: the one place that says what each role may do.
    public var permissions: Set<Permission> {
        switch self {
        case .reader:
            return [.viewStudies, .viewFindings, .triage]
        case .clinician:
            return Role.reader.permissions.union([.annotate, .sign, .intake, .worklist, .pullStudies])
        case .coordinator:
            return Role.reader.permissions.union([.intake, .worklist, .export, .pullStudies])
        case .integrator:
            return [.viewStudies, .export, .deliveries, .storeStudies]
        case .admin:
            return [.manageAccounts, .readAudit]
        }
    }

    /// Whether the role grants `permission`.
    public func allows(_ permission: Permission) -> Bool { permissions.contains(permission) }

    /// Whether accounts of this role may hold API tokens (integrations); people sign in with a password instead.
    public var mayHoldAPITokens: Bool { self == .integrator }

    /// The role named `text` (ignoring case and surrounding spaces), or `AccountError.invalidRole` listing the
    /// roles.
    public static func parse(_ text: String) throws(AccountError) -> Role {
        guard let role = Role(rawValue: text.trimmingCharacters(in: .whitespaces).lowercased()) else {
            throw AccountError.invalidRole(given: text)
        }
        return role
    }
}
