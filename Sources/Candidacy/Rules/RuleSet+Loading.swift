import Foundation
import TextSafety

extension RuleSet {
    /// The rule set shipped with Annulus (`Resources/default-rules.json`).
    ///
    /// The bundled file is checked by the tests; a broken one stops the program with the validation errors.
    public static let `default`: RuleSet = {
        do {
            return try bundled()
        } catch {
            fatalError("\(error)")
        }
    }()

    /// Reads and validates the bundled default rule file.
    public static func bundled() throws(RuleFileError) -> RuleSet {
        guard let url = Bundle.module.url(forResource: "default-rules", withExtension: "json"),
            let data = try? Data(contentsOf: url)
        else {
            throw RuleFileError(
                source: "default rules",
                problems: [.init(rule: nil, message: "the bundled default-rules.json is missing")])
        }
        return try decode(data: data, source: "default rules")
    }

    /// The largest rule file accepted: 4 MiB (the bundled rules are under 20 KiB).
    public static let fileLimit = 4 * BoundedFile.mebibyte

    /// Reads and validates a clinic's rule file (`--rules FILE`): a regular file of at most `fileLimit` bytes.
    public static func load(path: String) throws(RuleFileError) -> RuleSet {
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path: path, limit: fileLimit, what: "rule file")
        } catch {
            throw RuleFileError(source: path, problems: [.init(rule: nil, message: error.description)])
        }
        return try decode(data: Data(bytes), source: path)
    }

    /// Reads and validates rule-file JSON; `source` names it in errors.
    public static func decode(data: Data, source: String) throws(RuleFileError) -> RuleSet {
        let json: JSONValue
        do {
            json = try JSONDecoder().decode(JSONValue.self, from: data)
        } catch {
            throw RuleFileError(source: source, problems: [.init(rule: nil, message: "not valid JSON: \(error)")])
        }
        var parser = RuleFileParser()
        guard let rules = parser.parse(json), parser.problems.isEmpty else {
            throw RuleFileError(source: source, problems: parser.problems)
        }
        return rules
    }
}
