/// Something an account may do. Roles grant sets of permissions (`Role.permissions`); faces (the command line,
/// the HTTP server) check a permission before carrying out a request.
public enum Permission: String, Sendable, CaseIterable, Codable, Comparable {
    /// List and search studies, see their series, instances and rendered frames.
    case viewStudies = "view-studies"
    /// Read findings (annotations and their history) and intake.
    case viewFindings = "view-findings"
    /// See the candidacy triage of a study.
    case triage
    /// Add, amend and retract findings.
    case annotate
    /// Sign findings (only through the signer's own session on the server: never with an API token).
    case sign
    /// Record clinical intake.
    case intake
    /// See the worklist (studies ranked by urgency).
    case worklist
    /// Create exports (FHIR, native findings) and send them.
    case export
    /// See deliveries and their attempts, and retry them.
    case deliveries
    /// Add, disable and enable accounts, reset passwords, create and revoke API tokens.
    case manageAccounts = "manage-accounts"
    /// Read and export the audit trail.
    case readAudit = "read-audit"
    /// Send studies into the archive over the network (DICOMweb STOW-RS): modalities, routers, PACS.
    case storeStudies = "store-studies"
    /// Fetch priors from the configured PACS (C-FIND, C-MOVE into Annulus: `POST /api/pulls`).
    case pullStudies = "pull-studies"

    /// Orders permissions as declared.
    public static func < (lhs: Permission, rhs: Permission) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
