import Foundation

/// The level a DICOMweb search (QIDO-RS, PS3.18 10.6) answers at.
public enum QIDOLevel: Int, Sendable, Comparable, CaseIterable {
    /// Studies.
    case study
    /// Series.
    case series
    /// Instances.
    case instance

    /// Orders the levels from study down to instance.
    public static func < (lhs: QIDOLevel, rhs: QIDOLevel) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// An attribute a search names, as Annulus's index knows it.
public struct QIDOAttribute: Sendable, Equatable, Hashable {
    /// The DICOM keyword (`PatientID`).
    public var keyword: String
    /// The tag, eight upper-case hexadecimal digits (`00100020`).
    public var tag: String
    /// The value representation.
    public var vr: String
    /// The level the attribute belongs to.
    public var level: QIDOLevel
    /// How the attribute may be matched.
    public var use: Use

    /// How an attribute may be used in a search.
    public enum Use: Sendable, Equatable, Hashable {
        /// A matching key and a return attribute: the index holds it.
        case matching
        /// Returned, never matched (counts, Retrieve URL, image size).
        case returnOnly
        /// A standard key or return attribute that the index does not hold: refused as a matching key, returned
        /// by nobody (`includefield` naming it is accepted and answered without it).
        case notHeld
    }

    /// Every attribute a search may name.
    public static let all: [QIDOAttribute] = [
        .init(keyword: "StudyDate", tag: "00080020", vr: "DA", level: .study, use: .matching),
        .init(keyword: "StudyTime", tag: "00080030", vr: "TM", level: .study, use: .matching),
        .init(keyword: "AccessionNumber", tag: "00080050", vr: "SH", level: .study, use: .matching),
        .init(keyword: "InstanceAvailability", tag: "00080056", vr: "CS", level: .study, use: .returnOnly),
        .init(keyword: "ModalitiesInStudy", tag: "00080061", vr: "CS", level: .study, use: .matching),
        .init(keyword: "ReferringPhysicianName", tag: "00080090", vr: "PN", level: .study, use: .notHeld),
        .init(keyword: "TimezoneOffsetFromUTC", tag: "00080201", vr: "SH", level: .study, use: .notHeld),
        .init(keyword: "RetrieveURL", tag: "00081190", vr: "UR", level: .study, use: .returnOnly),
        .init(keyword: "StudyDescription", tag: "00081030", vr: "LO", level: .study, use: .matching),
        .init(keyword: "PatientName", tag: "00100010", vr: "PN", level: .study, use: .matching),
        .init(keyword: "PatientID", tag: "00100020", vr: "LO", level: .study, use: .matching),
        .init(keyword: "PatientBirthDate", tag: "00100030", vr: "DA", level: .study, use: .notHeld),
        .init(keyword: "PatientSex", tag: "00100040", vr: "CS", level: .study, use: .notHeld),
        .init(keyword: "StudyInstanceUID", tag: "0020000D", vr: "UI", level: .study, use: .matching),
        .init(keyword: "StudyID", tag: "00200010", vr: "SH", level: .study, use: .notHeld),
        .init(keyword: "NumberOfStudyRelatedSeries", tag: "00201206", vr: "IS", level: .study, use: .returnOnly),
        .init(keyword: "NumberOfStudyRelatedInstances", tag: "00201208", vr: "IS", level: .study, use: .returnOnly),
        .init(keyword: "Modality", tag: "00080060", vr: "CS", level: .series, use: .matching),
        .init(keyword: "SeriesDescription", tag: "0008103E", vr: "LO", level: .series, use: .matching),
        .init(keyword: "BodyPartExamined", tag: "00180015", vr: "CS", level: .series, use: .matching),
        .init(keyword: "ProtocolName", tag: "00181030", vr: "LO", level: .series, use: .matching),
        .init(keyword: "SeriesInstanceUID", tag: "0020000E", vr: "UI", level: .series, use: .matching),
        .init(keyword: "SeriesNumber", tag: "00200011", vr: "IS", level: .series, use: .matching),
        .init(keyword: "NumberOfSeriesRelatedInstances", tag: "00201209", vr: "IS", level: .series, use: .returnOnly),
        .init(
            keyword: "PerformedProcedureStepStartDate", tag: "00400244", vr: "DA", level: .series, use: .notHeld),
        .init(
            keyword: "PerformedProcedureStepStartTime", tag: "00400245", vr: "TM", level: .series, use: .notHeld),
        .init(keyword: "RequestAttributesSequence", tag: "00400275", vr: "SQ", level: .series, use: .notHeld),
        .init(keyword: "SOPClassUID", tag: "00080016", vr: "UI", level: .instance, use: .matching),
        .init(keyword: "SOPInstanceUID", tag: "00080018", vr: "UI", level: .instance, use: .matching),
        .init(keyword: "InstanceNumber", tag: "00200013", vr: "IS", level: .instance, use: .matching),
        .init(keyword: "NumberOfFrames", tag: "00280008", vr: "IS", level: .instance, use: .returnOnly),
        .init(keyword: "Rows", tag: "00280010", vr: "US", level: .instance, use: .returnOnly),
        .init(keyword: "Columns", tag: "00280011", vr: "US", level: .instance, use: .returnOnly),
        .init(keyword: "BitsAllocated", tag: "00280100", vr: "US", level: .instance, use: .notHeld),
    ]

