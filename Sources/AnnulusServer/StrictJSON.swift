import Foundation
import Hummingbird

/// Request bodies decoded strictly: a JSON object with no fields beyond `allowed` (a misspelt optional field
/// would otherwise be ignored silently), then the typed value; every refusal is a 400 naming the field.
enum StrictJSON {
    static func decode<T: Decodable>(
        _ type: T.Type, allowed: Set<String>, from request: Request, context: AnnulusRequestContext
    ) async throws -> T {
        var request = request
        let buffer = try await request.collectBody(upTo: context.maxUploadSize)
        let data = Data(buffer: buffer)
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw APIError(.badRequest, code: "bad-json", message: "the request body must be a JSON object")
        }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw APIError(
                .badRequest, code: "unknown-field", message: "unknown field '\(unknown)'", field: unknown,
                allowed: allowed.sorted())
        }
        do {
            return try JSONDecoder().decode(T.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw APIError(
                .badRequest, code: "missing-field", message: "the field '\(key.stringValue)' is required",
                field: key.stringValue)
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw APIError(
                .badRequest, code: "bad-type", message: "the field '\(field)' has the wrong type", field: field)
        } catch {
            throw APIError(.badRequest, code: "bad-json", message: "the request body is not the expected JSON")
        }
    }
}
