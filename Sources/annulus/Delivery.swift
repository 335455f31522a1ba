import ArgumentParser
import Foundation
import TextSafety

/// The bearer token for deliveries, read from the file named by `--token-file`.
enum TokenFile {
    /// The largest token file accepted (a bearer token is a few KiB at most).
    static let limit = 64 * 1024

    /// Reads a bearer token from a file (surrounding whitespace ignored); the token never appears in output. A file
    /// that cannot be used is a refused request (exit 2), like any other file named on the command line.
    static func token(from path: String?) throws -> String? {
        guard let path else { return nil }
        let text: String
        do { text = try BoundedFile.readText(path: path, limit: limit, what: "token file") } catch {
            throw RequestRefused(error.description)
        }
        let token = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw RequestRefused("the token file \(path.terminalSafe) holds only white space") }
        return token
    }
}