    /// Attributes held but not in PS3.18's default return set: returned when `includefield` names them (or `all`).
    static let optional: Set<String> = ["00081030", "00180015", "00181030"]

    private static let byKeyword = Dictionary(uniqueKeysWithValues: all.map { ($0.keyword, $0) })
    private static let byTag = Dictionary(uniqueKeysWithValues: all.map { ($0.tag, $0) })

    /// The attribute `name` names: a keyword (exactly, as DICOM spells it) or a tag (eight hexadecimal digits,
    /// either case); nil for anything else.
    public static func named(_ name: String) -> QIDOAttribute? {
        if let attribute = byKeyword[name] { return attribute }
        if isTag(name) { return byTag[name.uppercased()] }
        return nil
    }

    /// The attribute with this tag (upper-case hexadecimal).
    public static func tagged(_ tag: String) -> QIDOAttribute? { byTag[tag] }

    /// Eight hexadecimal digits.
    static func isTag(_ text: String) -> Bool {
        text.utf8.count == 8 && text.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x41...0x46).contains($0 & 0xDF) }
    }

    /// The keyword most like `name` ignoring case, to suggest for a misspelt key.
    static func suggestion(for name: String) -> String? {
        let lower = name.lowercased()
        return all.first { $0.keyword.lowercased() == lower }?.keyword
    }
}

/// One matching key of a search: an attribute and the value asked for (empty: universal matching, the attribute is
/// only asked to be returned).
public struct QIDOKey: Sendable, Equatable {
    /// The attribute.
    public var attribute: QIDOAttribute
    /// The value as given.
    public var value: String
    /// What the value means, parsed once.
    public var condition: QIDOCondition
}

/// A parsed DICOMweb search: matching keys, the attributes to return, fuzzy matching and the page.
public struct QIDOQuery: Sendable, Equatable {
    /// The level answered.
    public var level: QIDOLevel
    /// The matching keys (every one must match).
    public var keys: [QIDOKey]
    /// `includefield=all`.
    public var includeAll = false
    /// Tags `includefield` names.
    public var included: Set<String> = []
    /// `fuzzymatching=true`: person names match ignoring case and accents, and a name without `^` matches any one
    /// of the name's components.
    public var fuzzy = false
    /// The largest number of results (`limit`, at most `maximumLimit`).
    public var limit: Int
    /// How many matches to skip (`offset`).
    public var offset = 0
    /// Whether `limit` asked for more than `maximumLimit` (the answer then says so).
    public var limitCapped = false

    /// The most results one answer holds; more are had by `offset`.
    public static let maximumLimit = 1000
    /// The longest value a matching key may have.
    public static let maximumValueLength = 4096

    /// The parameters that are not attributes.
    static let reserved = ["limit", "offset", "fuzzymatching", "includefield"]

