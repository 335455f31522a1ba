import Foundation
import Testing

@testable import Accounts

@Suite("Password policy and bcrypt hashing")
struct PasswordTests {
    @Test("at least 12 characters, at most 72 bytes, no control characters, not the name")
    func policy() throws {
        try PasswordPolicy.check(Password("twelve chars"), accountName: "dr.rivera")
        try PasswordPolicy.check(Password(String(repeating: "x", count: 72)), accountName: "dr.rivera")
        let cases: [(String, String)] = [
            ("eleven char", "too short (11 characters)"),
            (String(repeating: "x", count: 73), "too long (73 bytes of UTF-8)"),
            // 25 three-byte characters: 25 characters but 75 bytes.
            (String(repeating: "€", count: 25), "too long (75 bytes of UTF-8)"),
            ("tab\tinside password", "control character"),
            ("nul\u{0}inside password", "control character"),
            ("Dr.Rivera-Long", "is the account name"),
        ]
        for (password, expected) in cases {
            let error = #expect(throws: AccountError.self) {
                try PasswordPolicy.check(Password(password), accountName: "dr.rivera-long")
            }
            #expect(error?.description.contains(expected) == true, "\(error?.description ?? "no error")")
            #expect(error?.description.contains(password) == false, "the message never holds the password")
        }
    }

    @Test("a password prints as <password>, never as its text")
    func neverPrinted() {
        let password = Password("correct horse battery")
        #expect("\(password)" == "<password>")
        #expect(String(reflecting: password) == "<password>")
        #expect(!String(describing: [password]).contains("horse"))
    }

    @Test("bcrypt at cost 4: $2b$04$ hashes that verify only the same password, NFC-normalised")
    func hashing() throws {
        let hasher = try PasswordHasher(cost: 4)
        let hash = hasher.hash(Password("correct horse battery"))
        #expect(hash.hasPrefix("$2b$04$"))
        #expect(hash != hasher.hash(Password("correct horse battery")), "salted")
        #expect(hasher.verify(Password("correct horse battery"), hash: hash))
        #expect(!hasher.verify(Password("correct horse batterY"), hash: hash))
        #expect(!hasher.verify(Password("x"), hash: "not a hash"))
        // "é" composed and decomposed are the same password.
        let composed = hasher.hash(Password("caf\u{E9} au lait, merci"))
        #expect(hasher.verify(Password("cafe\u{301} au lait, merci"), hash: composed))
        #expect(!hasher.verifyDecoy())
    }

    @Test("a text longer than 72 bytes never matches, even when its first 72 bytes are the password")
    func noTruncation() throws {
        let hasher = try PasswordHasher(cost: 4)
        let password = String(repeating: "p", count: 72)
        let hash = hasher.hash(Password(password))
        #expect(hasher.verify(Password(password), hash: hash))
        #expect(!hasher.verify(Password(password + "extra"), hash: hash))
    }

    @Test("a cost outside 4…31 is refused")
    func cost() {
        #expect(throws: AccountError.invalidCost(3)) { try PasswordHasher(cost: 3) }
        #expect(throws: AccountError.invalidCost(32)) { try PasswordHasher(cost: 32) }
        #expect(PasswordHasher.defaultCost == 12)
    }
}

@Suite("Constant work for unknown accounts")
struct DecoyTimingTests {
    /// The fastest of three runs of `body`, in seconds.
    static func fastest(_ body: () -> Void) -> Double {
        (0..<3).map { _ in
            let start = ContinuousClock.now
            body()
            let elapsed = ContinuousClock.now - start
            return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        }.min()!
    }

    @Test("verifying the decoy costs about as much as verifying a real hash at the same cost")
    func sameWork() throws {
        let hasher = try PasswordHasher(cost: 9)
        #expect(hasher.decoyHash.hasPrefix("$2b$09$") && hasher.decoyHash.count == 60)
        let real = hasher.hash(Password("correct horse battery"))
        let verify = Self.fastest { _ = hasher.verify(Password("wrong horse battery"), hash: real) }
        let decoy = Self.fastest { _ = hasher.verifyDecoy() }
        let cheap = Self.fastest { _ = hasher.verify(Password("x"), hash: "$2b$04$" + String(real.suffix(53))) }
        #expect(decoy > verify * 0.4 && decoy < verify * 2.5, "decoy \(decoy) s, real \(verify) s")
        #expect(cheap < verify / 4, "the work follows the cost in the hash (cost 4: \(cheap) s)")
    }
}
