import Accounts
import Store

/// "A signature names a real account": with accounts in the store, only an enabled account allowed to sign
/// (a clinician) signs, under its own name, and a refusal is written to the audit trail; with no accounts (a
/// single-user installation) the principal's name is kept as given (`SigningAuthority`).
public struct AccountSignerPolicy: SignerPolicy {
    /// Creates the policy.
    public init() {}

    /// The signing account's name, or the refusal as `AppError` (`forbidden`).
    public func signer(for principal: Principal, annotations: [String], store: AnnulusStore) throws -> String {
        let actor: AuditActor =
            switch principal.authentication {
            case .cliUser, .watcher: .cliUser(principal.name)
            case .session, .apiToken: .account(principal.name)
            }
        // An API token never signs, whatever its account's role (the server checks first; this is the backstop).
        if principal.authentication == .apiToken {
            throw AppError(
                .forbidden, code: "token-cannot-sign",
                message: "an API token cannot sign: sign in with the clinician's own password and sign there")
        }
        do {
            return try SigningAuthority.signer(
                named: principal.name, store: store, actor: actor, annotationIDs: annotations
            ).name
        } catch {
            throw AppError(error)
        }
    }
}
