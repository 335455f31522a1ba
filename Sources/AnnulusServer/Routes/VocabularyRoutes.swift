import Hummingbird
import SpineModel

/// The clinical vocabulary, generated from SpineModel's field descriptions so that forms never drift from the
/// validator.
struct VocabularyJSON: ResponseEncodable {
    struct Field: Encodable {
        var name: String
        var required: Bool
        var help: String
        /// `oneOf`, `setOf`, `yesNo`, `number` or `text`.
        var type: String
        var allowed: [String]?
        var minimum: Double?
        var maximum: Double?
        var unit: String?
        var wholeNumber: Bool?
        var maxLength: Int?

        init(_ spec: FieldSpec) {
            name = spec.name
            required = spec.isRequired
            help = spec.help
            switch spec.values {
            case .oneOf(let words):
                type = "oneOf"
                allowed = words
            case .setOf(let words):
                type = "setOf"
                allowed = words
            case .yesNo:
                type = "yesNo"
                allowed = ["yes", "no"]
            case .number(let range, let unit, let whole):
                type = "number"
                minimum = range.lowerBound
                maximum = range.upperBound
                self.unit = unit
                wholeNumber = whole
            case .text(let length):
                type = "text"
                maxLength = length
            }
        }
    }
    struct Kind: Encodable {
        var kind: String
        var fields: [Field]
    }
    var levels: [String]
    var numberingBases: [String]
    var findingKinds: [Kind]

    static let current = VocabularyJSON(
        levels: DiscLevel.allCases.map(\.rawValue), numberingBases: LevelNumberingBasis.allCases.map(\.rawValue),
        findingKinds: FindingKind.allCases.map { Kind(kind: $0.rawValue, fields: $0.fieldSpecs.map(Field.init)) })
}

extension APIRoutes {
    /// `GET /api/vocabulary`: any signed-in account (no patient data).
    func addVocabularyRoutes(to api: RouterGroup<AnnulusRequestContext>) {
        api.get("vocabulary") { _, context -> VocabularyJSON in
            guard context.caller != nil else {
                throw APIError(.unauthorized, code: "unauthenticated", message: "sign in first")
            }
            return VocabularyJSON.current
        }
    }
}
