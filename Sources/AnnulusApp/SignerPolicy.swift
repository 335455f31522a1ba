import Store

/// Who may sign: the name a signature records for a principal, or a refusal. Every signing use case (signing by
/// id, a study's listed drafts, adding a finding signed) asks it before anything is signed.
///
/// The default, `NamedPrincipalSigns`, is a single-user installation's rule: the principal's name as given. Accounts
/// replace it with "a signature names a real account" (an enabled clinician account), throwing `AppError`
/// `forbidden` (or an error `AppError.init(_:)` maps) to refuse; nothing is signed then.
public protocol SignerPolicy: Sendable {
    /// The name to record as signer when `principal` signs `annotations` (ids or references as given), or a
    /// refusal.
    func signer(for principal: Principal, annotations: [String], store: AnnulusStore) throws -> String
}

/// A single-user installation's signer: the principal's name as given (the command line's `--author` or
/// `ANNULUS_USER`).
public struct NamedPrincipalSigns: SignerPolicy {
    /// Creates the policy.
    public init() {}

    /// The principal's name.
    public func signer(for principal: Principal, annotations: [String], store: AnnulusStore) throws -> String {
        principal.name
    }
}
