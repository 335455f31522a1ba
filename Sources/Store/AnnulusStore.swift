import Foundation

#if canImport(Glibc)
    import Glibc
#endif
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
    /// The file as counted among the stores this process has open (see `StoreFile.claim`).
    private let file: StoreFile.FileID

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

    /// Whether opening may create the store.
    public enum OpenMode: Sendable, Equatable {
        /// Create the store (its folder, the file and the schema) when nothing exists at the path; for the
        /// commands that fill it (`ingest`, `watch`). A file that exists is never taken for a new store: an
        /// empty or foreign file is refused as with `existingOnly`.
        case createIfMissing
        /// The store must exist: a missing path is `StoreError.missing`. For every command that reads or
        /// annotates.
        case existingOnly
        /// Like `existingOnly`, but the schema is not migrated (nothing is written): for `annulus check`, which
        /// must look at a possibly damaged store without changing it.
        case inspectOnly
    }

    /// Opens the store at `path`.
    ///
    /// A store is only ever created where nothing exists (`mode == .createIfMissing`), and it appears at
    /// `path` complete: it is built under a temporary name beside it and linked into place, so no process ever
    /// sees a half-made store, and an existing file is never turned into one. Whatever exists at `path` must
    /// be an annulus store: an empty file is `StoreError.emptyFile`, a file that is not SQLite or an SQLite
    /// database without the annulus schema is `StoreError.notADatabase`, damage is `StoreError.damaged`.
    /// Missing migrations are applied (except in `.inspectOnly`).
    ///
    /// - Parameters:
    ///   - path: The SQLite file (see `defaultPath(environment:)`).
    ///   - mode: Whether the store may be created (default `.createIfMissing`).
    ///   - busyTimeout: Seconds a write waits for another process's lock (default 15).
    public init(
        path: String, mode: OpenMode = .createIfMissing, busyTimeout: Double = AnnulusStore.defaultBusyTimeout
    ) throws(StoreError) {
        self.path = path
        self.busyTimeout = busyTimeout
        var configuration = Configuration()
        configuration.busyMode = .timeout(busyTimeout)
        configuration.foreignKeysEnabled = true
        configuration.label = "annulus"
        var claimed = try StoreFile.claim(path)
        if claimed == nil {
            guard mode == .createIfMissing else { throw StoreError.missing(path: path) }
            try Self.create(path: path, configuration: configuration, busyTimeout: busyTimeout)
            claimed = try StoreFile.claim(path)
        }
        guard let claimed else { throw StoreError.missing(path: path) }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            // GRDB sets synchronous = NORMAL with WAL: a commit can then be lost on power failure. Signed
            // findings must survive it, so the writer syncs the WAL on every commit.
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        } catch {
            StoreFile.release(claimed)
            throw Self.storeError(error, path: path, busyTimeout: busyTimeout, opening: true)
        }
        self.pool = pool
        file = claimed
        try requireSchema()
        if mode != .inspectOnly { try migrate() }
    }

    deinit {
        // The connections close before the file stops counting as open here (their locks must outlive any header
        // read of a store opened next).
        try? pool.close()
        StoreFile.release(file)
    }

    /// Builds a new store beside `path` and links it into place; when another process created one first, its
    /// store is kept and this one discarded.
    private static func create(path: String, configuration: Configuration, busyTimeout: Double) throws(StoreError) {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw StoreError.cannotCreateFolder(path: folder, reason: Self.reason(error))
        }
        let temporary = path + ".creating-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
        defer {
            for suffix in ["", "-wal", "-shm", "-journal"] { unlink(temporary + suffix) }
        }
        do {
            let pool = try DatabasePool(path: temporary, configuration: configuration)
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
            try Schema.migrator.migrate(pool)
            // Closing the last connection checkpoints the WAL into the file and removes it.
            try pool.close()
        } catch {
            throw Self.storeError(error, path: path, busyTimeout: busyTimeout, opening: true)
        }
        if link(temporary, path) == 0 { return }
        let code = errno
        if code == EEXIST { return }  // another process created the store first: use its
        throw StoreError.cannotOpen(path: path, reason: "cannot create the store: " + String(cString: strerror(code)))
    }

    /// Refuses an SQLite file that has no annulus schema (no migration recorded): an empty database, or one
    /// of another program. Such a file is never filled in, so a wrong path cannot become a store.
    private func requireSchema() throws(StoreError) {
        let tables: [String]
        do {
            tables = try pool.read { db in
                try String.fetchAll(
                    db,
                    sql:
                        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
                )
            }
        } catch {
            throw Self.storeError(error, path: path, busyTimeout: busyTimeout, opening: true)
        }
        guard !tables.contains("grdb_migrations") else { return }
        let reason =
            tables.isEmpty
            ? "an SQLite database with no tables, not an annulus store"
            : "an SQLite database of another program (tables: \(tables.prefix(5).joined(separator: ", "))"
                + (tables.count > 5 ? ", …" : "") + "), not an annulus store"
        throw StoreError.notADatabase(path: path, reason: reason)
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
            return .damaged(path: path, detail: message)
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
