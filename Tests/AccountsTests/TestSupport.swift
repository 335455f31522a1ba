import Foundation
import Synchronization

@testable import Accounts
@testable import Store

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = Date(timeIntervalSince1970: 1_780_000_000)) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }

    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }

    /// The clock as the services take it.
    var function: @Sendable () -> Date { { [self] in self.now } }
}

/// A fresh store in a temporary folder with the account services over it (bcrypt cost 4), removed afterwards.
struct AccountsFixture {
    let folder: String
    let store: AnnulusStore
    let clock = TestClock()
    let hasher: PasswordHasher

    init() throws {
        folder =
            FileManager.default.temporaryDirectory.appendingPathComponent("annulus-accounts-\(UUID().uuidString)")
            .path
        store = try AnnulusStore(path: folder + "/annulus.sqlite")
        hasher = try PasswordHasher(cost: 4)
    }

    var directory: AccountDirectory { AccountDirectory(store: store, hasher: hasher, clock: clock.function) }
    var tokens: APITokens { APITokens(store: store, clock: clock.function) }
    var sessions: BrowserSessions { BrowserSessions(store: store, clock: clock.function) }
    var audit: AuditTrail { AuditTrail(store: store, clock: clock.function) }

    /// Adds an account with a valid password.
    @discardableResult
    func add(_ name: String, _ role: Role, password: String = "correct horse battery") throws -> Account {
        try directory.create(name: name, displayName: nil, role: role, password: Password(password))
    }

    /// Every byte of the database files (main file and WAL), to look for secrets stored in clear.
    func databaseBytes() throws -> Data {
        var data = Data()
        for suffix in ["", "-wal"] {
            if let part = FileManager.default.contents(atPath: store.path + suffix) { data.append(part) }
        }
        return data
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }
}
