/// The application's use cases over one environment: what the command line and the server both call.
///
/// Each use case is an `async` method that throws only `AppError`, grouped by subject in the files of this module
/// (annotations, signing, intake, triage, worklist, export and delivery, ingest, study completion, status). Those
/// that read or change patient data take the `Principal` performing them.
public struct UseCases: Sendable {
    /// The injected dependencies.
    public let environment: AppEnvironment
    /// The bounded cache of rendered frames under the data folder (scanned at its first use).
    public let frameCache: FrameCache

    /// Use cases over `environment`.
    public init(_ environment: AppEnvironment) {
        self.environment = environment
        frameCache = FrameCache(
            folder: environment.dataFolder.path + "/frame-cache", limit: environment.frameCacheLimit,
            logger: environment.logger)
    }

    /// Runs blocking work through the environment's executor; any error becomes an `AppError`.
    func perform<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws(AppError) -> T {
        do { return try await environment.executor.run(work) } catch { throw AppError(error) }
    }
}
