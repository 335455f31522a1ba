extension String {
    /// The string without leading and trailing whitespace (newlines included).
    var trimmedWhitespace: String {
        var characters = Substring(self)
        while let first = characters.first, first.isWhitespace { characters.removeFirst() }
        while let last = characters.last, last.isWhitespace { characters.removeLast() }
        return String(characters)
    }

    /// The whole number the text writes (`3`, `3.0`, ` 3 `), or `nil`.
    var wholeNumber: Int? {
        let text = trimmedWhitespace
        if let number = Int(text) { return number }
        guard let number = Double(text), number.isFinite, number == number.rounded(), abs(number) < 1e9 else {
            return nil
        }
        return Int(number)
    }

    /// The finite number the text writes, or `nil`.
    var finiteNumber: Double? {
        guard let number = Double(trimmedWhitespace), number.isFinite else { return nil }
        return number
    }
}
