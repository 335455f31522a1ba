import Accounts
import AnnulusApp
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

extension APIRoutes {
    /// DICOMweb (PS3.18) under `/dicomweb`: QIDO-RS searches here, WADO-RS retrieval in `DICOMwebRetrieveRoutes`,
    /// STOW-RS in `DICOMwebStoreRoutes`. The same accounts, tokens, permissions and audit as `/api`.
    func addDICOMwebSearchRoutes(to web: RouterGroup<AnnulusRequestContext>) {
        let app = useCases
        let tls = options.tls != nil
        func search(_ level: QIDOLevel, _ scope: @escaping @Sendable (AnnulusRequestContext) throws -> QIDOScope)
            -> @Sendable (Request, AnnulusRequestContext) async throws -> Response
        {
            { request, context in
                let principal = try context.require(.viewStudies).principal
                try DICOMweb.requireAccept(request, ["application/dicom+json", "application/json"])
                let query = try QIDOQuery.parse(level: level, parameters: try DICOMweb.queryParameters(request))
                let result = try await app.searchDICOMweb(
                    query, in: try scope(context), baseURL: DICOMweb.baseURL(request, tls: tls), by: principal)
                var headers: HTTPFields = [.contentType: dicomJSONMediaType]
                if result.hasMore || query.limitCapped {
                    headers[DICOMweb.warning] =
                        "299 annulus \"There are additional results that can be requested (at most "
                        + "\(QIDOQuery.maximumLimit) per answer): ask again with offset\""
                }
                return try DICOMweb.json(result.objects, headers: headers)
            }
        }
        web.get("studies", use: search(.study) { _ in QIDOScope() })
        web.get("series", use: search(.series) { _ in QIDOScope() })
        web.get(
            "studies/:studyUID/series",
            use: search(.series) { QIDOScope(studyUID: try Parameters.uid("studyUID", $0)) })
        web.get(
            "studies/:studyUID/instances",
            use: search(.instance) { QIDOScope(studyUID: try Parameters.uid("studyUID", $0)) })
        web.get(
            "studies/:studyUID/series/:seriesUID/instances",
            use: search(.instance) {
                QIDOScope(studyUID: try Parameters.uid("studyUID", $0), seriesUID: try Parameters.uid("seriesUID", $0))
            })
    }
}

/// What the DICOMweb routes share: query parsing, content negotiation, base URLs, DICOM JSON bodies.
enum DICOMweb {
    /// The `Warning` header (RFC 7234 5.5; PS3.18 8.3.4.? uses code 299).
    static let warning = HTTPField.Name("Warning")!

    /// The query's parameters in order: `+` is a space, then percent-decoded (names and values).
    static func queryParameters(_ request: Request) throws -> [(name: String, value: String)] {
        guard let query = request.uri.query, !query.isEmpty else { return [] }
        guard query.utf8.count <= 16 * 1024 else {
            throw APIError(.badRequest, code: "bad-query", message: "the query is longer than 16 KiB")
        }
        return try query.split(separator: "&").map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) throws -> String {
                guard let decoded = text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding else {
                    throw APIError(
                        .badRequest, code: "bad-query", message: "the query holds a malformed percent-encoding")
                }
                return decoded
            }
            return (try decode(parts[0]), parts.count > 1 ? try decode(parts[1]) : "")
        }
    }

    /// Refuses (406) a request whose `Accept` names none of `types` (nor `*/*`, nor the types' `type/*`).
    static func requireAccept(_ request: Request, _ types: [String]) throws {
        guard let accept = request.headers[.accept], !accept.isEmpty else { return }
        let offered = accept.split(separator: ",").map {
            $0.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased()
        }
        let acceptable = Set(types + ["*/*"] + types.map { String($0.split(separator: "/")[0]) + "/*" })
        guard offered.contains(where: acceptable.contains) else {
            throw APIError(
                .notAcceptable, code: "not-acceptable",
                message: "this resource is answered as \(types.joined(separator: " or ")); the Accept header asks for "
                    + "none of them", field: "Accept", allowed: types)
        }
    }

    /// The service root as the client reached it: the scheme the server runs, the `Host` the client sent when it is a
    /// plain host name or address with an optional port, and `/dicomweb`; without a usable `Host`, the root path.
    static func baseURL(_ request: Request, tls: Bool) -> String {
        let host = request.head.authority ?? ""
        let allowed = host.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || [0x2D, 0x2E, 0x3A, 0x5B, 0x5D].contains(byte)
        }
        guard !host.isEmpty, host.utf8.count <= 255, allowed else { return "/dicomweb" }
        return (tls ? "https://" : "http://") + host + "/dicomweb"
    }

    /// A DICOM JSON body (`application/dicom+json` exactly: dicomweb-client reads nothing else).
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws
        -> Response
    {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        var headers = headers
        headers[.contentType] = dicomJSONMediaType
        headers[.contentLength] = String(data.count)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
