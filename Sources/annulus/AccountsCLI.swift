import AnnulusApp
import Accounts
import ArgumentParser
import Foundation
import Store
import TextSafety

/// What the account and audit commands share: the bcrypt cost, error mapping to the exit statuses, and the audit
/// row each command writes about itself.
enum AccountsCLI {
    /// The bcrypt cost: `ANNULUS_BCRYPT_COST` when set (4…31; tests use 4), else 12.
    static func hasher(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> PasswordHasher {
        guard let text = environment["ANNULUS_BCRYPT_COST"], !text.isEmpty else {
            return try mapped { try PasswordHasher() }
        }
        guard let cost = Int(text) else {
            throw ValidationError(
                "ANNULUS_BCRYPT_COST must be a whole number from 4 to 31 (got '\(text.terminalSafe)')")
        }
        return try mapped { try PasswordHasher(cost: cost) }
    }

    /// Runs `body`, turning an `AccountError` into the command line's errors: a refusal exits 2, a failure 1.
    static func mapped<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw translated(error) }
    }

    /// The command-line error for `error` (`AccountError`s become the use cases' `AppError`, whose kind gives the
    /// exit status); others are returned unchanged.
    static func translated(_ error: any Error) -> any Error {
        guard error is AccountError else { return error }
        return AppError(error)
    }

    /// The audit outcome of an error that ended a command.
    static func outcome(of error: any Error) -> AuditRecord.Outcome {
        switch error {
        case let error as AccountError:
            if error.kind == .forbidden || error.kind == .unauthenticated { return .forbidden }
            return error.isRefusal ? .refused : .failed
        case is ValidationError, is RequestRefused: return .refused
        case let error as StoreError: return error.isRefusal ? .refused : .failed
        default: return .failed
        }
    }
}

/// The audit row a command-line action writes about itself: actor `cli-user:NAME` (`ANNULUS_USER`, else the
/// operating-system user), the action, its resources, and how it ended.
struct CommandAudit {
    let trail: AuditTrail
    let actor: AuditActor

    init(store: AnnulusStore) {
        trail = AuditTrail(store: store)
        actor = AuditActor.commandLine()
    }

    /// Runs `body` and records its outcome as `action`; an error is recorded (refused, forbidden or failed, with
    /// its message) and rethrown as a command-line error. `detail` describes a success.
    func run<T>(
        _ action: String, resourceType: String?, resourceIDs: [String], detail: (T) -> String = { _ in "" },
        _ body: () throws -> T
    ) throws -> T {
        let result: T
        do {
            result = try body()
        } catch {
            let mapped = AccountsCLI.translated(error)
            _ = try? trail.record(
                actor, action: action, resourceType: resourceType, resourceIDs: resourceIDs,
                outcome: AccountsCLI.outcome(of: error), detail: String(describing: mapped))
            throw mapped
        }
        try AccountsCLI.mapped {
            try trail.record(
                actor, action: action, resourceType: resourceType, resourceIDs: resourceIDs, outcome: .ok,
                detail: detail(result))
        }
        return result
    }
}
