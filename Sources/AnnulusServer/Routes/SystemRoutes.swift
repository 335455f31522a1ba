import Foundation
import Hummingbird
import NIOCore

/// `GET /health`: the server is up and how busy its pool is (no authentication, no patient data).
struct HealthJSON: ResponseEncodable {
    var status: String
    var version: String
    var running: Int
    var queued: Int
}

/// The OpenAPI document bundled with the server.
public enum OpenAPIDocument {
    /// The document's bytes (Sources/AnnulusServer/Resources/openapi.json).
    public static func data() throws -> Data {
        guard let url = Bundle.module.url(forResource: "openapi", withExtension: "json") else {
            throw APIError(.internalServerError, code: "internal", message: "openapi.json is missing from the build")
        }
        return try Data(contentsOf: url)
    }
}

extension APIRoutes {
    /// `GET /health` and `GET /openapi.json`.
    func addSystemRoutes(to router: Router<AnnulusRequestContext>) throws {
        let pool = self.pool
        let version = useCases.environment.softwareVersion
        router.get("health") { _, _ -> HealthJSON in
            let now = await pool.limiter.snapshot
            return HealthJSON(status: "ok", version: version, running: now.running, queued: now.queued)
        }
        let document = try OpenAPIDocument.data()
        router.get("openapi.json") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/json", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(bytes: document)))
        }
    }
}
