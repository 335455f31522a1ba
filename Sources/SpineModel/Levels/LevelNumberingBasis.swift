/// How the vertebrae were counted when a level was named; it matters for transitional anatomy, where "L5"
/// counted from C2 and "L5" counted up from the sacrum can be different vertebrae.
public enum LevelNumberingBasis: String, Codable, Sendable, Hashable, CaseIterable {
    /// Counted down from C2.
    case fromC2 = "from-C2"
    /// Counted up from the sacrum.
    case fromSacrum = "from-sacrum"
    /// Not known.
    case unknown

    /// Reads `from-C2`, `from C2`, `C2`, `from-sacrum`, `sacrum`, `unknown` (case and separators do not matter).
    /// - Throws: `SpineValidationError` (`bad-value`, field `numbering`) listing the accepted values.
    public static func parse(_ text: String) throws(SpineValidationError) -> LevelNumberingBasis {
        let key = text.lowercased().removingSeparators()
        switch key {
        case "fromc2", "c2", "fromtop", "cranial": return .fromC2
        case "fromsacrum", "sacrum", "frombottom", "caudal": return .fromSacrum
        case "unknown", "notknown": return .unknown
        default:
            let names = allCases.map(\.rawValue)
            let suggestion = NearMiss.suggest(text, among: names)
            let hint = suggestion.map { "; did you mean \($0)?" } ?? ";"
            throw SpineValidationError(
                problem: .badValue, field: "numbering", value: text, allowed: names, suggestion: suggestion,
                message: "\"\(text)\" is not a numbering basis\(hint) allowed: \(names.joined(separator: ", "))"
            )
        }
    }
}
