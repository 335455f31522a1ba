#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension LevelAnnotation {
    /// The annotation as compact JSON with sorted keys and unescaped slashes: the same value always gives the
    /// same bytes, so stored annotations can be compared and hashed.
    public func encodedJSON() -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(self)
        } catch {
            // Every value here encodes (strings, finite numbers, booleans); a failure is a programming error.
            preconditionFailure("LevelAnnotation failed to encode: \(error)")
        }
    }

    /// Reads an annotation from JSON and checks it as parsing does.
    ///
    /// - Throws: `SpineValidationError`: the vocabulary error itself for an unknown level or kind or a value that
    ///   fails the checks, or `malformed-data` (naming the JSON path) for JSON of the wrong shape.
    public static func decode(_ data: Data) throws(SpineValidationError) -> LevelAnnotation {
        do {
            return try JSONDecoder().decode(LevelAnnotation.self, from: data)
        } catch let error as SpineValidationError {
            throw error
        } catch let error as DecodingError {
            throw malformed(error)
        } catch {
            throw SpineValidationError(
                problem: .malformedData, field: nil, value: nil, message: "annotation JSON is not readable: \(error)"
            )
        }
    }

    /// A `malformed-data` error saying where the JSON went wrong.
    private static func malformed(_ error: DecodingError) -> SpineValidationError {
        let (path, detail): ([any CodingKey], String) =
            switch error {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                (context.codingPath, context.debugDescription)
            case .keyNotFound(let key, let context):
                (context.codingPath + [key], "missing")
            @unknown default:
                ([], String(describing: error))
            }
        let field = path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        return SpineValidationError(
            problem: .malformedData, field: field.isEmpty ? nil : field, value: nil,
            message: "annotation JSON is not valid" + (field.isEmpty ? "" : " at \(field)") + ": \(detail)"
        )
    }
}
