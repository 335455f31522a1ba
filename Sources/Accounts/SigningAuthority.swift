import Store

/// Who may sign findings: "a signature names a real account".
///
/// When the store has at least one account, the signer must be an enabled clinician account (an admin manages
/// accounts and does not sign); a refusal is written to the audit trail. Without accounts (a single-user
/// installation), the name given (`ANNULUS_USER` at the command line) is accepted as it is, as before.
public enum SigningAuthority {
    /// An accepted signer.
    public enum Signer: Sendable, Equatable {
        /// A clinician account: its name (lower-case, as stored) goes into the signature.
        case account(Account)
        /// A single-user installation (no accounts): the name given, unchecked.
        case singleUser(String)

        /// The name recorded as the signer.
        public var name: String {
            switch self {
            case .account(let account): return account.name
            case .singleUser(let name): return name
            }
        }
    }

    /// The signer for `name`, or a refusal (also written to the audit trail as `annotation.sign`, `forbidden`).
    ///
    /// - Parameters:
    ///   - name: Who signs (`--author` or `ANNULUS_USER` at the command line; the session's account on the server).
    ///   - store: The store whose accounts decide.
    ///   - actor: Who asks, for the audit row of a refusal (default: the signer named, as a command-line user).
    ///   - annotationIDs: The findings to be signed, for the audit row.
    ///   - clientAddress: The client's address, for the audit row (server).
    ///   - statusCode: The HTTP status the server answers a refusal with (403), for the audit row; nil at the
    ///     command line.
    /// - Throws: `AccountError.signerNotAnAccount`, `.accountDisabled` or `.notAllowedToSign` (the request is
    ///   refused: nothing is signed), or `.store`.
    public static func signer(
        named name: String, store: AnnulusStore, actor: AuditActor? = nil, annotationIDs: [String] = [],
        clientAddress: String? = nil, statusCode: Int? = nil
    ) throws(AccountError) -> Signer {
        let count = try AccountDirectory.storeCall { () throws(StoreError) in try store.accountCount() }
        guard count > 0 else { return .singleUser(name) }
        let found = try AccountDirectory.storeCall { () throws(StoreError) in try store.account(named: name) }
        let refusal: AccountError
        if let record = found {
            let account = try Account(record)
            if account.isDisabled {
                refusal = .accountDisabled(account.name)
            } else if !account.role.allows(.sign) {
                refusal = .notAllowedToSign(account: account.name, role: account.role)
            } else {
                return .account(account)
            }
        } else {
            refusal = .signerNotAnAccount(name: name)
        }
        _ = try? AuditTrail(store: store).record(
            actor ?? .cliUser(name), action: AuditAction.annotationSign, resourceType: "annotation",
            resourceIDs: annotationIDs, clientAddress: clientAddress, outcome: .forbidden,
            statusCode: statusCode, detail: refusal.description)
        throw refusal
    }
}
