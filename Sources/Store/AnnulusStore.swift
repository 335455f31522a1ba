import Foundation
internal import GRDB

/// The Annulus database: the study index and the append-only annotation history, in one SQLite file.
///
/// Backed by a GRDB `DatabasePool` in WAL mode: reads never block, writes are serialised by SQLite's write
/// lock, which several processes may contend for (each waits up to `busyTimeout` seconds). Every write runs in
/// an immediate transaction. The API is synchronous and thread-safe; a call may block while another process
/// writes, so keep it off the main thread of an interactive program.
public final class AnnulusStore: Sendable {
    /// The database file.
    public let path: String
    /// How long a write waits for another connection's lock before failing, in seconds.
    public let busyTimeout: Double
    /// The GRDB pool: one writer connection and up to five readers.
    let pool: DatabasePool

    /// The default busy timeout: 15 seconds.
    public static let defaultBusyTimeout: Double = 15

    /// The database file's name inside the data folder.
    public static let fileName = "annulus.sqlite"

    /// `$ANNULUS_DATA/annulus.sqlite` when `ANNULUS_DATA` is set and not empty, else `./annulus-data/annulus.sqlite`.
    public static func defaultPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        guard let folder = environment["ANNULUS_DATA"], !folder.isEmpty else {
            return "./annulus-data/" + fileName
        }
        return folder.hasSuffix("/") ? folder + fileName : folder + "/" + fileName
    }

    /// Opens the database at `path`, creating its folder and the file when missing, and applies any migration
    /// it lacks.
    ///
    /// - Parameters:
    ///   - path: The SQLite file (see `defaultPath(environment:)`).
    ///   - busyTimeout: Seconds a write waits for another process's lock (default 15).
    public init(path: String, busyTimeout: Double = AnnulusStore.defaultBusyTimeout) throws(StoreError) {
        self.path = path
        self.busyTimeout = busyTimeout
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError.cannotCreateFolder(path: folder, reason: Self.reason(error))
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "annulus"
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB sets synchronous = NORMAL with WAL: a commit can then be lost on power failure. Signed
            // findings must survive it, so the writer syncs the WAL on every commit.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        } catch {
            throw Self.storeError(error, path: path, busyTimeout: busyTimeout, opening: true)
        }
        try migrate()
    }

    /// Applies unapplied migrations. Two processes opening a new file at once both try to migrate; the
    /// loser's migration fails (the tables exist) and is retried, which then finds nothing left to do.
    private func migrate() throws(StoreError) {
        let migrator = Schema.migrator
        let applied: Set<String>
        do {
            applied = try pool.read { db in try migrator.appliedIdentifiers(db) }
        } catch {
            throw Self.storeError(error, path: path, busyTimeout: busyTimeout, opening: true)
        }
        let unknown = applied.subtracting(Schema.migrationIdentifiers).sorted()
        guard unknown.isEmpty else { throw StoreError.newerSchema(path: path, unknownMigrations: unknown) }
        if applied.isSuperset(of: Schema.migrationIdentifiers) { return }

        var attempt = 0
        while true {
            attempt += 1
            do {
                try migrator.migrate(pool)
                return
            } catch {
                let completed = (try? pool.read { db in try migrator.hasCompletedMigrations(db) }) ?? false
                if completed { return }
                let mapped = Self.storeError(error, path: path, busyTimeout: busyTimeout, opening: false)
                if attempt > Schema.migrationIdentifiers.count {
                    guard case .database(_, let reason) = mapped else { throw mapped }
                    throw StoreError.migrationFailed(path: path, migration: nil, reason: reason)
                }
            }
        }
    }

    /// Runs `body` in a read transaction (a consistent snapshot).
    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.read(body)
        } catch {
            throw Self.storeError(error, path: path, busyTimeout: busyTimeout, opening: false)
        }
    }

    /// Runs `body` in an IMMEDIATE write transaction: the write lock is taken before the first read, so
    /// whatever `body` reads (the latest version number, the latest status) cannot change before it commits.
    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do {
            return try pool.writeWithoutTransaction { db in
                var result: T?
                try db.inTransaction(.immediate) {
                    result = try body(db)
                    return .commit
                }
                return result!
            }
        } catch {
            throw Self.storeError(error, path: path, busyTimeout: busyTimeout, opening: false)
        }
    }

    /// Executes raw SQL in a write transaction. For tests that check what the database itself refuses.
    func executeRawSQL(_ sql: String) throws(StoreError) {
        try write { db in try db.execute(sql: sql) }
    }

    /// Maps any error to a `StoreError` that names the file.
    static func storeError(_ error: any Error, path: String, busyTimeout: Double, opening: Bool) -> StoreError {
        if let error = error as? StoreError {
            if case .database("", let reason) = error { return .database(path: path, reason: reason) }
            return error
        }
        guard let error = error as? DatabaseError else {
            return .database(path: path, reason: reason(error))
        }
        let message = error.message ?? "SQLite error \(error.extendedResultCode.rawValue)"
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED:
            return .locked(path: path, seconds: busyTimeout)
        case .SQLITE_NOTADB, .SQLITE_CORRUPT:
            return .notADatabase(path: path, reason: message)
        case .SQLITE_READONLY:
            return .readOnly(path: path)
        case .SQLITE_FULL:
            return .diskFull(path: path)
        case .SQLITE_CANTOPEN, .SQLITE_PERM, .SQLITE_AUTH:
            return .cannotOpen(path: path, reason: message)
        default:
            return opening ? .cannotOpen(path: path, reason: message) : .database(path: path, reason: message)
        }
    }

    private static func reason(_ error: any Error) -> String {
        (error as? any LocalizedError)?.errorDescription ?? String(describing: error)
    }
}
