import Accounts
import Hummingbird
import Store

/// Rows of the audit trail.
struct AuditListJSON: ResponseEncodable {
    var records: [AuditRecord]
}

extension APIRoutes {
    /// `GET /api/audit` (permission read-audit: admins, through a session only).
    func addAuditRoutes(to api: RouterGroup<AnnulusRequestContext>) {
        let accounts = self.accounts
        api.get("audit") { request, context -> AuditListJSON in
            _ = try context.require(.readAudit)
            let limit = try Parameters.queryInt("limit", request) ?? 1000
            guard (1...10_000).contains(limit) else {
                throw APIError(
                    .badRequest, code: "bad-limit", message: "limit must be between 1 and 10000", field: "limit",
                    allowed: ["1...10000"])
            }
            let filter = AuditFilter(
                since: try Parameters.queryString("since", request, maxLength: 40),
                until: try Parameters.queryString("until", request, maxLength: 40),
                actor: try Parameters.queryString("actor", request, maxLength: 80),
                action: try Parameters.queryString("action", request, maxLength: 120), limit: limit)
            let audit = accounts.audit
            return AuditListJSON(records: try await accounts.pool.run { try audit.records(filter) })
        }
    }
}
