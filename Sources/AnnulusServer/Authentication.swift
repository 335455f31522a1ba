import Accounts
import Foundation
import AnnulusApp
import HTTPTypes
import Hummingbird

/// The session cookie's name.
public let sessionCookieName = "annulus_session"
/// The header that must carry the session's anti-CSRF token on every state-changing cookie-authenticated request.
public let csrfHeaderName = "X-Annulus-CSRF"

/// Establishes the caller of an `/api` request: `Authorization: Bearer` (an API token) or the session cookie.
/// A credential that is presented but malformed, unknown, expired or revoked is answered 401 at once; a request
/// without any credential continues unauthenticated (routes that need one answer 401). A state-changing request
/// authenticated by the cookie must carry the anti-CSRF header (403 otherwise).
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AnnulusRequestContext
    let accounts: ServerAccounts

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        if let authorization = request.headers[.authorization] {
            guard authorization.hasPrefix("Bearer "), authorization.utf8.count <= 512 else {
                throw APIError(
                    .unauthorized, code: "bad-token",
                    message: "the Authorization header must be 'Bearer <API token>'", field: "Authorization")
            }
            let token = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
            let tokens = accounts.tokens
            do {
                let account = try await accounts.pool.run { try tokens.authenticate(token).account }
                context.caller = Caller(account: account, credential: .apiToken, cookieValue: nil)
            } catch let error as AccountError {
                throw APIError(.unauthorized, code: "bad-token", message: "the API token is refused: \(error)")
            }
        } else if let cookie = request.cookies[sessionCookieName]?.value, !Self.isSignIn(request) {
            let sessions = accounts.sessions
            guard cookie.utf8.count <= 256 else {
                throw APIError(.unauthorized, code: "bad-session", message: "the session cookie is malformed")
            }
            do {
                let account = try await accounts.pool.run { try sessions.resolve(cookieValue: cookie).account }
                context.caller = Caller(account: account, credential: .session, cookieValue: cookie)
            } catch let error as AccountError {
                // The browser forgets the dead cookie, so that its next sign-in starts clean.
                throw APIError(
                    .unauthorized, code: "bad-session",
                    message: "the session is not valid (\(error)): sign in again with POST /api/session",
                    headers: [.setCookie: "\(sessionCookieName)=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict"])
            }
            if Self.changesState(request.method),
                !BrowserSessions.csrfMatches(
                    cookieValue: cookie, header: request.headers[HTTPField.Name(csrfHeaderName)!])
            {
                throw APIError(
                    .forbidden, code: "csrf",
                    message: "a state-changing request with the session cookie must send the header \(csrfHeaderName) "
                        + "with the csrfToken from POST /api/session or GET /api/session")
            }
        }
        return try await next(request, context)
    }

    /// `POST /api/session`: signing in starts a new session whatever cookie the browser still sends (an ended
    /// session's cookie must not stand in the way of signing in again).
    static func isSignIn(_ request: Request) -> Bool {
        request.method == .post && request.uri.path == "/api/session"
    }

    static func changesState(_ method: HTTPRequest.Method) -> Bool {
        ![.get, .head, .options].contains(method)
    }
}

/// The account parts the server uses, over the store.
public struct ServerAccounts: Sendable {
    /// Accounts and password checks.
    public let directory: AccountDirectory
    /// Browser sessions.
    public let sessions: BrowserSessions
    /// API tokens.
    public let tokens: APITokens
    /// The audit trail.
    public let audit: AuditTrail
    /// Sign-in attempts per account and address.
    public let limiter: SignInLimiterActor
    /// Where account work (bcrypt, SQLite) runs.
    public let pool: CPUPool
    /// Bounds the audit rows of refusals without an account (one per kind and address per minute).
    let throttle = AuditThrottle()
}

/// The sign-in rate limiter shared by concurrent requests.
public actor SignInLimiterActor {
    private var limiter = SignInLimiter()

    /// Creates a limiter with the default policy.
    public init() {}

    func check(account: String, address: String?) -> SignInLimiter.Decision {
        limiter.check(account: account, address: address, now: Date())
    }

    func failed(account: String, address: String?) -> SignInLimiter.Decision {
        limiter.recordFailure(account: account, address: address, now: Date())
    }

    func succeeded(account: String, address: String?) {
        limiter.recordSuccess(account: account, address: address, now: Date())
    }
}
