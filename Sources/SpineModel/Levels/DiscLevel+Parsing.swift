extension DiscLevel {
    /// Reads a disc level as clinicians and datasets write it: `L4-L5`, `L4/L5`, `l4l5`, `L4-5`, `L4 L5`, `L45`,
    /// `Th12-L1`; case and spaces do not matter.
    ///
    /// - Throws: `SpineValidationError` (`unknown-level`, field `level`) with all level names as the allowed
    ///   values, for text that is not a level: non-adjacent vertebrae (`L3-L5`, with the nearest level
    ///   suggested), the reverse order (`L5-L4`), `C1-C2` (no disc), and `L6-S1`, which is refused with
    ///   "L6-S1 is not a disc level; did you mean L5-S1? For transitional anatomy use L5-L6 with the numbering
    ///   basis."
    public static func parse(_ text: String) throws(SpineValidationError) -> DiscLevel {
        let trimmed = text.trimmedWhitespace()
        if let level = DiscLevel(rawValue: trimmed.uppercased()) { return level }
        let readings = LevelText.readings(of: trimmed)
        for reading in readings {
            if let level = DiscLevel(rawValue: reading.name) { return level }
        }
        guard !trimmed.isEmpty else {
            throw levelError(text, suggestion: nil, "a disc level is needed, such as L4-L5")
        }
        if readings.contains(where: { $0.name == "L6-S1" }) {
            throw levelError(
                text, suggestion: "L5-S1",
                "L6-S1 is not a disc level; did you mean L5-S1? For transitional anatomy use L5-L6 with the numbering basis."
            )
        }
        if readings.contains(where: { $0.name == "C1-C2" }) {
            throw levelError(
                text, suggestion: "C2-C3",
                "C1-C2 has no intervertebral disc (the atlanto-axial joint); the highest disc level is C2-C3"
            )
        }
        if let reading = readings.first(where: { $0.upper.isVertebra && $0.lower.isVertebra }) {
            let reversed = "\(reading.lower.name)-\(reading.upper.name)"
            if DiscLevel(rawValue: reversed) != nil {
                throw levelError(
                    text, suggestion: reversed,
                    "\(reading.name) is not a disc level; did you mean \(reversed)? Write the upper vertebra first"
                )
            }
            if reading.upper.letter == "S", reading.lower.letter == "S" {
                throw levelError(
                    text, suggestion: nil,
                    "\(reading.name) is not a disc level: the sacral segments below S1 are fused; the lowest level "
                        + "recorded is the transitional S1-S2"
                )
            }
            let suggestion = NearMiss.suggest(reading.name, among: all.map(\.name))
            let hint = suggestion.map { "; did you mean \($0)?" } ?? ""
            throw levelError(
                text, suggestion: suggestion,
                "\(reading.name) is not a disc level: a disc lies between two adjacent vertebrae\(hint)"
            )
        }
        let suggestion = NearMiss.suggest(trimmed, among: all.map(\.name))
        let hint = suggestion.map { "; did you mean \($0)?" } ?? "."
        throw levelError(
            text, suggestion: suggestion,
            "\"\(trimmed)\" is not a disc level\(hint) Write two adjacent vertebrae such as L4-L5 "
                + "(L4/L5, l4l5, L4-5 and L4 L5 are read too); levels run from C2-C3 to L5-S1, "
                + "with the transitional L5-L6 and S1-S2"
        )
    }

    /// The level `number` discs up from the lowest, as SPIDER numbers them (1 = L5-S1, 2 = L4-L5, …).
    ///
    /// - Parameters:
    ///   - number: 1 for the lowest disc.
    ///   - lowest: the lowest disc counted: L5-S1 for typical anatomy; L5-L6 (six lumbar-type vertebrae, the disc
    ///     above being L4-L5) or S1-S2 (lumbarised S1, the disc above being L5-S1) for transitional anatomy.
    /// - Throws: `SpineValidationError` (`out-of-range`) when `number` is below 1 or above C2-C3.
    public static func fromBottom(_ number: Int, lowest: DiscLevel = .L5S1) throws(SpineValidationError) -> DiscLevel {
        let chain = chain(lowest: lowest)
        guard (1...chain.count).contains(number) else {
            throw SpineValidationError(
                problem: .outOfRange, field: "number", value: String(number), allowed: ["1–\(chain.count)"],
                message: "disc number \(number) counted from the bottom is outside 1–\(chain.count) "
                    + "(1 = \(lowest.name), \(chain.count) = \(chain[0].name))"
            )
        }
        return chain[chain.count - number]
    }

    /// The discs of one spine, cranial to caudal, down to `lowest`: C2-C3 … L4-L5, L5-S1 for typical anatomy;
    /// … L4-L5, L5-L6 when L5-L6 is the lowest (six lumbar-type vertebrae: no L5-S1 below it); … L4-L5, L5-S1,
    /// S1-S2 when S1-S2 is (lumbarised S1); a mobile level cuts the chain there (`lowest: .L3L4` ends at L3-L4).
    public static func chain(lowest: DiscLevel = .L5S1) -> [DiscLevel] {
        switch lowest {
        case .L5L6: mobile.filter { $0 <= .L4L5 } + [.L5L6]
        case .S1S2: mobile + [.S1S2]
        default: mobile.filter { $0 <= lowest }
        }
    }

    /// An `unknown-level` error with all levels as the allowed values.
    private static func levelError(_ text: String, suggestion: String?, _ message: String) -> SpineValidationError {
        SpineValidationError(
            problem: .unknownLevel, field: "level", value: text, allowed: all.map(\.name), suggestion: suggestion,
            message: message
        )
    }
}

