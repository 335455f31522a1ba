import AnnulusApp
import ArgumentParser
import Foundation
import TextSafety

/// The request itself was refused, and nothing was changed: exit status 2 (`ExitStatus.refused`).
///
/// For requests the current state refuses as much as for mistakes in them: signing a finding twice, no terminal
/// to confirm on, a declined confirmation. Throw `ValidationError` for a usage mistake; Main maps both to 2.
struct RequestRefused: Error, CustomStringConvertible {
    /// What was refused and what to do instead (Main escapes control characters before printing it).
    var message: String

    init(_ message: String) { self.message = message }

    var description: String { message }
}

/// The one exit-status rule of every `annulus` command (docs/cli.md, "Exit status"): the use cases' `AppError`
/// refusals (invalid input, not found, conflict, forbidden) exit 2, its failures (unavailable, internal) exit 1.
///
/// - 0 `success`: everything asked for was done (also when there was nothing to do).
/// - 1 `failed`: the request was accepted but something failed while carrying it out: some inputs of a batch
///   (the rest were processed and reported), a delivery, the store (damaged, not a store, locked, disk full).
/// - 2 `refused`: the request was refused and nothing was changed: a usage or validation error, or a request the
///   current state refuses (unknown or ambiguous id, signing twice, amending a retracted finding, no store there).
/// - 75: only the hidden `complete-study` (a completion deferred), read by the watcher.
enum ExitStatus {
    /// Everything asked for was done.
    static let success: Int32 = 0
    /// Something failed while the request was carried out.
    static let failed: Int32 = 1
    /// The request was refused; nothing was changed.
    static let refused: Int32 = 2

    /// The exit status and the message (control characters escaped) for an error that ended a command.
    static func of(_ error: any Error) -> (status: Int32, message: String) {
        switch error {
        case let validation as ValidationError:
            return (refused, TerminalText.escapedLines(validation.message))
        case let refusal as RequestRefused:
            return (refused, TerminalText.escapedLines(refusal.message))
        default:
            // The use cases throw AppError; anything else is mapped the same way (unknown errors are failures).
            let app = AppError(error)
            return (app.isRefusal ? refused : failed, TerminalText.escapedLines(app.message))
        }
    }

    /// The discussion shown by `annulus --help`.
    static let helpText = """
        Exit status (every command): 0 done; 1 failed: the request was accepted but something failed while it was \
        carried out (some files of a batch, whose others were still processed and reported; a delivery; a damaged, \
        locked or full store); 2 refused: nothing was changed, because of a usage or validation error or because \
        the current state refuses the request (unknown or ambiguous id, signing a signed finding, amending a \
        retracted one, no store in the --data folder). See docs/cli.md.
        """
}
