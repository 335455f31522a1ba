import Testing

@testable import Accounts

@Suite("Secrets, API token text and anti-CSRF tokens")
struct SecretTests {
    @Test("a token is ann_ plus 43 base64url characters and parses back to the same secret")
    func tokenText() throws {
        let secret = Secret.generate()
        let token = APITokenText.format(secret)
        #expect(token.count == 47 && token.hasPrefix("ann_"))
        #expect(token.dropFirst(4).allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        let parsed = try #require(APITokenText.parse(token))
        #expect(parsed == secret)
        #expect(parsed.sha256.count == 64 && parsed.sha256 == secret.sha256)
        #expect(Secret.generate() != secret, "random")
    }

    @Test("malformed tokens are refused: prefix, length, alphabet, non-canonical spelling")
    func malformed() {
        let good = APITokenText.format(Secret(bytes: Array(repeating: 0, count: 32)))
        #expect(good == "ann_" + String(repeating: "A", count: 43))
        #expect(APITokenText.parse(good) != nil)
        for bad in [
            "", "ann_", "ANN_" + String(repeating: "A", count: 43), "tok_" + String(repeating: "A", count: 43),
            "ann_" + String(repeating: "A", count: 42), "ann_" + String(repeating: "A", count: 44),
            "ann_" + String(repeating: "A", count: 42) + "=", "ann_" + String(repeating: "A", count: 42) + "+",
            // The last character carries 2 unused bits: 'B' sets one, a second spelling of the same bytes.
            "ann_" + String(repeating: "A", count: 42) + "B",
        ] {
            #expect(APITokenText.parse(bad) == nil, "\(bad)")
        }
    }

    @Test("the anti-CSRF token is derived from the cookie and compared exactly")
    func csrf() {
        let cookie = Secret.generate().text
        let token = BrowserSessions.csrfToken(cookieValue: cookie)
        #expect(token.count == 64 && !token.contains(cookie))
        #expect(BrowserSessions.csrfMatches(cookieValue: cookie, header: token))
        #expect(!BrowserSessions.csrfMatches(cookieValue: cookie, header: nil))
        #expect(!BrowserSessions.csrfMatches(cookieValue: cookie, header: String(token.dropLast()) + "0"))
        #expect(!BrowserSessions.csrfMatches(cookieValue: Secret.generate().text, header: token))
    }
}