    /// Parses the query parameters of a search at `level`, in order (a key may not repeat; `includefield` may).
    ///
    /// - Throws: `AppError.invalidInput` (code `bad-query`) naming the parameter for an unknown or misspelt key, a
    ///   key the index does not hold, a key below the level searched, a value that is not valid for its VR, or a bad
    ///   `limit`, `offset` or `fuzzymatching`.
    public static func parse(level: QIDOLevel, parameters: [(name: String, value: String)]) throws(AppError)
        -> QIDOQuery
    {
        var query = QIDOQuery(level: level, keys: [], limit: maximumLimit)
        var seen: Set<String> = []
        for (name, value) in parameters {
            guard value.utf8.count <= maximumValueLength else {
                throw bad("\(name) is longer than \(maximumValueLength) bytes", field: name)
            }
            if name != "includefield" {
                guard !seen.contains(name) else { throw bad("\(name) is given more than once", field: name) }
                seen.insert(name)
            }
            switch name {
            case "limit":
                guard let number = Int(value), number >= 1, value.utf8.count <= 9 else {
                    throw bad("limit must be a whole number of at least 1", field: name, value: value)
                }
                query.limit = min(number, maximumLimit)
                query.limitCapped = number > maximumLimit
            case "offset":
                guard let number = Int(value), number >= 0, value.utf8.count <= 9 else {
                    throw bad("offset must be a whole number of at least 0", field: name, value: value)
                }
                query.offset = number
            case "fuzzymatching":
                guard value == "true" || value == "false" else {
                    throw bad("fuzzymatching must be true or false", field: name, value: value)
                }
                query.fuzzy = value == "true"
            case "includefield":
                try query.include(value)
            default:
                try query.keys.append(key(name, value, level: level))
            }
        }
        return query
    }

    private mutating func include(_ list: String) throws(AppError) {
        for item in list.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            if item == "all" {
                includeAll = true
            } else if let attribute = QIDOAttribute.named(item) {
                included.insert(attribute.tag)
            } else if QIDOAttribute.isTag(item) {
                // A tag the index does not know: there is nothing to return for it.
                continue
            } else {
                throw Self.bad(
                    "includefield names '\(item)', which is neither 'all', a tag (eight hexadecimal digits) nor an "
                        + "attribute keyword Annulus knows", field: "includefield", value: item,
                    suggestion: QIDOAttribute.suggestion(for: item))
            }
        }
    }

    private static func key(_ name: String, _ value: String, level: QIDOLevel) throws(AppError) -> QIDOKey {
        guard let attribute = QIDOAttribute.named(name) else {
            if name.contains(".") {
                throw bad(
                    "\(name): matching on attributes inside sequences is not supported", field: name,
                    allowed: matchable(level))
            }
            throw bad(
                "unknown query parameter '\(name)': use an attribute keyword or tag, or one of "
                    + reserved.joined(separator: ", "), field: name, allowed: matchable(level),
                suggestion: QIDOAttribute.suggestion(for: name))
        }
        switch attribute.use {
        case .matching: break
        case .returnOnly:
            throw bad("\(attribute.keyword) cannot be matched, only returned", field: name, allowed: matchable(level))
        case .notHeld:
            throw bad(
                "Annulus's index does not hold \(attribute.keyword), so it cannot be matched", field: name,
                allowed: matchable(level))
        }
        guard attribute.level <= level else {
            throw bad(
                "\(attribute.keyword) is a key of \(attribute.level) searches, not of \(level) searches", field: name,
                allowed: matchable(level))
        }
        let condition = try QIDOCondition.parse(value, attribute: attribute)
        return QIDOKey(attribute: attribute, value: value, condition: condition)
    }

    /// The keywords a search at `level` may match.
    static func matchable(_ level: QIDOLevel) -> [String] {
        QIDOAttribute.all.filter { $0.use == .matching && $0.level <= level }.map(\.keyword)
    }

    static func bad(
        _ message: String, field: String, value: String? = nil, allowed: [String] = [], suggestion: String? = nil
    ) -> AppError {
        .invalidInput(message, field: field, value: value, allowed: allowed, suggestion: suggestion, code: "bad-query")
    }

    /// Whether the answer returns `attribute` (at the level of the entity it belongs to).
    public func returns(_ attribute: QIDOAttribute) -> Bool {
        switch attribute.use {
        case .notHeld: false
        case .returnOnly, .matching:
            !QIDOAttribute.optional.contains(attribute.tag) || includeAll || included.contains(attribute.tag)
                || keys.contains { $0.attribute == attribute }
        }
    }
}
