import Foundation

/// The store's time text, for modules that compare or show the times the store records.
///
/// Times are ISO 8601 UTC with milliseconds ("2026-05-06T14:03:07.125Z"); the text sorts chronologically.
public enum StoreTimestamp {
    /// Formats `date` as the store does (truncated to whole milliseconds).
    public static func string(_ date: Date) -> String { Timestamp.string(date) }

    /// Parses the store's time text (also without a fraction, or with 1–9 fraction digits); nil otherwise.
    public static func date(_ text: String) -> Date? { Timestamp.date(text) }
}
