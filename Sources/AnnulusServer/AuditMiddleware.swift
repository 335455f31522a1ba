import Accounts
import AnnulusApp
import Hummingbird
import Store

/// Writes one audit row for every `/api` and `/dicomweb` request that reaches patient data or accounts: who (the
/// account, or `anonymous`), the route (`GET /api/studies/{studyUID}`, `GET /dicomweb/studies`), the resource ids from the path (never the query,
/// which may hold a patient ID), the client's address, the status and the outcome. A request whose row cannot be
/// written fails (503): patient data is never served unaudited. Requests without an account (refused, having read
/// nothing) are throttled to one row per route and address per minute (`AuditThrottle`).
struct AuditMiddleware: RouterMiddleware {
    typealias Context = AnnulusRequestContext
    let accounts: ServerAccounts

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let status: HTTPResponse.Status
        let response: Response
        do {
            response = try await next(request, context)
            status = response.status
        } catch {
            try await write(request, context, status: Self.status(of: error))
            throw error
        }
        try await write(request, context, status: status)
        return response
    }

    private func write(_ request: Request, _ context: Context, status: HTTPResponse.Status) async throws {
        let actor: AuditActor = context.caller.map { .account($0.account.name) } ?? .anonymous
        let route = context.endpointPath ?? "(no route)"
        let ids = context.parameters.map { String($0.value) }
        let outcome: AuditRecord.Outcome =
            switch status.code {
            case 200..<400: .ok
            case 401, 403: .forbidden
            case 400..<500: .refused
            default: .failed
            }
        let audit = accounts.audit
        let address = context.clientAddress
        let action = "\(request.method.rawValue) \(route)"
        var detail = ""
        if context.caller == nil {
            // Without an account nothing was read or changed: bounded rows, so that nobody can grow the trail.
            guard case .write(let folded) = await accounts.throttle.admit(action: action, address: address) else {
                return
            }
            if folded > 0 { detail = "+\(folded) more refused from this address in the previous minute" }
        }
        let note = detail
        do {
            _ = try await accounts.pool.runAdmitted {
                try audit.record(
                    actor, action: action, resourceType: Self.resourceType(route), resourceIDs: ids,
                    clientAddress: address, outcome: outcome, statusCode: status.code, detail: note)
            }
        } catch {
            context.logger.error("audit row not written", metadata: ["action": "\(action)"])
            throw AppError.unavailable("the audit trail cannot be written; the request is refused", code: "audit")
        }
    }

    /// The first path segment after `/api` or `/dicomweb` (`studies`, `instances`, `annotations` …).
    static func resourceType(_ route: String) -> String? {
        let parts = route.split(separator: "/")
        return parts.count > 1 ? String(parts[1]) : nil
    }

    /// The status an error will be answered with (as the envelope middleware maps it).
    static func status(of error: any Error) -> HTTPResponse.Status {
        switch error {
        case let api as APIError: api.status
        case let app as AppError: APIError(app).status
        case let http as HTTPError: http.status
        default: .internalServerError
        }
    }
}
