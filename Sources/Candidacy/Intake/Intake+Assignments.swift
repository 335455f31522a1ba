import SpineModel

extension Intake {
    /// The keys `apply(assignments:)` accepts, in the order they are documented.
    public static let assignmentKeys = [
        "region", "age", "pain-months", "back-pain", "leg-pain", "leg-radicular", "neck-pain", "arm-pain",
        "arm-radicular", "odi", "rmdq", "ndi", "care",
        "medial-branch-block", "fit", "infection", "tumour", "fracture", "cauda-equina", "prior-surgery",
        "prior-surgery-levels", "prefers-non-surgical",
    ]

    /// Other spellings of the keys.
    static let keyAliases: [String: String] = [
        "pain-duration": "pain-months", "pain-duration-months": "pain-months", "painDurationMonths": "pain-months",
        "back": "back-pain", "leg": "leg-pain", "radicular": "leg-radicular", "leg-pain-radicular": "leg-radicular",
        "neck": "neck-pain", "arm": "arm-pain", "arm-pain-radicular": "arm-radicular",
        "mbb": "medial-branch-block", "facet-block": "medial-branch-block", "fit-for-outpatient": "fit",
        "active-infection": "infection", "tumor": "tumour", "acute-fracture": "fracture",
        "cauda-equina-signs": "cauda-equina", "surgery": "prior-surgery", "prefers-nonsurgical": "prefers-non-surgical",
        "conservative-care": "care",
    ]

    /// Words that set a field back to unknown.
    static let unknownWords: Set<String> = ["unknown", "?", ""]

    /// Applies `key=value` assignments from the command line, in order (a later one wins; `care=` appends an
    /// attempt; any field set to `unknown` or `?` becomes unknown again), then validates the result.
    ///
    /// Keys: `region=lumbar|cervical`, `age=45`, `pain-months=14`, `back-pain=vas:70|nrs:7`,
    /// `leg-pain=nrs:3|none`, `leg-radicular=yes|no`, `neck-pain=`, `arm-pain=` (as back and leg pain),
    /// `arm-radicular=yes|no`, `odi=40` (the total, percent) or `odi=2,3,2,1,3,2,2,1,0,2` (ten items 0–5, `-` for
    /// one not answered), `rmdq=12` (total 0–24), `ndi=30` or `ndi=1,2,…` (as the ODI), `care=KIND:WEEKS:RELIEF`
    /// (kind physical-therapy, nsaids, chiropractic, epidural-steroid or other; weeks a number or `?`; relief yes,
    /// no or `?`; `care=none` records that none was tried), `medial-branch-block=positive|negative|not-done`,
    /// `fit=yes|no`, `infection=`, `tumour=`, `fracture=`, `cauda-equina=` (yes|suspected|no),
    /// `prior-surgery=yes|no`, `prior-surgery=KIND:LEVELS` (adds an operation: discectomy, laminectomy, fusion,
    /// disc-replacement or other, at `L4-L5` or `L4-L5,L5-S1`; `KIND` alone when the level is not known),
    /// `prior-surgery=L4-L5,L5-S1` and `prior-surgery-levels=L4-L5,L5-S1` (levels of unknown kind),
    /// `prefers-non-surgical=yes|no`.
    public mutating func apply(assignments: [String]) throws(IntakeError) {
        for assignment in assignments {
            guard let equals = assignment.firstIndex(of: "=") else {
                throw IntakeError(
                    field: assignment, message: "expected key=value, e.g. age=45 or back-pain=vas:70",
                    suggestion: Self.suggestKey(assignment).map { "\($0)=…" })
            }
            let rawKey = String(assignment[..<equals]).trimmingSpaces()
            let value = String(assignment[assignment.index(after: equals)...]).trimmingSpaces()
            guard let key = Self.canonicalKey(rawKey) else {
                throw IntakeError(
                    field: rawKey, message: "not an intake field", allowed: Self.assignmentKeys,
                    suggestion: Self.suggestKey(rawKey))
            }
            try apply(key: key, value: value)
        }
        try validate()
    }

    static func canonicalKey(_ raw: String) -> String? {
        let key = raw.lowercased().replacingSpacesAndUnderscores()
        if assignmentKeys.contains(key) { return key }
        return keyAliases[raw] ?? keyAliases[key]
    }

    static func suggestKey(_ raw: String) -> String? {
        NearMiss.suggest(raw, among: assignmentKeys + keyAliases.keys.sorted())
            .map { canonicalKey($0) ?? $0 }
    }

