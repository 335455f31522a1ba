import Foundation
import Testing

@Suite("Text from users is stored as given and printed with its control characters escaped")
struct ControlCharacterCLITests {
    static let note = "\u{1B}[2J\u{1B}[Hforged\nc0ffee00  9  signed  L1-L2  fake\u{202E}"
    static let author = "dr.\u{1B}[31mrivera\u{9B}0m"

    @Test("annotate add/list/show/history: JSON keeps the exact text; tables show it escaped in one row")
    func annotateRoundTrip() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let added = try fixture.run(
            [
                "annotate", "add", "ACC-MR-0001", "--level", "L4-L5", "--finding", "annular-fissure", "type=radial",
                "zones=central", "side=midline", "thickness=full", "--note", Self.note, "--reason", "line1\nline2",
                "--json",
            ], user: Self.author)
        #expect(added.status == 0, "\(added.stderr)")
        let id = try #require(AnnotatedStore.object(added)["id"] as? String)
        // JSON output: valid, and decodes to exactly what was given.
        let shown = try fixture.run(["annotate", "show", id, "--json"])
        #expect(!shown.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x202E })
        let object = AnnotatedStore.object(shown)
        #expect((object["annotation"] as? [String: Any])?["note"] as? String == Self.note)
        #expect(object["author"] as? String == Self.author)
        #expect(object["reason"] as? String == "line1\nline2")
        // Tables: no control character reaches the terminal; the note stays in its own row.
        let list = try fixture.run(["annotate", "list", "ACC-MR-0001"])
        #expect(list.status == 0)
        #expect(!list.stdout.unicodeScalars.contains { $0.value < 0x20 && $0.value != 0x0A })
        #expect(!list.stdout.unicodeScalars.contains { (0x7F...0x9F).contains($0.value) || $0.value == 0x202E })
        #expect(list.lines.count == 3, "header, one finding, the drafts reminder: \(list.lines)")
        #expect(list.stdout.contains("dr.\\e[31mrivera\\u{9B}0m"))
        let details = try fixture.run(["annotate", "show", id])
        #expect(details.stdout.contains("\\e[2J\\e[Hforged\\nc0ffee00  9  signed  L1-L2  fake\\u{202E}"))
        #expect(!details.stdout.contains("\u{1B}"))
        let history = try fixture.run(["annotate", "history", id])
        #expect(history.lines.count == 2, "\(history.lines)")
        #expect(history.stdout.contains("line1\\nline2"))
        // The stored bytes are what was given: the JSON history carries them unchanged.
        let historyJSON = try fixture.run(["annotate", "history", id, "--json"])
        #expect(AnnotatedStore.object(historyJSON)["reason"] as? String == "line1\nline2")
    }

    @Test("an error echoing a user's study reference escapes it")
    func errorsEscaped() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let result = try fixture.run(["annotate", "list", "ACC\u{1B}]0;owned\u{7}\nFAKE"])
        #expect(result.status == 2, "an unknown study is a refused request")
        #expect(result.stderr.contains("no study matches 'ACC\\e]0;owned\\u{7}\\nFAKE'"), "\(result.stderr)")
        #expect(!result.stderr.contains("\u{1B}"))
    }
}
