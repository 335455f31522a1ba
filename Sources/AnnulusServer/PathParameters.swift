import Accounts
import Hummingbird

/// Validation of path and query parameters before anything else sees them.
enum Parameters {
    /// A DICOM UID: digits and dots, 1...64 characters, no empty component, no leading zero in a component.
    static func isUID(_ text: String) -> Bool {
        guard !text.isEmpty, text.utf8.count <= 64 else { return false }
        let components = text.split(separator: ".", omittingEmptySubsequences: false)
        return components.allSatisfy { component in
            !component.isEmpty && component.utf8.allSatisfy { (0x30...0x39).contains($0) }
                && (component == "0" || component.first != "0")
        }
    }

    /// The UID in path parameter `name`, or a 400 naming it.
    static func uid(_ name: String, _ context: some RequestContext) throws -> String {
        let text = context.parameters.get(name) ?? ""
        guard isUID(text) else {
            throw APIError(
                .badRequest, code: "bad-uid",
                message: "\(name) must be a DICOM UID (digits and dots, at most 64 characters)", field: name)
        }
        return text
    }

    /// A non-negative integer path parameter (at most 9 digits), or a 400 naming it.
    static func index(_ name: String, _ context: some RequestContext) throws -> Int {
        let text = context.parameters.get(name) ?? ""
        guard !text.isEmpty, text.utf8.count <= 9, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
            let value = Int(text)
        else {
            throw APIError(
                .badRequest, code: "bad-parameter", message: "\(name) must be a non-negative integer", field: name)
        }
        return value
    }

    /// An account name path parameter, normalized (lower-case) by the accounts' own rule, or a 400 naming it.
    static func accountName(_ context: some RequestContext) throws -> String {
        let text = context.parameters.get("accountName") ?? ""
        do { return try AccountName.normalized(text) } catch {
            throw APIError(
                .badRequest, code: "bad-account-name", message: "accountName: \(error)", field: "accountName")
        }
    }

    /// An annotation id: a lower-case UUID (36 characters; the API takes whole ids, not the CLI's prefixes).
    static func annotationID(_ context: some RequestContext) throws -> String {
        try uuid("annotationID", context)
    }

    /// A lower-case UUID path parameter (annotation and delivery ids), or a 400 naming it.
    static func uuid(_ name: String, _ context: some RequestContext) throws -> String {
        let text = context.parameters.get(name) ?? ""
        let hex = text.utf8.filter { $0 != 0x2D }
        guard text.utf8.count == 36, hex.count == 32,
            hex.allSatisfy({ (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }),
            text.split(separator: "-", omittingEmptySubsequences: false).map(\.count) == [8, 4, 4, 4, 12]
        else {
            throw APIError(
                .badRequest, code: "bad-id",
                message: "\(name) must be a whole id (a lower-case UUID, 36 characters)", field: name)
        }
        return text
    }

    /// An optional boolean query parameter (`true` or `false`), or a 400 naming it.
    static func queryBool(_ name: String, _ request: Request) throws -> Bool? {
        guard let text = request.uri.queryParameters[name[...]] else { return nil }
        switch text {
        case "true": return true
        case "false": return false
        default:
            throw APIError(
                .badRequest, code: "bad-parameter", message: "\(name) must be true or false", field: name,
                allowed: ["true", "false"])
        }
    }

    /// An optional integer query parameter, or a 400 naming it.
    static func queryInt(_ name: String, _ request: Request) throws -> Int? {
        guard let text = request.uri.queryParameters[name[...]] else { return nil }
        guard let value = Int(text), text.utf8.count <= 9 else {
            throw APIError(.badRequest, code: "bad-parameter", message: "\(name) must be an integer", field: name)
        }
        return value
    }

    /// An optional string query parameter of at most `maxLength` characters.
    static func queryString(_ name: String, _ request: Request, maxLength: Int = 128) throws -> String? {
        guard let text = request.uri.queryParameters[name[...]] else { return nil }
        guard text.utf8.count <= maxLength else {
            throw APIError(
                .badRequest, code: "bad-parameter", message: "\(name) is longer than \(maxLength) characters",
                field: name)
        }
        return String(text)
    }
}
