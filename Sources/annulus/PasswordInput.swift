import Accounts
import ArgumentParser
import Foundation
import TextSafety

#if canImport(Glibc)
    import Glibc
#endif

/// Where a new password comes from: a prompt on the terminal (typed twice, not echoed), `--password-file FILE`
/// (its first line), or standard input with `--password-stdin` (its first line). Never an argument: arguments are
/// visible to every user of the machine (`ps`) and kept in shell histories.
struct PasswordOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Read the password from the first line of this file (keep it readable only by you).", valueName: "file"))
    var passwordFile: String?

    @Flag(help: "Read the password from the first line of standard input.")
    var passwordStdin = false

    /// The largest password file or standard input read, in bytes.
    static let inputLimit = 4096

    func validate() throws {
        if passwordFile != nil && passwordStdin {
            throw ValidationError("give --password-file FILE or --password-stdin, not both")
        }
        if passwordFile?.isEmpty == true { throw ValidationError("--password-file needs a file (got an empty value)") }
    }

    /// Reads the password for `account`; on a terminal it is asked twice and both must match. A refusal (no
    /// password, passwords that differ, one the policy refuses) exits 2.
    func read(for account: String) throws -> Password {
        try AccountsCLI.mapped { try readUnmapped(for: account) }
    }

    private func readUnmapped(for account: String) throws -> Password {
        if let passwordFile {
            let text: String
            do {
                text = try BoundedFile.readText(path: passwordFile, limit: Self.inputLimit, what: "password file")
            } catch {
                throw ValidationError(error.description)
            }
            return try Self.firstLine(text, source: "the password file \(passwordFile.terminalSafe)")
        }
        if passwordStdin {
            let data = FileHandle.standardInput.readData(ofLength: Self.inputLimit + 1)
            guard data.count <= Self.inputLimit else {
                throw ValidationError(
                    "standard input holds more than \(Self.inputLimit) bytes: give one line, the password")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw ValidationError("the password on standard input is not UTF-8 text")
            }
            return try Self.firstLine(text, source: "standard input")
        }
        guard isatty(STDIN_FILENO) == 1 else {
            throw RequestRefused(
                "no terminal to ask for the password of \(account.terminalSafe) on: pipe it with --password-stdin or"
                    + " give --password-file FILE (never as an argument)")
        }
        let first = try Self.prompt("Password for \(account.terminalSafe): ")
        try PasswordPolicy.check(first, accountName: account)
        let second = try Self.prompt("Repeat the password: ")
        guard first.matches(second) else { throw AccountError.passwordMismatch }
        return first
    }

    /// The first line of `text` (without its line ending) as a password; an empty one is refused.
    static func firstLine(_ text: String, source: String) throws -> Password {
        let line =
            text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        let password = line.hasSuffix("\r") ? String(line.dropLast()) : line
        guard !password.isEmpty else { throw AccountError.passwordMissing(source: source) }
        return Password(password)
    }

    /// Asks on the terminal with echo off; the line typed, without its newline.
    static func prompt(_ question: String) throws -> Password {
        FileHandle.standardError.write(Data(question.utf8))
        var saved = termios()
        let canSilence = tcgetattr(STDIN_FILENO, &saved) == 0
        if canSilence {
            var silent = saved
            silent.c_lflag &= ~tcflag_t(ECHO)
            tcsetattr(STDIN_FILENO, TCSANOW, &silent)
        }
        let line = readLine(strippingNewline: true)
        if canSilence { tcsetattr(STDIN_FILENO, TCSANOW, &saved) }
        FileHandle.standardError.write(Data("\n".utf8))
        guard let line, !line.isEmpty else { throw AccountError.passwordMissing(source: "the terminal") }
        return Password(line)
    }
}