    private mutating func apply(key: String, value: String) throws(IntakeError) {
        let unknown = Self.unknownWords.contains(value.lowercased())
        switch key {
        case "region": region = unknown ? nil : try Self.word(value, field: key, as: Region.self)
        case "age": age = unknown ? nil : try Self.integer(value, field: key, range: Self.ageRange, unit: "years")
        case "pain-months":
            painDurationMonths =
                unknown ? nil : try Self.number(value, field: key, unit: "months", range: Self.painMonthsRange)
        case "back-pain": backPain = unknown ? nil : try Self.pain(value, field: key)
        case "leg-pain": legPain = unknown ? nil : try Self.pain(value, field: key)
        case "leg-radicular": legPainRadicular = unknown ? nil : try Self.yesNo(value, field: key)
        case "neck-pain": neckPain = unknown ? nil : try Self.pain(value, field: key)
        case "arm-pain": armPain = unknown ? nil : try Self.pain(value, field: key)
        case "arm-radicular": armPainRadicular = unknown ? nil : try Self.yesNo(value, field: key)
        case "odi":
            (odiItems, odiTotal) = unknown ? (nil, nil) : try Self.questionnaire(value, field: key, name: "ODI")
        case "rmdq": rmdq = unknown ? nil : try Self.integer(value, field: key, range: Self.rmdqRange, unit: "points")
        case "ndi":
            (ndiItems, ndi) = unknown ? (nil, nil) : try Self.questionnaire(value, field: key, name: "NDI")
        case "care": try applyCare(value, unknown: unknown)
        case "medial-branch-block":
            medialBranchBlock =
                unknown ? nil : try Self.word(value, field: key, as: BlockResult.self, aliases: ["none": .notDone])
        case "fit": fitForOutpatientProcedure = unknown ? nil : try Self.yesNo(value, field: key)
        case "infection": redFlags.activeInfection = unknown ? nil : try Self.redFlag(value, field: key)
        case "tumour": redFlags.tumour = unknown ? nil : try Self.redFlag(value, field: key)
        case "fracture": redFlags.acuteFracture = unknown ? nil : try Self.redFlag(value, field: key)
        case "cauda-equina": redFlags.caudaEquinaSigns = unknown ? nil : try Self.redFlag(value, field: key)
        case "prior-surgery": try applyPriorSurgery(value, unknown: unknown)
        case "prior-surgery-levels":
            let levels = unknown ? [] : try Self.levels(value, field: key)
            priorSurgery.procedures.removeAll { $0.kind == nil }
            priorSurgery.record(levels.map { PriorProcedure(kind: nil, level: $0) })
        case "prefers-non-surgical": prefersNonSurgical = unknown ? nil : try Self.yesNo(value, field: key)
        default: throw IntakeError(field: key, message: "not an intake field", allowed: Self.assignmentKeys)
        }
    }

    private mutating func applyCare(_ value: String, unknown: Bool) throws(IntakeError) {
        if unknown {
            conservativeCare = nil
            return
        }
        if value.lowercased() == "none" {
            conservativeCare = []
            return
        }
        let parts = value.split(separator: ":", omittingEmptySubsequences: false).map {
            String($0).trimmingSpaces()
        }
        guard (1...3).contains(parts.count) else {
            throw IntakeError(
                field: "care", value: value,
                message: "write KIND:WEEKS:RELIEF, e.g. care=physical-therapy:12:no (weeks and relief may be ?)")
        }
        let kind = try Self.word(parts[0], field: "care", as: CareAttempt.Kind.self, aliases: CareAttempt.Kind.aliases)
        var weeks: Double?
        if parts.count > 1, !Self.unknownWords.contains(parts[1].lowercased()) {
            weeks = try Self.number(
                parts[1], field: "care", unit: "weeks", range: Self.careWeeksRange, whole: value, what: "weeks of care")
        }
        var relief: Bool?
        if parts.count > 2, !Self.unknownWords.contains(parts[2].lowercased()) {
            relief = try Self.yesNo(parts[2], field: "care")
        }
        conservativeCare = (conservativeCare ?? []) + [CareAttempt(kind: kind, weeks: weeks, lastingRelief: relief)]
    }

