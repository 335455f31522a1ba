import Accounts
import AnnulusApp
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL
import ServiceLifecycle

/// How the server runs.
public struct ServeOptions: Sendable {
    /// The address to listen on.
    public var host = "127.0.0.1"
    /// The port (0: any free port).
    public var port = 8080
    /// Certificate chain and private key (PEM) for HTTPS; nil serves plain HTTP (behind a TLS proxy, or loopback).
    public var tls: (certificate: String, privateKey: String)?
    /// Mark the session cookie `Secure` (always under TLS; set it too behind a TLS-terminating proxy).
    public var secureCookies = false
    /// Threads of the CPU pool (decoding, rendering, bcrypt, SQLite).
    public var cpuThreads = max(2, ProcessInfo.processInfo.activeProcessorCount)
    /// Jobs that may wait for a pool thread before requests are refused with 503.
    public var maxQueued = 64
    /// The bearer token sent with deliveries and retried deliveries (`--token-file`), if any.
    public var deliveryToken: String?
    /// The FHIR endpoint `POST /api/studies/{studyUID}/deliveries` sends Bundles to (`--fhir-endpoint`); nil
    /// refuses such requests (`409 no-endpoint`).
    public var fhirEndpoint: URL?
    /// A delivery asked for over HTTP: one attempt, so the request does not wait out a backoff; one not accepted
    /// stays pending for `POST /api/deliveries/{id}/retry` or the retry loop.
    static let interactiveDelivery = DeliveryPolicy(maxAttempts: 1, firstBackoff: 1, timeout: 30)
    /// The most bytes the cache of rendered frames may hold (`--frame-cache-limit`); 0 caches nothing.
    public var frameCacheLimit = FrameCache.defaultLimit
    /// How long a browser session may sit without a request before it ends (`--session-idle`); the reading room
    /// signs out at the same time.
    public var sessionIdleTimeout: TimeInterval = 30 * 60
    /// Serve the reading room's files from this folder instead of the bundled ones (`--web-root`, for developing
    /// the page without rebuilding); nil serves the bundled files.
    public var webRoot: String?
    /// The largest part of a DICOMweb STOW-RS request (one instance), in bytes: past it the request is answered
    /// 413 at once.
    public var stowMaximumPartBytes: Int64 = 2 << 30
    /// The largest STOW-RS request body, in bytes (checked against Content-Length first, then while streaming).
    public var stowMaximumRequestBytes: Int64 = 16 << 30
    /// The most parts of one STOW-RS request.
    public var stowMaximumParts = 10_000
    /// The PACS `POST /api/pulls` fetches priors from (`--pacs`, `--pacs-ae`); nil answers such requests
    /// `409 no-pacs`.
    public var pull: PullSettings?
    /// Told the studies whose signed findings changed (`AppEnvironment.signedFindingsChanged`); nil: nobody.
    public var signedFindingsChanged: (@Sendable (Set<String>) -> Void)?

    /// Options with the defaults.
    public init() {}
}

/// The routes of the API over one set of use cases and accounts.
struct APIRoutes {
    let useCases: UseCases
    /// The network entrances' shared receive pipeline (DICOMweb STOW-RS hands its parts to it).
    let receiving: ReceiveQueue
    let accounts: ServerAccounts
    let pool: CPUPool
    let options: ServeOptions

    /// The router: middleware first (it is fixed when a route is added), then the routes.
    func router() throws -> Router<AnnulusRequestContext> {
        let router = Router(context: AnnulusRequestContext.self)
        router.add(middleware: RequestLogMiddleware())
        router.add(middleware: SecurityHeadersMiddleware())
        router.add(middleware: ErrorEnvelopeMiddleware())
        // The reading room's files answer what no route does (FileMiddleware acts on a route's 404).
        router.add(
            middleware: FileMiddleware(
                try WebAssets.root(override: options.webRoot),
                cacheControl: .init([(MediaType(type: .any), [.noCache])]),
                searchForIndexHtml: true))
        try addSystemRoutes(to: router)
        let api = router.group("api")
            .add(middleware: AuthenticationMiddleware(accounts: accounts))
        addSessionRoutes(to: api)
        addVocabularyRoutes(to: api)
        let audited = api.add(middleware: AuditMiddleware(accounts: accounts))
        addStudyRoutes(to: audited)
        addFrameRoutes(to: audited)
        addAnnotationRoutes(to: audited)
        addTriageRoutes(to: audited)
        addIntakeRoutes(to: audited)
        addDiscRoutes(to: audited)
        addExportRoutes(to: audited)
        addAuditRoutes(to: audited)
        addAccountRoutes(to: audited)
        // Fetching priors from PACS (issue 16).
        addPullRoutes(to: audited)
        let dicomweb = router.group("dicomweb")
            .add(middleware: AuthenticationMiddleware(accounts: accounts))
            .add(middleware: AuditMiddleware(accounts: accounts))
        addDICOMwebSearchRoutes(to: dicomweb)
        addDICOMwebRetrieveRoutes(to: dicomweb)
        addDICOMwebStoreRoutes(to: dicomweb)
        return router
    }
}

