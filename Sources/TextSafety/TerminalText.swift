/// Text from users or files made safe to print on a terminal or in a log line.
///
/// A note, an author, a DICOM attribute or a file name may hold ESC sequences (which clear the screen, move the
/// cursor or retitle the window), newlines and carriage returns (which forge table rows or log lines), C1 controls
/// (U+009B is a one-character CSI on some terminals) or Unicode bidirectional overrides (which display text in
/// another order than it is stored). Stores keep what was given; whatever prints it goes through `escaped(_:)`.
public enum TerminalText {
    /// Escapes every C0 control (U+0000–U+001F), DEL (U+007F), every C1 control (U+0080–U+009F) and the bidi
    /// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) as visible text: `\e` for ESC, `\n`,
    /// `\r`, `\t`, and `\u{…}` (hexadecimal, upper case) for the rest. Everything else, backslashes included,
    /// is kept as it is, so ordinary text (accents, CJK, paths) prints unchanged.
    ///
    /// The result holds no control character, so escaping twice changes nothing more.
    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            switch scalar.value {
            case 0x1B: result += "\\e"
            case 0x0A: result += "\\n"
            case 0x0D: result += "\\r"
            case 0x09: result += "\\t"
            default: result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return result
    }

    /// Escapes each line of `text` on its own and keeps the line breaks between them: for a message built from
    /// several lines whose parts may not all have been escaped (a last line of defence before stderr).
    /// Carriage returns, ESC and the other controls inside a line are escaped.
    public static func escapedLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { escaped(String($0)) }
            .joined(separator: "\n")
    }

    /// Makes one line of JSON (as written by `JSONEncoder`, which escapes C0 controls itself) safe for a
    /// terminal: DEL, C1 controls and bidi overrides, which JSON may carry raw, become `\uXXXX` escapes. Such
    /// characters can only occur inside JSON strings, where `\uXXXX` decodes to the very same character, so the
    /// JSON still means exactly what it meant.
    public static func jsonEscaped(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: needsEscape) else { return json }
        var result = ""
        result.reserveCapacity(json.utf8.count + 8)
        for scalar in json.unicodeScalars {
            guard needsEscape(scalar) else {
                result.unicodeScalars.append(scalar)
                continue
            }
            let hex = String(scalar.value, radix: 16, uppercase: false)
            result += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
        return result
    }

    /// Whether `scalar` is one that `escaped(_:)` rewrites.
    public static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}

extension String {
    /// This text with controls and bidi overrides escaped for a terminal or log line (`TerminalText.escaped`).
    public var terminalSafe: String { TerminalText.escaped(self) }
}

extension Optional where Wrapped == String {
    /// The escaped text, or `nil`.
    public var terminalSafe: String? { self.map(TerminalText.escaped) }
}