    private mutating func applyPriorSurgery(_ value: String, unknown: Bool) throws(IntakeError) {
        if unknown {
            priorSurgery = PriorSurgery()
            return
        }
        if let answer = YesNoWord.parse(value) {
            priorSurgery.had = answer
            if !answer { priorSurgery.procedures = [] }
            return
        }
        let parts = value.split(separator: ":", maxSplits: 1).map { String($0).trimmingSpaces() }
        let kindWords = PriorProcedure.Kind.allCases.map(\.rawValue)
        if parts.count == 1, value.contains(where: \.isNumber) {
            // A level list alone: operations of unknown kind (the form older intakes used).
            priorSurgery.record(
                try Self.levels(value, field: "prior-surgery").map { PriorProcedure(kind: nil, level: $0) })
            return
        }
        let kind: PriorProcedure.Kind
        do {
            kind = try Self.word(
                parts[0], field: "prior-surgery", as: PriorProcedure.Kind.self, aliases: PriorProcedure.Kind.aliases)
        } catch {
            throw IntakeError(
                field: "prior-surgery", value: value,
                message: "answer yes or no, or give the operation as KIND:LEVELS (e.g. fusion:L4-L5, discectomy:L5-S1)",
                allowed: ["yes", "no"] + kindWords.map { "\($0):LEVELS" },
                suggestion: error.suggestion.map { parts.count > 1 ? "\($0):\(parts[1])" : $0 })
        }
        let levels = parts.count > 1 ? try Self.levels(parts[1], field: "prior-surgery") : []
        priorSurgery.record(
            levels.isEmpty
                ? [PriorProcedure(kind: kind, level: nil)] : levels.map { PriorProcedure(kind: kind, level: $0) })
    }

    // MARK: - Value readers

    /// A red flag: yes, suspected or no.
    static func redFlag(_ value: String, field: String) throws(IntakeError) -> RedFlagAnswer {
        if let answer = YesNoWord.parse(value) { return answer ? .yes : .no }
        let aliases: [String: RedFlagAnswer] = ["suspected": .suspected, "suspect": .suspected, "possible": .suspected]
        if let answer = aliases[value.lowercased()] { return answer }
        throw IntakeError(
            field: field, value: value, message: "answer yes, suspected or no (or unknown)",
            allowed: ["yes", "suspected", "no", "unknown"],
            suggestion: NearMiss.suggest(value, among: ["yes", "suspected", "no", "unknown"]))
    }

    /// A ten-item questionnaire given as its items (`2,3,…`, ten numbers) or as its total in percent (`40`).
    static func questionnaire(_ value: String, field: String, name: String) throws(IntakeError) -> (
        items: [Int?]?, total: Double?
    ) {
        if value.contains(",") { return (try items(value, field: field, name: name), nil) }
        let total = try number(value, field: field, unit: "%", range: disabilityPercentRange)
        return (nil, total)
    }

    static func yesNo(_ value: String, field: String) throws(IntakeError) -> Bool {
        guard let answer = YesNoWord.parse(value) else {
            throw IntakeError(
                field: field, value: value, message: "answer yes or no (or unknown)",
                allowed: ["yes", "no", "unknown"],
                suggestion: YesNoWord.suggest(value))
        }
        return answer
    }

    static func word<Word: RawRepresentable & CaseIterable>(
        _ value: String, field: String, as type: Word.Type, aliases: [String: Word] = [:]
    ) throws(IntakeError) -> Word where Word.RawValue == String {
        let key = value.lowercased().replacingSpacesAndUnderscores()
        if let word = Word(rawValue: key) ?? aliases[key] { return word }
        let allowed = Word.allCases.map(\.rawValue)
        throw IntakeError(
            field: field, value: value, message: "not an accepted value", allowed: allowed,
            suggestion: NearMiss.suggest(value, among: allowed + aliases.keys.sorted()).map {
                (Word(rawValue: $0) ?? aliases[$0])?.rawValue ?? $0
            })
    }

    /// A number within `range`. `whole` is the whole value given when `value` is a part of it (the weeks of
    /// `care=pt:12:no`); `what` names the part in the message. A value too large for a Double is refused by
    /// the range, never taken as infinity.
    static func number(
        _ value: String, field: String, unit: String, range: ClosedRange<Double>? = nil, whole: String? = nil,
        what: String? = nil
    ) throws(IntakeError) -> Double {
        var text = value.lowercased()
        for suffix in [unit.lowercased(), "%", "w", "weeks", "months", "mo"] where text.hasSuffix(suffix) {
            text.removeLast(suffix.count)
            break
        }
        text = text.trimmingSpaces()
        guard let number = Double(text), !number.isNaN else {
            throw IntakeError(field: field, value: whole ?? value, message: "expected a number (\(unit))")
        }
        if let range, !(number.isFinite && range.contains(number)) {
            throw IntakeError(
                field: field, value: whole ?? value,
                message: Self.rangeMessage(
                    what: what ?? field, range: range, unit: unit, got: whole == nil ? nil : value))
        }
        guard number.isFinite else {
            throw IntakeError(field: field, value: whole ?? value, message: "expected a number (\(unit))")
        }
        return number
    }

