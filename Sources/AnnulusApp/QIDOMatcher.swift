import Foundation

/// What a matching key's value asks for, by the attribute's VR (PS3.4 C.2.2.2, PS3.18 8.3.4).
public enum QIDOCondition: Sendable, Equatable {
    /// An empty value, or `*` alone: every entity matches, with or without the attribute.
    case universal
    /// UID list matching: one of these UIDs (separated by `\` or `,`).
    case uids(Set<String>)
    /// Date range matching (`YYYYMMDD`, `A-B`, `-B`, `A-`); a single date is a range of one day.
    case dates(from: String?, to: String?)
    /// Time range matching (`HH[MM[SS[.F]]]`, ranges as dates), in seconds since midnight.
    case times(from: Double?, to: Double?)
    /// An integer, exactly (IS).
    case integer(Int)
    /// Single value matching with `*` and `?` wildcards, one of these patterns (a list only for Modality and
    /// Modalities in Study, separated by `\` or `,`).
    case patterns([String])

    /// Parses `value` as a key of `attribute`.
    ///
    /// - Throws: `AppError.invalidInput` (code `bad-query`) naming the attribute and the expected form.
    static func parse(_ value: String, attribute: QIDOAttribute) throws(AppError) -> QIDOCondition {
        let name = attribute.keyword
        if value.isEmpty || value == "*" { return .universal }
        func bad(_ expected: String) -> AppError {
            QIDOQuery.bad("\(name) must be \(expected), got '\(value)'", field: name, value: value)
        }
        switch attribute.vr {
        case "UI":
            let uids = value.split(whereSeparator: { $0 == "\\" || $0 == "," }).map(String.init)
            guard !uids.isEmpty, uids.allSatisfy(QIDOMatcher.isUID) else {
                throw bad("a UID or a list of UIDs separated by commas (digits and dots; no wildcards)")
            }
            return .uids(Set(uids))
        case "DA":
            guard let (from, to) = range(value, QIDOMatcher.isDate), from != nil || to != nil else {
                throw bad("a date YYYYMMDD or a range YYYYMMDD-YYYYMMDD, -YYYYMMDD, YYYYMMDD-")
            }
            if let from, let to, from > to { throw bad("a range whose start is not after its end") }
            return value.contains("-") ? .dates(from: from, to: to) : .dates(from: from, to: from)
        case "TM":
            guard let (from, to) = range(value, { QIDOMatcher.seconds($0) != nil }), from != nil || to != nil else {
                throw bad("a time HHMMSS (HH, HHMM, HHMMSS.FFFFFF) or a range of two, as HHMM-HHMM")
            }
            let start = from.flatMap { QIDOMatcher.seconds($0) }
            // An end given to the hour or minute runs to the end of that hour or minute.
            let end = (value.contains("-") ? to : from).flatMap { QIDOMatcher.seconds($0, upper: true) }
            if let start, let end, start > end { throw bad("a range whose start is not after its end") }
            return .times(from: start, to: end)
        case "IS":
            let trimmed = value.trimmingCharacters(in: .whitespaces)
            guard trimmed.utf8.count <= 12, let number = Int(trimmed) else { throw bad("a whole number") }
            return .integer(number)
        default:
            guard !value.unicodeScalars.contains(where: { $0.value < 0x20 || $0 == "\\" && !isList(attribute) })
            else {
                throw bad("text without control characters or backslashes")
            }
            if isList(attribute) {
                return .patterns(value.split(whereSeparator: { $0 == "\\" || $0 == "," }).map(String.init))
            }
            return .patterns([value])
        }
    }

    private static func isList(_ attribute: QIDOAttribute) -> Bool {
        attribute.keyword == "Modality" || attribute.keyword == "ModalitiesInStudy"
    }

    /// `A`, `A-B`, `-B` or `A-` with each bound valid by `valid`; nil when malformed.
    private static func range(_ value: String, _ valid: (String) -> Bool) -> (String?, String?)? {
        let parts = value.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
        switch parts.count {
        case 1: return valid(parts[0]) ? (parts[0], nil) : nil
        case 2:
            let from = parts[0].isEmpty ? nil : parts[0]
            let to = parts[1].isEmpty ? nil : parts[1]
            if let from, !valid(from) { return nil }
            if let to, !valid(to) { return nil }
            return (from, to)
        default: return nil
        }
    }
}

