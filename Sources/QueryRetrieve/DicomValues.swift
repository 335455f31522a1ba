/// Checks of DICOM values, for what Annulus sends to a PACS and for what a PACS sends back (PS3.5 6.2).
public enum DicomValues {
    /// Whether `text` is a UID: 1 to 64 characters, digit groups separated by dots, no group with a leading zero.
    public static func isUID(_ text: String) -> Bool {
        guard (1...64).contains(text.utf8.count) else { return false }
        let groups = text.split(separator: ".", omittingEmptySubsequences: false)
        return groups.allSatisfy { group in
            !group.isEmpty && group.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } && (group == "0" || group.first != "0")
        }
    }

    /// Whether `text` is a DA value, `YYYYMMDD` with a real month and day.
    public static func isDate(_ text: some StringProtocol) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 8, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let month = Int(text.dropFirst(4).prefix(2)), let day = Int(text.suffix(2))
        else { return false }
        return (1...12).contains(month) && (1...31).contains(day)
    }

    /// Whether `text` is a date or a date range for matching: `YYYYMMDD`, `YYYYMMDD-`, `-YYYYMMDD` or
    /// `YYYYMMDD-YYYYMMDD` (start not after end).
    public static func isDateRange(_ text: String) -> Bool {
        let parts = text.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        if parts.count == 1 { return isDate(parts[0]) }
        let (start, end) = (parts[0], parts[1])
        if start.isEmpty && end.isEmpty { return false }
        if !start.isEmpty && !isDate(start) { return false }
        if !end.isEmpty && !isDate(end) { return false }
        return start.isEmpty || end.isEmpty || start <= end
    }

    /// Whether `text` is a TM value as a PACS may send it (`HHMMSS`, fewer digits, or with a fraction).
    public static func isTime(_ text: String) -> Bool {
        let parts = text.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let main = parts[0]
        guard [2, 4, 6].contains(main.utf8.count), main.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return false
        }
        guard parts.count == 2 else { return true }
        return (1...6).contains(parts[1].utf8.count) && parts[1].utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// Whether `text` is a CS code such as a modality: 1 to 16 upper-case letters, digits, spaces or underscores.
    public static func isCode(_ text: some StringProtocol) -> Bool {
        (1...16).contains(text.utf8.count)
            && text.utf8.allSatisfy {
                ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x20 || $0 == 0x5F
            }
    }

    /// Whether `text` has no control character (C0, DEL, C1) and no backslash (the value separator).
    public static func isPlainText(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { scalar in
            let value = scalar.value
            return value >= 0x20 && value != 0x7F && !(0x80...0x9F).contains(value) && scalar != "\\"
        }
    }
}