    /// A whole number within `range`; one too large for Int is refused by name, with the range.
    static func integer(
        _ value: String, field: String, range: ClosedRange<Int>, unit: String
    ) throws(IntakeError) -> Int {
        let digits = value.hasPrefix("-") || value.hasPrefix("+") ? value.dropFirst() : Substring(value)
        guard let number = Int(value) else {
            let tooLarge = !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
            throw IntakeError(
                field: field, value: value,
                message: tooLarge
                    ? "the number is too large; " + rangeMessage(what: field, range: range, unit: unit, got: nil)
                    : "expected a whole number (\(field) runs from \(range.lowerBound) to \(range.upperBound) \(unit))")
        }
        guard range.contains(number) else {
            throw IntakeError(
                field: field, value: value, message: rangeMessage(what: field, range: range, unit: unit, got: nil))
        }
        return number
    }

    /// "age runs from 0 to 120 years", "weeks of care run from 0 to 2600 weeks (got 99999)".
    static func rangeMessage<Bound: Comparable & CustomStringConvertible>(
        what: String, range: ClosedRange<Bound>, unit: String, got: String?
    ) -> String {
        let plural = (what.hasSuffix("s") && !what.hasSuffix("ss")) || what.hasPrefix("weeks")
        let verb = plural ? "run" : "runs"
        func text(_ bound: Bound) -> String {
            if let value = bound as? Double { return FactValue.format(value) }
            return bound.description
        }
        let unitText = unit == "%" ? "%" : " " + unit
        return "\(what) \(verb) from \(text(range.lowerBound)) to \(text(range.upperBound))\(unitText)"
            + (got.map { " (got \($0))" } ?? "")
    }

    static func pain(_ value: String, field: String) throws(IntakeError) -> PainScore {
        if value.lowercased() == "none" { return PainScore(scale: .vas, value: 0) }
        let parts = value.split(separator: ":", maxSplits: 1).map { String($0).trimmingSpaces() }
        guard parts.count == 2 else {
            throw IntakeError(
                field: field, value: value, message: "give the scale and the score: vas:70 (0–100) or nrs:7 (0–10)",
                allowed: ["vas:N", "nrs:N", "none"])
        }
        let scale = try word(parts[0], field: field, as: PainScore.Scale.self)
        let score = PainScore(scale: scale, value: try number(parts[1], field: field, unit: scale.rawValue))
        do { try score.validate(field: field) } catch {
            var refusal = error
            refusal.value = value  // as given, not as the number it was read into
            throw refusal
        }
        return score
    }

    static func items(_ value: String, field: String, name: String) throws(IntakeError) -> [Int?] {
        let parts = value.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmingSpaces() }
        guard parts.count == odiItemCount else {
            throw IntakeError(
                field: field, value: value,
                message: "give all 10 \(name) item scores (0–5) separated by commas, - for an item not answered, "
                    + "or the total as one number (\(field)=40); got \(parts.count) items")
        }
        var items: [Int?] = []
        for (index, part) in parts.enumerated() {
            if ["-", "?", "", "na"].contains(part.lowercased()) {
                items.append(nil)
                continue
            }
            guard let score = Int(part), (0...5).contains(score) else {
                throw IntakeError(
                    field: field, value: part,
                    message: "\(name) item \(index + 1) is scored 0 to 5, or - if not answered")
            }
            items.append(score)
        }
        return items
    }

    static func levels(_ value: String, field: String) throws(IntakeError) -> [DiscLevel] {
        var levels: [DiscLevel] = []
        for part in value.split(separator: ",") {
            do {
                levels.append(try DiscLevel.parse(String(part)))
            } catch {
                throw IntakeError(field: field, value: String(part), message: error.description)
            }
        }
        return levels.sorted()
    }
}

/// Yes/no words accepted on the command line.
enum YesNoWord {
    static let spellings: [String: Bool] = [
        "yes": true, "y": true, "true": true, "no": false, "n": false, "false": false,
    ]

    static func parse(_ value: String) -> Bool? { spellings[value.lowercased()] }

    static func suggest(_ value: String) -> String? { NearMiss.suggest(value, among: ["yes", "no", "unknown"]) }
}

extension String {
    func trimmingSpaces() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }

    func replacingSpacesAndUnderscores() -> String {
        String(map { $0 == "_" || $0 == " " ? "-" : $0 })
    }
}
