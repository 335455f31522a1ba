import HummingbirdBcrypt

/// bcrypt hashing and verification of passwords (hummingbird-auth's HummingbirdBcrypt, `$2b$` hashes).
///
/// Both calls are synchronous and CPU-bound (about 0.2 s each at cost 12 on this machine kind): a server runs them
/// on a thread pool, never on its event loops.
public struct PasswordHasher: Sendable {
    /// The default work factor: 2^12 rounds.
    public static let defaultCost = 12

    /// The work factor (4…31); 12 in production, 4 in tests.
    public let cost: Int

    /// A well-formed bcrypt hash at `cost` that no password matches (a zero salt and a random digest), verified
    /// against when an account does not exist or is disabled, so a sign-in does the same work whether or not the
    /// name is known. Built without hashing: making a hasher costs nothing.
    let decoyHash: String

    /// Creates a hasher; throws `AccountError.invalidCost` outside 4…31.
    public init(cost: Int = PasswordHasher.defaultCost) throws(AccountError) {
        guard (4...31).contains(cost) else { throw AccountError.invalidCost(cost) }
        self.cost = cost
        let alphabet = Array("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        let digest = String((0..<31).map { _ in alphabet[Int.random(in: 0..<alphabet.count)] })
        let costText = cost < 10 ? "0\(cost)" : "\(cost)"
        decoyHash = "$2b$" + costText + "$" + String(repeating: ".", count: 22) + digest
    }

    /// The bcrypt hash of `password`. Check it with `PasswordPolicy` first: bcrypt ignores bytes after the 72nd.
    public func hash(_ password: Password) -> String {
        Bcrypt.hash(password.text, cost: UInt8(cost))
    }

    /// Whether `password` matches `hash`; false for a malformed hash.
    public func verify(_ password: Password, hash: String) -> Bool {
        guard password.byteCount <= PasswordPolicy.maximumBytes, !password.text.utf8.contains(0) else {
            // Never truncated silently: a longer text is not the password that was set.
            return verifyDecoy()
        }
        return Bcrypt.verify(password.text, hash: hash)
    }

    /// Does the work of one verification and returns false: for unknown or disabled accounts.
    /// bcrypt's work does not depend on the password's length, so the decoy text is fixed.
    public func verifyDecoy() -> Bool {
        _ = Bcrypt.verify("decoy password text", hash: decoyHash)
        return false
    }
}
