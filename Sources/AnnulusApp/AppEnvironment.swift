import Candidacy
import DicomIO
import Foundation
import Logging
import Store

/// Everything the use cases depend on, injected by the face that runs them (the command line, the server): the
/// store, the rule set, the clock, the logger, the data folder's locations, the bounds for reading files from
/// outside, where blocking work runs, and who may sign.
public struct AppEnvironment: Sendable {
    /// The open store.
    public var store: AnnulusStore
    /// The candidacy rules (the bundled ones, or a clinic's file).
    public var rules: RuleSet
    /// The current time (exports and deliveries read it; the store stamps its own rows).
    public var clock: @Sendable () -> Date
    /// Where the use cases log (never a patient's name or ID).
    public var logger: Logger
    /// The data folder: the store, previews, outbox.
    public var dataFolder: DataFolder
    /// Bounds for reading DICOM files (nesting, image memory, decoder isolation and timeout).
    public var readOptions: DicomReadOptions
    /// Where blocking work (SQLite, file reading and writing, decoding) runs.
    public var executor: any BlockingExecutor
    /// Who may sign, and under which name.
    public var signerPolicy: any SignerPolicy
    /// Annulus's version, as exports and provenance report it.
    public var softwareVersion: String
    /// The most bytes the cache of rendered frames (`<data>/frame-cache`) may hold; 0 caches nothing. Read when the
    /// use cases are made.
    public var frameCacheLimit: Int64 = FrameCache.defaultLimit
    /// Told the studies whose signed findings changed (findings signed, a finding retracted) after the change is
    /// stored: the server sends their DICOM SR to PACS from it (`annulus serve --send-sr-on-sign`). Must not block.
    public var signedFindingsChanged: (@Sendable (_ studyUIDs: Set<String>) -> Void)?

    /// Creates an environment; every dependency but the store and the data folder has a default.
    public init(
        store: AnnulusStore, dataFolder: DataFolder, rules: RuleSet? = nil,
        clock: @escaping @Sendable () -> Date = {
            Date()
        }, logger: Logger = Logger(label: "annulus.app"), readOptions: DicomReadOptions = DicomReadOptions(),
        executor: any BlockingExecutor = CallerExecutor(), signerPolicy: any SignerPolicy = NamedPrincipalSigns(),
        softwareVersion: String = AnnulusVersion.current
    ) throws(AppError) {
        self.store = store
        self.dataFolder = dataFolder
        do { self.rules = try rules ?? RuleSet.bundled() } catch { throw AppError(error) }
        self.clock = clock
        self.logger = logger
        self.readOptions = readOptions
        self.executor = executor
        self.signerPolicy = signerPolicy
        self.softwareVersion = softwareVersion
    }

    /// The rule set at `path` (a clinic's rule file), or the bundled rules when `path` is nil. A file that cannot
    /// be used is invalid input naming every problem (`field` "rules").
    public static func loadRules(path: String?) throws(AppError) -> RuleSet {
        do { return try path.map { try RuleSet.load(path: $0) } ?? RuleSet.bundled() } catch { throw AppError(error) }
    }
}

/// The version Annulus reports in exports and provenance.
public enum AnnulusVersion {
    /// The current version.
    public static let current = "0.4.0"
}

/// Runs blocking work (SQLite, files, decoding) for an async use case. A server injects one that keeps such work
/// off its event loops, on a bounded pool; the command line runs it on the caller's task.
public protocol BlockingExecutor: Sendable {
    /// Runs `work` and returns its result or rethrows its error.
    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T
}

/// Runs the work on the calling task: right for the command line, which does one thing at a time.
public struct CallerExecutor: BlockingExecutor {
    /// Creates the executor.
    public init() {}

    /// Runs `work` at once.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try work()
    }
}
