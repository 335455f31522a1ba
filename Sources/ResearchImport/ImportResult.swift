/// What an importer made of its files: the findings, and every row or value it could not map.
public struct ImportResult: Sendable, Equatable {
    /// The findings, in file order.
    public var findings: [ImportedFinding]
    /// The rows and values not imported, each with the reason, in file order.
    public var unmapped: [UnmappedRow]

    /// Creates a result.
    public init(findings: [ImportedFinding] = [], unmapped: [UnmappedRow] = []) {
        self.findings = findings
        self.unmapped = unmapped
    }

    /// Appends another result's findings and reports.
    mutating func append(_ other: ImportResult) {
        findings += other.findings
        unmapped += other.unmapped
    }
}
