/// Modic change of the vertebral endplates next to a disc, recorded per endplate.
///
/// Type 0 none; 1 T1 low / T2 high (oedema; most linked to pain); 2 T1 high / T2 iso-high (fat);
/// 3 T1 low / T2 low (sclerosis); mixed types such as 1/2.
public struct Modic: Codable, Sendable, Hashable {
    /// The Modic type of one endplate; encoded in JSON as `"0"`, `"1"`, `"2"`, `"3"`, `"1/2"`, `"1/3"`,
    /// `"2/3"` or `"mixed"`.
    public enum ChangeType: String, Codable, Sendable, Hashable, CaseIterable, VocabularyTerm {
        /// Type 0: no change.
        case type0 = "0"
        /// Oedema: T1 low, T2 high.
        case type1 = "1"
        /// Fat: T1 high, T2 iso- to hyperintense.
        case type2 = "2"
        /// Sclerosis: T1 low, T2 low.
        case type3 = "3"
        /// Mixed types 1 and 2.
        case mixed1And2 = "1/2"
        /// Mixed types 1 and 3.
        case mixed1And3 = "1/3"
        /// Mixed types 2 and 3.
        case mixed2And3 = "2/3"
        /// Mixed, types not specified.
        case mixed

        static let aliases: [String: ChangeType] = {
            var aliases: [String: ChangeType] = ["none": .type0, "no": .type0]
            let single: [(String, ChangeType)] = [("1", .type1), ("2", .type2), ("3", .type3)]
            for (number, type) in single {
                for prefix in ["type", "type-", "modic", "modic-", "m"] { aliases[prefix + number] = type }
            }
            let pairs: [(String, String, ChangeType)] = [
                ("1", "2", .mixed1And2), ("1", "3", .mixed1And3), ("2", "3", .mixed2And3),
            ]
            for (first, second, type) in pairs {
                for separator in ["/", "-", "+", ","] {
                    aliases[first + separator + second] = type
                    aliases[second + separator + first] = type
                }
            }
            return aliases
        }()

        /// Whether the endplate shows any change.
        public var isChange: Bool { self != .type0 }
        /// Whether type 1 (oedema) is part of the change.
        public var includesType1: Bool { [.type1, .mixed1And2, .mixed1And3].contains(self) }
        /// Whether type 3 (sclerosis) is part of the change.
        public var includesType3: Bool { [.type3, .mixed1And3, .mixed2And3].contains(self) }
    }

    /// The endplate above the disc (the lower endplate of the upper vertebra), if graded.
    public var upper: ChangeType?
    /// The endplate below the disc (the upper endplate of the lower vertebra), if graded.
    public var lower: ChangeType?

    /// Creates a Modic record; at least one endplate should be graded (`validate()` checks).
    public init(upper: ChangeType? = nil, lower: ChangeType? = nil) {
        self.upper = upper
        self.lower = lower
    }

    static let fieldSpecs: [FieldSpec] = [
        FieldSpec(
            name: "upper", values: .oneOf(ChangeType.terms),
            help: "Modic type of the endplate above the disc (0–3, or mixed such as 1/2); upper or lower is needed"
        ),
        FieldSpec(
            name: "lower", values: .oneOf(ChangeType.terms),
            help: "Modic type of the endplate below the disc (0–3, or mixed such as 1/2); upper or lower is needed"
        ),
    ]
}

extension Modic: FindingDetail {
    static let kind = FindingKind.modic

    init(reading reader: FieldReader) throws(SpineValidationError) {
        self.init(upper: try reader.term("upper"), lower: try reader.term("lower"))
        guard upper != nil || lower != nil else {
            throw reader.missing("upper", because: "grade the upper endplate, the lower one, or both")
        }
    }

    /// Requires at least one endplate.
    public func validate() throws(SpineValidationError) {
        guard upper != nil || lower != nil else {
            throw .missing(Self.fieldSpecs[0], of: .modic, because: "grade the upper endplate, the lower one, or both")
        }
    }

    /// "Modic upper 1, lower 2".
    public var summary: String {
        "Modic " + fields.map { "\($0.name) \($0.value)" }.joined(separator: ", ")
    }

    /// The recorded fields, by command-line name.
    public var fields: [(name: String, value: String)] {
        [("upper", upper), ("lower", lower)].compactMap { name, value in value.map { (name, $0.rawValue) } }
    }
}
