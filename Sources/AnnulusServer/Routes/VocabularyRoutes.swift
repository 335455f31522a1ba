import Candidacy
import Hummingbird
import SpineModel

/// The clinical vocabulary, generated from SpineModel's field descriptions and the intake's field descriptions
/// (Candidacy) so that forms never drift from the validator.
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
        var title: String
        /// The rule file's level facts its records inform (docs/rules.md).
        var facts: [String]
        var fields: [Field]

        init(_ kind: FindingKind) {
            self.kind = kind.rawValue
            title = kind.title
            facts = FactCatalog.levelFacts(informedBy: kind)
            fields = kind.fieldSpecs.map(Field.init)
        }
    }
    /// One intake field (`Intake.fieldSpecs`): the `key=value` key, its values, and the facts it informs.
    struct IntakeField: Encodable {
        struct Scale: Encodable {
            var scale: String
            var maximum: Double
        }
        var key: String
        var label: String
        var group: String
        var help: String
        /// `oneOf`, `yesNo`, `number`, `painScore`, `questionnaire`, `care` or `priorSurgery`.
        var type: String
        var allowed: [String]?
        var minimum: Double?
        var maximum: Double?
        var unit: String?
        var wholeNumber: Bool?
        var scales: [Scale]?
        var items: Int?
        var itemMaximum: Int?
        var itemsDocument: String?
        var levels: [String]?
        var maxAttempts: Int?
        var document: String
        var facts: [String]

        init(_ spec: IntakeFieldSpec) {
            key = spec.key
            label = spec.label
            group = spec.group
            help = spec.help
            document = spec.document
            facts = spec.facts
            switch spec.values {
            case .oneOf(let words):
                type = "oneOf"
                allowed = words
            case .yesNo:
                type = "yesNo"
                allowed = ["yes", "no"]
            case .number(let range, let unit, let whole):
                type = "number"
                (minimum, maximum, self.unit, wholeNumber) = (range.lowerBound, range.upperBound, unit, whole)
            case .painScore(let scales):
                type = "painScore"
                self.scales = scales.map { Scale(scale: $0.rawValue, maximum: $0.maximum) }
            case .questionnaire(let total, let items, let itemMaximum, let itemsDocument):
                type = "questionnaire"
                (minimum, maximum, unit) = (total.lowerBound, total.upperBound, "%")
                (self.items, self.itemMaximum, self.itemsDocument) = (items, itemMaximum, itemsDocument)
            case .care(let kinds, let weeks, let maxAttempts):
                type = "care"
                (allowed, minimum, maximum, unit) = (kinds, weeks.lowerBound, weeks.upperBound, "weeks")
                self.maxAttempts = maxAttempts
            case .priorSurgery(let kinds, let levels):
                type = "priorSurgery"
                (allowed, self.levels) = (kinds, levels)
            }
        }
    }
    var levels: [String]
    var numberingBases: [String]
    var findingKinds: [Kind]
    var intakeFields: [IntakeField]

    static let current = VocabularyJSON(
        levels: DiscLevel.allCases.map(\.rawValue), numberingBases: LevelNumberingBasis.allCases.map(\.rawValue),
        findingKinds: FindingKind.allCases.map(Kind.init), intakeFields: Intake.fieldSpecs.map(IntakeField.init))
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