/// The vertebrae a level text names, read leniently.
enum LevelText {
    /// One vertebra as written: a region letter and a number (`L`, 4).
    struct Vertebra: Equatable {
        /// `C`, `T`, `L` or `S`.
        let letter: Character
        /// The number within the region.
        let number: Int

        /// `L4`.
        var name: String { "\(letter)\(number)" }

        /// Whether such a vertebra exists (L6 included, for transitional anatomy).
        var isVertebra: Bool {
            switch letter {
            case "C": (1...7).contains(number)
            case "T": (1...12).contains(number)
            case "L": (1...6).contains(number)
            case "S": (1...5).contains(number)
            default: false
            }
        }
    }

    /// A pair of vertebrae as read.
    struct Reading: Equatable {
        /// The vertebra written first.
        let upper: Vertebra
        /// The vertebra written second.
        let lower: Vertebra

        /// `L4-L5`.
        var name: String { "\(upper.name)-\(lower.name)" }
    }

    /// The possible readings of `text`: one, or several when the numbers run together (`T1011`, `L45`).
    static func readings(of text: String) -> [Reading] {
        var characters = Substring(text.uppercased())
        guard let firstLetter = letter(&characters) else { return [] }
        let firstDigits = digits(&characters)
        guard !firstDigits.isEmpty else { return [] }
        var separated = false
        while let next = characters.first, String.wordSeparators.contains(next) {
            separated = true
            characters.removeFirst()
        }
        let secondLetter = letter(&characters)
        let secondDigits = digits(&characters)
        guard characters.isEmpty else { return [] }
        if secondDigits.isEmpty {
            guard !separated, secondLetter == nil else { return [] }
            return splits(firstDigits).map {
                Reading(
                    upper: Vertebra(letter: firstLetter, number: $0), lower: Vertebra(letter: firstLetter, number: $1))
            }
        }
        guard let upper = Int(firstDigits), let lower = Int(secondDigits) else { return [] }
        return [
            Reading(
                upper: Vertebra(letter: firstLetter, number: upper),
                lower: Vertebra(letter: secondLetter ?? firstLetter, number: lower)
            )
        ]
    }

    /// Consumes a region letter (`C`, `T`, `TH`, `L`, `S`).
    private static func letter(_ text: inout Substring) -> Character? {
        if text.hasPrefix("TH") {
            text.removeFirst(2)
            return "T"
        }
        guard let first = text.first, "CTLS".contains(first) else { return nil }
        text.removeFirst()
        return first
    }

    /// Consumes ASCII digits.
    private static func digits(_ text: inout Substring) -> String {
        let run = text.prefix { $0.isASCII && $0.isNumber }
        text.removeFirst(run.count)
        return String(run)
    }

    /// Every way to cut a run of digits into two numbers without leading zeros (`1011` → 1|011 is skipped,
    /// 10|11, 101|1).
    private static func splits(_ digits: String) -> [(Int, Int)] {
        let characters = Array(digits)
        guard characters.count >= 2 else { return [] }
        return (1..<characters.count).compactMap { cut in
            let first = String(characters[..<cut])
            let second = String(characters[cut...])
            guard !second.hasPrefix("0"), !first.hasPrefix("0"), let a = Int(first), let b = Int(second) else {
                return nil
            }
            return (a, b)
        }
    }
}
