import Foundation
import Testing

@testable import TextSafety

@Suite("Control characters are escaped for terminals and logs")
struct ControlCharacterTests {
    @Test("ESC, newline, tab, carriage return, NUL, DEL, C1 and bidi overrides become visible escapes")
    func escapes() {
        #expect(TerminalText.escaped("\u{1B}[2J") == "\\e[2J")
        #expect(TerminalText.escaped("a\nb\rc\td") == "a\\nb\\rc\\td")
        #expect(TerminalText.escaped("\u{0}\u{7}\u{7F}") == "\\u{0}\\u{7}\\u{7F}")
        #expect(TerminalText.escaped("x\u{9B}31m") == "x\\u{9B}31m")
        #expect(TerminalText.escaped("\u{85}\u{80}\u{9F}") == "\\u{85}\\u{80}\\u{9F}")
        #expect(TerminalText.escaped("abc\u{202E}fdp.exe") == "abc\\u{202E}fdp.exe")
        #expect(TerminalText.escaped("\u{202A}\u{2066}\u{2069}") == "\\u{202A}\\u{2066}\\u{2069}")
    }

    @Test("ordinary text, accents, CJK, backslashes and U+00A0 are printed as they are")
    func ordinaryText() {
        for text in ["Dr. Müller", "山田^太郎", "C:\\exports\\a.dcm", "50\u{A0}%", "L4-L5 ✓", ""] {
            #expect(TerminalText.escaped(text) == text)
        }
        #expect(TerminalText.needsEscape("\u{A0}") == false)
        #expect(TerminalText.needsEscape("\u{2029}") == false)
        #expect(TerminalText.needsEscape("\u{202F}") == false)
    }

    @Test("escaping is idempotent and leaves no control character")
    func idempotent() {
        let hostile = "ok\u{1B}]0;title\u{7}\n\u{9B}2J\u{202E}\u{2067}"
        let once = TerminalText.escaped(hostile)
        #expect(TerminalText.escaped(once) == once)
        #expect(!once.unicodeScalars.contains(where: TerminalText.needsEscape))
        #expect(hostile.terminalSafe == once)
        #expect(!once.contains("\n"))
    }

    @Test("escapedLines keeps the line breaks and escapes inside each line")
    func lines() {
        #expect(TerminalText.escapedLines("one\u{1B}[1m\ntwo\r") == "one\\e[1m\ntwo\\r")
    }

    @Test("JSON lines: DEL, C1 and bidi become \\u escapes that decode to the same string")
    func json() throws {
        let value = "a\u{7F}b\u{9B}c\u{202E}d\u{1B}e\nf"
        let encoded = String(decoding: try JSONEncoder().encode([value]), as: UTF8.self)
        // JSONEncoder escapes C0 controls itself (ESC and newline here) but not DEL, C1 or bidi overrides.
        #expect(encoded.contains("\\u001b") || encoded.contains("\\u001B"))
        #expect(encoded.unicodeScalars.contains("\u{9B}"))
        let safe = TerminalText.jsonEscaped(encoded)
        #expect(!safe.unicodeScalars.contains(where: TerminalText.needsEscape))
        #expect(safe.contains("\\u007f") && safe.contains("\\u009b") && safe.contains("\\u202e"))
        let decoded = try JSONDecoder().decode([String].self, from: Data(safe.utf8))
        #expect(decoded == [value])
    }
}
