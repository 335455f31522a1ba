import AnnulusRecords

/// The store's timestamps are AnnulusRecords' (ISO 8601 UTC with milliseconds, as every record carries them);
/// the alias keeps `Timestamp` in reach of every Store file without importing AnnulusRecords in each.
typealias Timestamp = AnnulusRecords.Timestamp
