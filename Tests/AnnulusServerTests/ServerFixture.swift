import Accounts
import AnnulusApp
import AnnulusServer
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Store
import SchemaTestSupport
import Testing

/// A data folder with SampleStudies ingested, one account per role (bcrypt cost 4), an integrator's API token, and
/// a server over it: the real store, use cases, accounts and routes.
final class ServerFixture {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let password = "correct horse battery"

    let root: String
    let dataFolder: DataFolder
    let store: AnnulusStore
    let server: AnnulusServer
    /// The integrator's API token.
    let token: String

    init(threads: Int = 2, queue: Int = 16, configure: (inout ServeOptions) -> Void = { _ in }) async throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-serve-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        dataFolder = DataFolder(path: root + "/data")
        store = try await Self.prepare(dataFolder)
        token = try APITokens(store: store).create(accountName: "ehr", label: "tests").token
        var options = ServeOptions()
        options.port = 0
        options.cpuThreads = threads
        options.maxQueued = queue
        configure(&options)
        server = try AnnulusServer(
            dataFolder: dataFolder, options: options, logger: Logger(label: "test"), passwordCost: 4)
    }

    /// Creates the store of `dataFolder`, ingests SampleStudies and makes one account per role (password
    /// `password`, bcrypt cost 4): dr.okafor (clinician), reader, ehr (integrator), admin.
    static func prepare(_ dataFolder: DataFolder) async throws -> AnnulusStore {
        let store = try dataFolder.openStore(creating: true)
        let useCases = UseCases(try AppEnvironment(store: store, dataFolder: dataFolder))
        let run = try await useCases.ingest([packageRoot + "/SampleStudies"], by: .cliUser("test"))
        #expect(run.report.failed.isEmpty)
        let directory = AccountDirectory(store: store, hasher: try PasswordHasher(cost: 4))
        for (name, role) in [
            ("dr.okafor", Role.clinician), ("reader", .reader), ("ehr", .integrator), ("admin", .admin),
        ] {
            _ = try directory.create(name: name, displayName: nil, role: role, password: Password(password))
        }
        return store
    }

    deinit {
        try? server.pool.syncShutdown()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The first study of SampleStudies and one of its instances.
    func sampleInstance() throws -> (study: String, instance: String) {
        let study = try #require(try store.studies().first { $0.modalities.contains("MR") })
        let series = try #require(try store.series(ofStudy: study.studyInstanceUID).first)
        let instance = try #require(try store.instances(ofSeries: series.seriesInstanceUID).first)
        return (study.studyInstanceUID, instance.sopInstanceUID)
    }

    /// Signs `name` in and returns the `Cookie` header value and the anti-CSRF token.
    static func signIn(_ client: some TestClientProtocol, _ name: String) async throws -> (cookie: String, csrf: String)
    {
        let body = ByteBuffer(string: #"{"name":"\#(name)","password":"\#(password)"}"#)
        return try await client.execute(uri: "/api/session", method: .post, body: body) { response in
            #expect(response.status == .ok)
            let setCookie = try #require(response.headers[.setCookie])
            let json = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            let csrf = try #require(json?["csrfToken"] as? String)
            return (String(setCookie.split(separator: ";")[0]), csrf)
        }
    }

    /// The audit rows written so far.
    func auditRows() throws -> [AuditRecord] { try AuditTrail(store: store).records() }
}

/// Validates JSON bodies against the OpenAPI document's component schemas with Python's jsonschema.
enum OpenAPISchemas {
    static let documentPath = ServerFixture.packageRoot + "/Sources/AnnulusServer/Resources/openapi.json"

    /// nil when `body` is valid against `#/components/schemas/<name>`, else the validator's report.
    static func problems(_ body: ByteBuffer, schema name: String) -> String? {
        do { return try validate(body, schema: name) } catch { return "cannot validate: \(error)" }
    }

    private static func validate(_ body: ByteBuffer, schema name: String) throws -> String? {
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: documentPath)))
        let components = try #require((document as? [String: Any])?["components"])
        let schema: [String: Any] = [
            "$schema": "https://json-schema.org/draft/2020-12/schema", "$ref": "#/components/schemas/\(name)",
            "components": components,
        ]
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("openapi-\(UUID().uuidString).json")
        try JSONSerialization.data(withJSONObject: schema).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        return SchemaValidator.problems(in: Data(buffer: body), schema: file.path, draft: "2020-12")
    }
}