/// The pure matching of DICOMweb searches: whether an entity's values satisfy a key.
public enum QIDOMatcher {
    /// Whether `values` (the entity's values of the key's attribute; empty when absent or empty) match `key`.
    /// Person names follow `personNameMatches`; other text matches exactly, case-sensitively, with `*` and `?`.
    public static func matches(_ values: [String], _ key: QIDOKey, fuzzy: Bool) -> Bool {
        let condition = key.condition
        if condition == .universal { return true }
        let present = values.filter { !$0.isEmpty }
        switch condition {
        case .universal: return true
        case .uids(let uids): return present.contains { uids.contains($0) }
        case .dates(let from, let to):
            return present.contains { date in
                isDate(date) && (from.map { date >= $0 } ?? true) && (to.map { date <= $0 } ?? true)
            }
        case .times(let from, let to):
            return present.contains { time in
                guard let seconds = seconds(time.trimmingCharacters(in: .whitespaces)) else { return false }
                return (from.map { seconds >= $0 } ?? true) && (to.map { seconds <= $0 } ?? true)
            }
        case .integer(let number):
            return present.contains { Int($0.trimmingCharacters(in: .whitespaces)) == number }
        case .patterns(let patterns):
            if key.attribute.vr == "PN" {
                return present.contains { name in patterns.contains { personNameMatches(name, $0, fuzzy: fuzzy) } }
            }
            return present.contains { value in patterns.contains { wildcard($0, matches: value) } }
        }
    }

    /// Person name matching. Trailing empty components (`DOE^JOHN^^`) are ignored on both sides. A pattern without
    /// `=` matches any one component group (alphabetic, ideographic, phonetic) of the name; with `=` the whole
    /// name. Literal matching is case-sensitive; fuzzy matching ignores case and accents (Unicode folding) and a
    /// pattern without `^` also matches any single name component (`john` finds `Doe^John`).
    public static func personNameMatches(_ name: String, _ pattern: String, fuzzy: Bool) -> Bool {
        let fold: (String) -> String =
            fuzzy ? { $0.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil) } : { $0 }
        let query = fold(trimmedName(pattern))
        let groups = pattern.contains("=") ? [name] : name.split(separator: "=").map(String.init)
        return groups.contains { group in
            let candidate = fold(trimmedName(group))
            if wildcard(query, matches: candidate) { return true }
            guard fuzzy, !query.contains("^") else { return false }
            return candidate.split(separator: "^").contains { wildcard(query, matches: String($0)) }
        }
    }

    /// The name without trailing `^`, `=` and spaces of each component group.
    static func trimmedName(_ name: String) -> String {
        var groups = name.split(separator: "=", omittingEmptySubsequences: false).map { group in
            var text = Substring(group)
            while let last = text.last, last == "^" || last == " " { text = text.dropLast() }
            return String(text)
        }
        while let last = groups.last, last.isEmpty, groups.count > 1 { groups.removeLast() }
        return groups.joined(separator: "=")
    }

    /// Whether `value` matches `pattern`, where `*` matches any run of characters and `?` one character (a
    /// pattern without either: equality). Linear backtracking on the last `*`: no exponential patterns.
    public static func wildcard(_ pattern: String, matches value: String) -> Bool {
        if !pattern.contains("*") && !pattern.contains("?") { return pattern == value }
        let pattern = Array(pattern)
        let value = Array(value)
        var p = 0
        var v = 0
        var star: Int?
        var resume = 0
        while v < value.count {
            if p < pattern.count, pattern[p] == "*" {
                star = p
                resume = v
                p += 1
            } else if p < pattern.count, pattern[p] == "?" || pattern[p] == value[v] {
                p += 1
                v += 1
            } else if let star {
                p = star + 1
                resume += 1
                v = resume
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    /// A DICOM UID: digits and dots, 1...64 characters, no empty component.
    static func isUID(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { component in
                !component.isEmpty && component.utf8.allSatisfy { (0x30...0x39).contains($0) }
            }
    }

    /// Eight digits (YYYYMMDD).
    static func isDate(_ text: String) -> Bool {
        text.utf8.count == 8 && text.utf8.allSatisfy { (0x30...0x39).contains($0) }
    }

    /// Seconds since midnight of a DICOM time `HH[MM[SS[.F{1,6}]]]`, or nil; with `upper`, the last moment the
    /// time's precision covers (`12` → 12:59:59.999999).
    static func seconds(_ text: String, upper: Bool = false) -> Double? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, [2, 4, 6].contains(whole.utf8.count),
            whole.utf8.allSatisfy({ (0x30...0x39).contains($0) })
        else { return nil }
        let digits = Array(whole.utf8).map { Int($0 - 0x30) }
        let hours = digits[0] * 10 + digits[1]
        let minutes = digits.count >= 4 ? digits[2] * 10 + digits[3] : 0
        let secs = digits.count >= 6 ? digits[4] * 10 + digits[5] : 0
        guard hours < 24, minutes < 60, secs < 61 else { return nil }
        var fraction = 0.0
        if upper && parts.count == 1 {
            fraction = [2: 3599.999999, 4: 59.999999, 6: 0.999999][digits.count] ?? 0
        }
        if parts.count == 2 {
            let text = parts[1]
            guard digits.count == 6, (1...6).contains(text.utf8.count),
                text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let value = Double("0." + text)
            else { return nil }
            fraction = value
        }
        return Double(hours * 3600 + minutes * 60 + secs) + fraction
    }
}
