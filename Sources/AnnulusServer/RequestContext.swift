import Accounts
import AnnulusApp
import Foundation
import Hummingbird

/// The request context of every route: the core storage, who is asking (set by the authentication middleware),
/// the upload limit and the JSON coders.
public struct AnnulusRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The caller, once authenticated.
    public var caller: Caller?
    /// The client's address as the socket reports it (no proxy headers are trusted).
    public var clientAddress: String?

    /// Creates the context of one request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        caller = nil
        clientAddress = source.channel.remoteAddress?.ipAddress
    }

    /// Request bodies are JSON documents of a few kilobytes: 256 KiB is generous.
    public var maxUploadSize: Int { 256 * 1024 }

    /// Sorted keys, so that responses are stable.
    public var responseEncoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }
}

/// Who is calling: the account and how it authenticated.
public struct Caller: Sendable, Equatable {
    /// The account.
    public var account: Account
    /// How the caller authenticated.
    public var credential: Account.Credential
    /// The session cookie value, for the anti-CSRF check and sign-out (nil for tokens).
    var cookieValue: String?

    /// The principal the use cases record (the account's name and id, never a name from the request).
    public var principal: Principal {
        Principal.account(
            name: account.name, id: account.id, authentication: credential == .session ? .session : .apiToken)
    }
}

extension AnnulusRequestContext {
    /// The authenticated caller allowed `permission`, or 401 (no caller) / 403 (role or credential refuses).
    func require(_ permission: Permission) throws -> Caller {
        guard let caller else {
            throw APIError(
                .unauthorized, code: "unauthenticated",
                message: "sign in (POST /api/session) or send Authorization: Bearer <API token>")
        }
        do {
            try caller.account.require(permission, via: caller.credential)
        } catch {
            throw APIError(
                .forbidden, code: "forbidden",
                message: "account '\(caller.account.name)' (\(caller.account.role.rawValue)) may not "
                    + "\(permission.rawValue)" + (caller.credential == .apiToken ? " with an API token" : ""))
        }
        return caller
    }
}