/// The pieces of a running server: the application (a Service) and the pool to shut down after it.
public struct AnnulusServer {
    /// The HTTP application.
    public let application: any ApplicationProtocol
    /// The CPU pool the use cases run their blocking work on.
    public let pool: CPUPool
    /// The routes as registered (method and path), for the API document's test.
    public let routes: [(method: String, path: String)]
    /// The use cases the routes call (the DICOM face calls the same).
    public let useCases: UseCases
    /// The receive pipeline every network entrance shares (STOW-RS here, the DICOM Storage SCP beside it); opened
    /// at start, which takes the objects an earlier run staged but never answered.
    public let receiving: ReceiveQueue

    /// Builds the server over the data folder's store: the use cases get the pool as their executor and the
    /// account-based signer policy.
    public init(
        dataFolder: DataFolder, options: ServeOptions, logger: Logger, passwordCost: Int = PasswordHasher.defaultCost
    ) throws {
        let pool = CPUPool(threads: options.cpuThreads, maxQueued: options.maxQueued)
        do {
            let store = try dataFolder.openStore()
            var environment = try AppEnvironment(
                store: store, dataFolder: dataFolder, logger: logger, executor: pool,
                signerPolicy: AccountSignerPolicy())
            environment.frameCacheLimit = options.frameCacheLimit
            environment.signedFindingsChanged = options.signedFindingsChanged
            let hasher = try PasswordHasher(cost: passwordCost)
            let accounts = ServerAccounts(
                directory: AccountDirectory(store: store, hasher: hasher),
                sessions: BrowserSessions(store: store, idleTimeout: options.sessionIdleTimeout),
                tokens: APITokens(store: store), audit: AuditTrail(store: store), limiter: SignInLimiterActor(),
                pool: pool)
            var options = options
            if options.tls != nil { options.secureCookies = true }
            let useCases = UseCases(environment)
            let receiving = try useCases.openReceiving()
            let routes = APIRoutes(
                useCases: useCases, receiving: receiving, accounts: accounts, pool: pool, options: options)
            let router = try routes.router()
            self.routes = router.routes.map { ($0.method.rawValue, $0.path.description) }
            let server: HTTPServerBuilder
            if let tls = options.tls {
                let chain = try NIOSSLCertificate.fromPEMFile(tls.certificate).map {
                    NIOSSLCertificateSource.certificate($0)
                }
                let key = try NIOSSLPrivateKey(file: tls.privateKey, format: .pem)
                var configuration = TLSConfiguration.makeServerConfiguration(
                    certificateChain: chain, privateKey: .privateKey(key))
                configuration.minimumTLSVersion = .tlsv12
                server = try .tls(.http1(), tlsConfiguration: configuration)
            } else {
                server = .http1()
            }
            // Hummingbird's own debug and trace lines carry decoding errors and unrecognised errors verbatim (which
            // may quote request content): its logger never goes below info, whatever the use cases log at.
            var httpLogger = logger
            if httpLogger.logLevel < .info { httpLogger.logLevel = .info }
            application = Application(
                router: router, server: server,
                configuration: .init(address: .hostname(options.host, port: options.port), serverName: nil),
                logger: httpLogger)
            self.pool = pool
            self.useCases = useCases
            self.receiving = receiving
        } catch {
            try? pool.threads.syncShutdownGracefully()
            throw error
        }
    }
}
