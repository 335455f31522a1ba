import Accounts
import Foundation
import Hummingbird
import Store

extension AccountView: ResponseEncodable {}

/// Every account.
struct AccountListJSON: ResponseEncodable, Sendable {
    var accounts: [AccountView]
}

/// An API token's record (never its secret, which only the creating response carries).
struct TokenJSON: ResponseEncodable, Sendable {
    var id: Int64
    var account: String
    var name: String
    var state: String
    var createdAt: String
    var expiresAt: String?
    var revokedAt: String?
    var lastUsedAt: String?
    /// The token itself: only in the response that creates it.
    var token: String?

    init(_ record: APITokenRecord, token: String? = nil, now: Date = Date()) {
        id = record.id
        account = record.accountName
        name = record.name
        state = record.state(at: now)
        createdAt = record.createdAt
        expiresAt = record.expiresAt
        revokedAt = record.revokedAt
        lastUsedAt = record.lastUsedAt
        self.token = token
    }
}

/// The tokens of an account.
struct TokenListJSON: ResponseEncodable, Sendable {
    var tokens: [TokenJSON]
}

/// `POST /api/accounts`.
struct NewAccountBody: Decodable {
    static let fields: Set<String> = ["name", "displayName", "role", "password"]
    var name: String
    var displayName: String?
    var role: String
    var password: String
}

/// `PATCH /api/accounts/{accountName}`.
struct AccountChangeBody: Decodable {
    static let fields: Set<String> = ["disabled"]
    var disabled: Bool
}

/// `PUT /api/accounts/{accountName}/password`.
struct PasswordResetBody: Decodable {
    static let fields: Set<String> = ["password"]
    var password: String
}

/// `PUT /api/session/password`.
struct PasswordChangeBody: Decodable {
    static let fields: Set<String> = ["currentPassword", "newPassword"]
    var currentPassword: String
    var newPassword: String
}

/// `POST /api/accounts/{accountName}/tokens`.
struct NewTokenBody: Decodable {
    static let fields: Set<String> = ["name", "lifetimeDays"]
    var name: String
    var lifetimeDays: Int?
}

extension APIRoutes {
    /// Account administration (permission manage-accounts: admins, through a session only) and a signed-in
    /// account's own password change. Every route is audited by the audit middleware; the operations and their
    /// refusals are the `Accounts` module's, as `annulus user` runs them.
    func addAccountRoutes(to api: RouterGroup<AnnulusRequestContext>) {
        let accounts = self.accounts
        let directory = accounts.directory
        let tokens = accounts.tokens
        let secure = options.secureCookies
        api.get("accounts") { _, context -> AccountListJSON in
            _ = try context.require(.manageAccounts)
            return AccountListJSON(accounts: try await accounts.pool.run { try directory.list() }.map(AccountView.init))
        }
        api.post("accounts") { request, context -> Response in
            _ = try context.require(.manageAccounts)
            let body = try await StrictJSON.decode(
                NewAccountBody.self, allowed: NewAccountBody.fields, from: request, context: context)
            let role = try Role.parse(body.role)
            let name = try AccountName.normalized(body.name)
            let password = Password(body.password)
            let account = try await accounts.pool.runAdmitted {
                try directory.create(name: name, displayName: body.displayName, role: role, password: password)
            }
            var response = try AccountView(account).response(from: request, context: context)
            response.status = .created
            return response
        }
        api.get("accounts/:accountName") { _, context -> AccountView in
            _ = try context.require(.manageAccounts)
            let name = try Parameters.accountName(context)
            return AccountView(try await accounts.pool.run { try directory.existing(named: name) })
        }
        api.patch("accounts/:accountName") { request, context -> AccountView in
            let caller = try context.require(.manageAccounts)
            let name = try Parameters.accountName(context)
            let body = try await StrictJSON.decode(
                AccountChangeBody.self, allowed: AccountChangeBody.fields, from: request, context: context)
            if body.disabled, name == caller.account.name {
                throw APIError(
                    .conflict, code: "disable-self",
                    message: "an admin cannot disable the account they are signed in with: ask another admin, or "
                        + "run `annulus user disable \(name)` on the server", field: "disabled")
            }
            return AccountView(
                try await accounts.pool.runAdmitted { try directory.setDisabled(name: name, body.disabled) })
        }
        api.put("accounts/:accountName/password") { request, context -> Response in
            _ = try context.require(.manageAccounts)
            let name = try Parameters.accountName(context)
            let body = try await StrictJSON.decode(
                PasswordResetBody.self, allowed: PasswordResetBody.fields, from: request, context: context)
            let password = Password(body.password)
            _ = try await accounts.pool.runAdmitted { try directory.resetPassword(name: name, password: password) }
            return Response(status: .noContent)
        }
        api.get("accounts/:accountName/tokens") { _, context -> TokenListJSON in
            _ = try context.require(.manageAccounts)
            let name = try Parameters.accountName(context)
            return TokenListJSON(
                tokens: try await accounts.pool.run { try tokens.list(accountName: name) }.map { TokenJSON($0) })
        }
        api.post("accounts/:accountName/tokens") { request, context -> Response in
            _ = try context.require(.manageAccounts)
            let name = try Parameters.accountName(context)
            let body = try await StrictJSON.decode(
                NewTokenBody.self, allowed: NewTokenBody.fields, from: request, context: context)
            let issued = try await accounts.pool.runAdmitted {
                try tokens.create(
                    accountName: name, label: body.name,
                    lifetimeDays: body.lifetimeDays ?? APITokens.defaultLifetimeDays)
            }
            var response = try TokenJSON(issued.record, token: issued.token).response(from: request, context: context)
            response.status = .created
            response.headers[.cacheControl] = "no-store"
            return response
        }
        api.delete("tokens/:tokenID") { _, context -> TokenJSON in
            _ = try context.require(.manageAccounts)
            let id = Int64(try Parameters.index("tokenID", context))
            return TokenJSON(try await accounts.pool.runAdmitted { try tokens.revoke(id: id) })
        }
        api.put("session/password") { request, context -> Response in
            guard let caller = context.caller, caller.credential == .session else {
                throw APIError(
                    .unauthorized, code: "unauthenticated",
                    message: "changing a password needs a signed-in session: sign in with POST /api/session")
            }
            let body = try await StrictJSON.decode(
                PasswordChangeBody.self, allowed: PasswordChangeBody.fields, from: request, context: context)
            let current = Password(body.currentPassword)
            let new = Password(body.newPassword)
            let name = caller.account.name
            let address = context.clientAddress
            if case .locked(let seconds) = await accounts.limiter.check(account: name, address: address) {
                throw APIError(
                    .tooManyRequests, code: "locked-out",
                    message: "too many wrong passwords: try again in \(seconds) s",
                    headers: [.retryAfter: String(seconds)])
            }
            do {
                _ = try await accounts.pool.runAdmitted { try directory.authenticate(name: name, password: current) }
            } catch is AccountError {
                _ = await accounts.limiter.failed(account: name, address: address)
                throw APIError(
                    .forbidden, code: "wrong-password", message: "the current password is not right",
                    field: "currentPassword")
            }
            _ = try await accounts.pool.runAdmitted { try directory.resetPassword(name: name, password: new) }
            var response = Response(status: .noContent)
            response.setCookie(
                Cookie(
                    name: sessionCookieName, value: "", maxAge: 0, path: "/", secure: secure,
                    httpOnly: true, sameSite: .strict))
            return response
        }
    }
}
