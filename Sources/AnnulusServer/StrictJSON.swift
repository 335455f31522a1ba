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
        } catch let error as APIError {
            throw error
        } catch let DecodingError.keyNotFound(key, context) {
            let field = path(context.codingPath + [key])
            throw APIError(
                .badRequest, code: "missing-field", message: "the field '\(field)' is required", field: field)
        } catch let DecodingError.typeMismatch(_, context) {
            let field = path(context.codingPath)
            throw APIError(
                .badRequest, code: "bad-type", message: "the field '\(field)' has the wrong type", field: field)
        } catch {
            throw APIError(.badRequest, code: "bad-json", message: "the request body is not the expected JSON")
        }
    }

    /// Refuses a key of the object being decoded that is not in `allowed` (`unknown-field`, naming its path, e.g.
    /// `labels[0].anchor.frme`): nested objects of a body are as strict as the body itself.
    static func refuseUnknownKeys(_ decoder: any Decoder, allowed: Set<String>) throws {
        let container = try decoder.container(keyedBy: AnyKey.self)
        guard let unknown = container.allKeys.map(\.stringValue).sorted().first(where: { !allowed.contains($0) })
        else { return }
        let field = path(decoder.codingPath + [AnyKey(stringValue: unknown)])
        throw APIError(
            .badRequest, code: "unknown-field", message: "unknown field '\(field)'", field: field,
            allowed: allowed.sorted())
    }

    /// A coding path as a field name: `labels[0].anchor.points`.
    static func path(_ codingPath: [any CodingKey]) -> String {
        codingPath.reduce(into: "") { text, key in
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += (text.isEmpty ? "" : ".") + key.stringValue
            }
        }
    }

    /// Any key of a JSON object.
    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
