import Accounts
import Foundation
import Hummingbird
import Store

/// The body of `POST /api/session`.
struct SignInRequest: Decodable {
    var name: String
    var password: String
}

/// The signed-in account and the anti-CSRF token its state-changing requests must send.
struct SessionJSON: ResponseEncodable {
    struct AccountJSON: Encodable {
        var name: String
        var displayName: String
        var role: String
        var permissions: [String]
    }
    var account: AccountJSON
    var csrfToken: String
    var csrfHeader: String
    /// Seconds without a request after which the session ends (the page signs out then).
    var idleTimeoutSeconds: Int

    init(_ account: Account, cookieValue: String, idleTimeout: TimeInterval) {
        self.account = AccountJSON(
            name: account.name, displayName: account.displayName, role: account.role.rawValue,
            permissions: account.role.permissions.sorted().map(\.rawValue))
        csrfToken = BrowserSessions.csrfToken(cookieValue: cookieValue)
        csrfHeader = csrfHeaderName
        idleTimeoutSeconds = Int(idleTimeout)
    }
}

extension APIRoutes {
    /// `POST /api/session` (sign in), `GET /api/session` (who am I, the CSRF token again), `DELETE /api/session`.
    func addSessionRoutes(to api: RouterGroup<AnnulusRequestContext>) {
        let accounts = self.accounts
        let secure = options.secureCookies
        api.post("session") { request, context -> Response in
            let body = try await request.decode(as: SignInRequest.self, context: context)
            let name = body.name.trimmingCharacters(in: .whitespaces).lowercased()
            guard name.utf8.count <= 64, body.password.utf8.count <= 1024 else {
                throw APIError(.badRequest, code: "bad-sign-in", message: "name or password is too long")
            }
            let address = context.clientAddress
            if case .locked(let seconds) = await accounts.limiter.check(account: name, address: address) {
                try? await Self.auditSignIn(accounts, name, address, .forbidden, 429)
                throw APIError(
                    .tooManyRequests, code: "locked-out",
                    message: "too many failed sign-ins: try again in \(seconds) s",
                    headers: [.retryAfter: String(seconds)])
            }
            let directory = accounts.directory
            let sessions = accounts.sessions
            let password = Password(body.password)
            let issued: IssuedSession
            do {
                issued = try await accounts.pool.run {
                    let account = try directory.authenticate(name: name, password: password)
                    return try sessions.create(for: account, clientAddress: address)
                }
            } catch let error as AccountError {
                _ = await accounts.limiter.failed(account: name, address: address)
                try? await Self.auditSignIn(accounts, name, address, .forbidden, 401)
                throw APIError(.unauthorized, code: "sign-in-refused", message: "\(error)")
            }
            await accounts.limiter.succeeded(account: name, address: address)
            try await Self.auditSignIn(accounts, issued.account.name, address, .ok, 200)
            var response = try SessionJSON(
                issued.account, cookieValue: issued.cookieValue, idleTimeout: accounts.sessions.idleTimeout
            )
            .response(from: request, context: context)
            response.setCookie(
                Cookie(
                    name: sessionCookieName, value: issued.cookieValue, maxAge: Int(accounts.sessions.lifetime),
                    path: "/", secure: secure, httpOnly: true, sameSite: .strict))
            return response
        }
        api.get("session") { _, context -> SessionJSON in
            guard let caller = context.caller, let cookie = caller.cookieValue else {
                throw APIError(
                    .unauthorized, code: "unauthenticated", message: "no session: sign in with POST /api/session")
            }
            return SessionJSON(caller.account, cookieValue: cookie, idleTimeout: accounts.sessions.idleTimeout)
        }
        api.delete("session") { _, context -> Response in
            guard let caller = context.caller, let cookie = caller.cookieValue else {
                throw APIError(.unauthorized, code: "unauthenticated", message: "no session to end")
            }
            let sessions = accounts.sessions
            _ = try await accounts.pool.runAdmitted { try sessions.end(cookieValue: cookie) }
            let audit = accounts.audit
            let address = context.clientAddress
            _ = try await accounts.pool.runAdmitted {
                try audit.record(
                    .account(caller.account.name), action: AuditAction.signOut, resourceType: "session",
                    clientAddress: address, outcome: .ok, statusCode: 204)
            }
            var response = Response(status: .noContent)
            response.setCookie(
                Cookie(
                    name: sessionCookieName, value: "", maxAge: 0, path: "/", secure: secure, httpOnly: true,
                    sameSite: .strict))
            return response
        }
    }

    /// Writes the audit row of a sign-in. A refused one is throttled per client address (`AuditThrottle`): the
    /// name tried is recorded in the row that is written, the ones folded into it are counted.
    static func auditSignIn(
        _ accounts: ServerAccounts, _ name: String, _ address: String?, _ outcome: AuditRecord.Outcome, _ status: Int
    ) async throws {
        var detail = ""
        if outcome != .ok {
            guard case .write(let folded) = await accounts.throttle.admit(action: AuditAction.signIn, address: address)
            else { return }
            if folded > 0 { detail = "+\(folded) more refused sign-in(s) from this address in the previous minute" }
        }
        let audit = accounts.audit
        let note = detail
        _ = try await accounts.pool.runAdmitted {
            try audit.record(
                name.isEmpty ? .anonymous : .account(name), action: AuditAction.signIn, resourceType: "session",
                clientAddress: address, outcome: outcome, statusCode: status, detail: note)
        }
    }
}
