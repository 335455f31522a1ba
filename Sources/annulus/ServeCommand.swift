import Accounts
import AnnulusApp
import AnnulusServer
import ArgumentParser
import DicomNetwork
import Foundation
import Logging
import ServiceLifecycle
import Store

/// `annulus serve`: the HTTP API over the data folder (docs/api.md, docs/operations.md).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the JSON API (studies, rendered frames, sessions) over HTTP or HTTPS.",
        discussion: """
            Listens on 127.0.0.1:8080 unless --listen says otherwise. Sign in with an account made by \
            `annulus user add` (POST /api/session) or use an integrator's API token. SIGTERM or SIGINT stops \
            the server gracefully: requests in flight finish, then it exits 0. See docs/api.md and \
            docs/operations.md.
            """
    )

    @Option(help: ArgumentHelp("Address and port to listen on.", valueName: "host:port"))
    var listen = "127.0.0.1:8080"

    @Option(help: ArgumentHelp("PEM certificate chain: serve HTTPS (with --tls-key).", valueName: "file"))
    var tlsCertificate: String?

    @Option(help: ArgumentHelp("PEM private key of --tls-certificate.", valueName: "file"))
    var tlsKey: String?

    @Flag(help: "Mark the session cookie Secure without --tls-certificate (behind a TLS-terminating proxy).")
    var secureCookies = false

    @Option(help: ArgumentHelp("Threads for decoding, rendering and password checks.", valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp("Jobs that may wait for a thread before requests get 503.", valueName: "n"))
    var queue = 64

    @Option(
        help: ArgumentHelp(
            "Most disk space for cached rendered frames, e.g. 512M or 2G (least recently used go first; 0: no cache).",
            valueName: "size"))
    var frameCacheLimit = "1G"

    @Option(
        help: ArgumentHelp(
            "Also watch this radiology export folder (as `annulus watch DIR` with its defaults).", valueName: "dir"))
    var watch: String?

    @Option(
        help: ArgumentHelp(
            "Retry the outbox's pending deliveries every N seconds (default 0: no retry loop).", valueName: "seconds"))
    var retryDeliveriesEvery: Int = 0

    @Option(
        help: ArgumentHelp(
            "File holding the bearer token for deliveries (the retry loop, POST /api/deliveries/{id}/retry and "
                + "POST /api/studies/{uid}/deliveries).",
            valueName: "file"))
    var tokenFile: String?

    @Option(
        help: ArgumentHelp(
            "FHIR endpoint the reading room's hand-off delivers Bundles to (POST /api/studies/{uid}/deliveries).",
            valueName: "url"))
    var fhirEndpoint: String?

    @Option(
        help: ArgumentHelp(
            "Sign a browser out after this long without a request: 30m (default), 2h, 90s (10s to 12h).",
            valueName: "duration"))
    var sessionIdle = "30m"

    @Option(
        help: ArgumentHelp(
            "Serve the reading room's files from this folder instead of the built-in ones (for developing the page).",
            valueName: "dir"))
    var webRoot: String?

    @OptionGroup(title: "DICOM Storage SCP") var dicom: DicomOptions
    @OptionGroup(title: "Fetching priors from PACS, sending DICOM SR to it") var pacs: PACSOptions

    @Flag(
        help: ArgumentHelp(
            "Send a study's DICOM SR (findings report and key images) to the --pacs by C-STORE whenever its findings "
                + "are signed or a signed finding is retracted (pending sends are retried by the retry loop)."))
    var sendSrOnSign = false
    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        guard Self.parseListen(listen) != nil else {
            throw ValidationError("--listen must be HOST:PORT with a port from 0 to 65535 (got \(listen.terminalSafe))")
        }
        if (tlsCertificate == nil) != (tlsKey == nil) {
            throw ValidationError("give --tls-certificate and --tls-key together")
        }
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be 1 to 256") }
        if sendSrOnSign && pacs.pacs == nil {
            throw ValidationError("--send-sr-on-sign needs --pacs HOST:PORT --pacs-ae AE")
        }
        if !(0...100_000).contains(queue) { throw ValidationError("--queue must be 0 to 100000") }
        if FrameCache.byteCount(frameCacheLimit) == nil {
            throw ValidationError(
                "--frame-cache-limit must be a size such as 512M, 2G or 0 (got \(frameCacheLimit.terminalSafe))")
        }
        guard let idle = Self.parseDuration(sessionIdle), (10...43_200).contains(idle) else {
            throw ValidationError(
                "--session-idle must be a duration from 10s to 12h such as 30m, 2h or 90s (got \(sessionIdle.terminalSafe))"
            )
        }
        if let fhirEndpoint, URL(string: fhirEndpoint)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            throw ValidationError("--fhir-endpoint needs an http(s) URL (got '\(fhirEndpoint.terminalSafe)')")
        }
        if !(0...86_400).contains(retryDeliveriesEvery) {
            throw ValidationError("--retry-deliveries-every must be 0 (off) to 86400 seconds")
        }
    }

    /// Seconds of a duration written `90s`, `30m` or `2h` (a bare number is minutes), or nil.
    static func parseDuration(_ text: String) -> Int? {
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600]
        var digits = text.trimmingCharacters(in: .whitespaces).lowercased()
        var unit = 60
        if let last = digits.last, let factor = units[last] {
            unit = factor
            digits.removeLast()
        }
        guard !digits.isEmpty, digits.count <= 6, digits.allSatisfy(\.isASCII), let value = Int(digits), value >= 0
        else { return nil }
        return value * unit
    }

    /// `HOST:PORT` (IPv6 in brackets: `[::1]:8080`).
    static func parseListen(_ text: String) -> (host: String, port: Int)? {
        guard let colon = text.lastIndex(of: ":") else { return nil }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            return nil
        }
        return (host, port)
    }

    mutating func run() async throws {
        try global.bootstrap(defaultLevel: .info)
        var logger = Logger(label: "annulus.serve")
        logger.logLevel = .info
        var options = ServeOptions()
        let (host, port) = Self.parseListen(listen)!
        options.host = host
        options.port = port
        if let tlsCertificate, let tlsKey { options.tls = (tlsCertificate, tlsKey) }
        options.secureCookies = secureCookies || tlsCertificate != nil
        if let threads { options.cpuThreads = threads }
        options.maxQueued = queue
        options.frameCacheLimit = FrameCache.byteCount(frameCacheLimit)!
        options.deliveryToken = try TokenFile.token(from: tokenFile)
        options.fhirEndpoint = fhirEndpoint.flatMap { URL(string: $0) }
        options.sessionIdleTimeout = TimeInterval(Self.parseDuration(sessionIdle) ?? 1800)
        options.webRoot = webRoot
        options.pull = try pacs.settings(aeTitle: dicom.dicomAe)
        let destination = try pacs.destination(aeTitle: dicom.dicomAe)
        var handoff: StructuredReportHandoffService?
        if sendSrOnSign, let destination {
            let (service, notify) = StructuredReportHandoffService.make(
                useCases: try storeOptions.useCases(), destination: destination, policy: DeliveryPolicy(),
                logger: logger)
            handoff = service
            options.signedFindingsChanged = notify
        }
        // The watcher first: it creates the store of a new data folder, as `annulus watch` does.
        let watcher = try watch.map { try watcherService(folder: $0) }
        let server: AnnulusServer
        do {
            server = try AnnulusServer(dataFolder: storeOptions.folder, options: options, logger: logger)
        } catch let error as AppError {
            throw error
        } catch {
            throw RequestRefused("cannot start the server: \(String(describing: error).terminalSafe)")
        }
        let dicomReceiver: DicomReceiver?
        do {
            let trail = AuditTrail(store: server.useCases.environment.store)
            let auditLogger = logger
            dicomReceiver = try dicom.settings().map {
                try DicomReceiver(
                    settings: $0, receiving: server.receiving, logger: logger,
                    onAssociation: { Self.audit($0, in: trail, logger: auditLogger) })
            }
        } catch let error as DicomNetworkError {
            server.receiving.shutdown()
            throw RequestRefused("cannot start the DICOM port: \(error.description.terminalSafe)")
        }
        // Services stop in reverse order: the HTTP server first (in-flight requests finish), then the DICOM port
        // (associations in progress finish on their own processes), then the retry loop, then the watcher.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        if let watcher { services.append(.init(service: watcher)) }
        if retryDeliveriesEvery > 0 {
            let token = try TokenFile.token(from: tokenFile)
            services.append(
                .init(
                    service: DeliveryRetryService(
                        useCases: try storeOptions.useCases(), token: token, pacs: destination,
                        policy: DeliveryPolicy(),
                        interval: .seconds(retryDeliveriesEvery), logger: logger)))
        }
        if let handoff { services.append(.init(service: handoff)) }
        if let dicomReceiver {
            services.append(
                .init(
                    service: BlockingLoopService(
                        name: "dicom", body: { try dicomReceiver.run() }, stop: { dicomReceiver.stop() })))
        }
        services.append(.init(service: server.application, successTerminationBehavior: .gracefullyShutdownGroup))
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // In-flight requests get 8 s to finish; the process then exits within the 10 s an operator expects.
        configuration.maximumGracefulShutdownDuration = .seconds(8)
        let group = ServiceGroup(configuration: configuration)
        logger.info(
            "annulus serve on \(tlsCertificate == nil ? "http" : "https")://\(listen.terminalSafe) (data \(storeOptions.dataFolder.terminalSafe))"
        )
        try await group.run()
        // Objects still waiting are answered "send again later"; then nothing writes the store.
        server.receiving.shutdown()
        try await server.pool.shutdown()
        logger.info("stopped")
    }

    /// The export-folder watcher as a Service: `annulus watch DIR`'s defaults, study completion in a child process.
    private func watcherService(folder: String) throws -> BlockingLoopService {
        let request = WatchRequest(folder: folder)
        _ = try request.resolvedFolder()
        let useCases = try storeOptions.useCases(creating: true)
        let dataFolder = DataFolder(
            path: URL(fileURLWithPath: storeOptions.dataFolder).standardizedFileURL.resolvingSymlinksInPath().path)
        var arguments = [IsolatedStudyCompletion.ownExecutable(), "complete-study"]
        arguments += DataFolder.arguments(forStoreAt: useCases.environment.store.path)
        arguments += ["--previews-root", dataFolder.previews]
        let prepared = try useCases.prepareWatch(
            request, completion: IsolatedStudyCompletion(arguments: arguments, timeout: 1800))
        let watcher = prepared.watcher
        return BlockingLoopService(
            name: "watcher", body: { _ = try prepared.run() }, stop: { watcher.requestStop() })
    }

    /// One audit row per DICOM association: `dicom.association`, actor `dicom:<calling AE>`, the peer's address,
    /// the studies stored; a rejected association is `forbidden`, one that stored nothing it sent `failed`.
    private static func audit(_ association: AssociationSummary, in trail: AuditTrail, logger: Logger) {
        let outcome: AuditRecord.Outcome =
            !association.accepted ? .forbidden : association.refused > 0 ? .failed : .ok
        var detail = "called \(association.calledAETitle): "
        detail +=
            association.accepted
            ? "stored=\(association.stored) refused=\(association.refused), \(association.ending)"
            : "rejected, \(association.rejection ?? "no acceptable presentation context")"
        do {
            try trail.record(
                .dicomPeer(association.callingAETitle), action: "dicom.association", resourceType: "study",
                resourceIDs: association.studyInstanceUIDs, clientAddress: association.peer, outcome: outcome,
                detail: detail)
        } catch {
            logger.error("cannot write the audit row of a DICOM association", metadata: ["error": "\(error)"])
        }
    }
}
