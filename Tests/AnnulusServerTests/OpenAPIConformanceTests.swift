import AnnulusServer
import Foundation
import Testing

/// The document in the repository is the contract: every route the server registers is in it, and every path and
/// method in it is served.
@Suite struct OpenAPIConformanceTests {
    @Test func routesAndDocumentAgree() async throws {
        let fixture = try await ServerFixture()
        let served = Set(fixture.server.routes.map { "\($0.method) \(Self.normalized($0.path))" })
        let document =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: OpenAPISchemas.documentPath))) as? [String: Any]
        let paths = try #require(document?["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, operations) in paths {
            for method in operations.keys where ["get", "post", "put", "patch", "delete"].contains(method) {
                documented.insert("\(method.uppercased()) \(path)")
            }
        }
        #expect(served.subtracting(documented).isEmpty, "served but not documented: \(served.subtracting(documented))")
        #expect(documented.subtracting(served).isEmpty, "documented but not served: \(documented.subtracting(served))")
        #expect(served.count >= 9)
    }

    /// `/api/studies/{studyUID}` whether Hummingbird prints `{name}` or `:name`, always with a leading slash.
    static func normalized(_ path: String) -> String {
        let parts = path.split(separator: "/").map { part in
            part.hasPrefix(":") ? "{\(part.dropFirst())}" : String(part)
        }
        return "/" + parts.joined(separator: "/")
    }
}
