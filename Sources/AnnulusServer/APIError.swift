import AnnulusApp
import Foundation
import Hummingbird
import NIOCore

/// An error answered as `{"error": {"code", "message", "field"?, "value"?, "allowed"?, "suggestion"?}}`.
public struct APIError: HTTPResponseError, Sendable {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// A stable machine-readable code.
    public var code: String
    /// What is wrong and what to do.
    public var message: String
    /// The request field concerned.
    public var field: String?
    /// The value given.
    public var value: String?
    /// The accepted values.
    public var allowed: [String]
    /// The accepted value most likely meant.
    public var suggestion: String?
    /// Extra response headers (e.g. `Retry-After`).
    public var headers: HTTPFields

    /// Creates an error.
    public init(
        _ status: HTTPResponse.Status, code: String, message: String, field: String? = nil, value: String? = nil,
        allowed: [String] = [], suggestion: String? = nil, headers: HTTPFields = [:]
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.field = field
        self.value = value
        self.allowed = allowed
        self.suggestion = suggestion
        self.headers = headers
    }

    /// The HTTP face of a use case's error: invalid input 400, not found 404,
    /// conflict 409, forbidden 403, unavailable 503 (with `Retry-After` when busy), internal 500.
    public init(_ error: AppError) {
        let status: HTTPResponse.Status =
            switch error.kind {
            case .invalidInput: .badRequest
            case .notFound: .notFound
            case .conflict: .conflict
            case .forbidden: .forbidden
            case .unavailable: .serviceUnavailable
            case .internal: .internalServerError
            }
        self.init(
            status, code: error.code, message: error.message, field: error.field, value: error.value,
            allowed: error.allowed, suggestion: error.suggestion,
            headers: error.kind == .unavailable ? [.retryAfter: "1"] : [:])
    }

    struct Envelope: Encodable {
        struct Body: Encodable {
            var code: String
            var message: String
            var field: String?
            var value: String?
            var allowed: [String]?
            var suggestion: String?
        }
        var error: Body
    }

    /// The JSON body and headers.
    public func response(from request: Request, context: some RequestContext) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = Envelope.Body(
            code: code, message: message, field: field, value: value, allowed: allowed.isEmpty ? nil : allowed,
            suggestion: suggestion)
        let data = try encoder.encode(Envelope(error: body))
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
