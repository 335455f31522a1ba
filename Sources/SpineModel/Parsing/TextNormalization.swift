extension String {
    /// Characters treated as separators between the parts of a word (`L4-L5`, `L4/L5`, `tear_side`).
    static let wordSeparators: Set<Character> = ["-", "/", "_", " ", ".", "\u{2013}", "\u{2014}", "\t"]

    /// The string without any separator characters.
    func removingSeparators() -> String {
        String(filter { !String.wordSeparators.contains($0) })
    }

    /// The string without leading and trailing whitespace.
    func trimmedWhitespace() -> String {
        let characters = Array(self)
        var start = 0
        var end = characters.count
        while start < end, characters[start].isWhitespace { start += 1 }
        while end > start, characters[end - 1].isWhitespace { end -= 1 }
        return String(characters[start..<end])
    }

    /// A value as typed, made comparable with the vocabulary: trimmed, lower-cased, with spaces and
    /// underscores turned into hyphens (`Foraminal Left` → `foraminal-left`); slashes are kept (`1/2`).
    func normalizedTerm() -> String {
        let words = trimmedWhitespace().lowercased().split(whereSeparator: { $0 == " " || $0 == "_" || $0 == "\t" })
        return words.joined(separator: "-").replacingDashes()
    }

    /// En and em dashes replaced by hyphens.
    func replacingDashes() -> String {
        String(map { $0 == "\u{2013}" || $0 == "\u{2014}" ? "-" : $0 })
    }
}

/// A number as people write it: whole numbers without a decimal point, others in their shortest form.
func formatNumber(_ value: Double) -> String {
    if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
        return String(Int(value))
    }
    return String(value)
}
