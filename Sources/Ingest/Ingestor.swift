import DicomIO
import Foundation
import Store

/// What one ingest run did.
public struct IngestReport: Sendable, Equatable {
    /// Files newly indexed.
    public var added: [String] = []
    /// Files already indexed with the same content (idempotent re-ingest).
    public var unchanged: [String] = []
    /// Files whose SOP Instance UID was indexed with other content: the new file replaced the old record.
    public var replaced: [(path: String, previous: String)] = []
    /// Files that could not be indexed, with the reason.
    public var failed: [DicomError] = []

    /// Creates an empty report.
    public init() {}

    /// Equal when every list is equal.
    public static func == (lhs: IngestReport, rhs: IngestReport) -> Bool {
        lhs.added == rhs.added && lhs.unchanged == rhs.unchanged && lhs.failed == rhs.failed
            && lhs.replaced.map(\.path) == rhs.replaced.map(\.path)
            && lhs.replaced.map(\.previous) == rhs.replaced.map(\.previous)
    }
}

/// Indexes files into the store: headers read in parallel, records written in batched transactions.
public struct Ingestor: Sendable {
    /// The store to fill.
    public let store: AnnulusStore
    /// Reader bounds for files from outside.
    public var readOptions: DicomReadOptions

    /// Creates an ingestor.
    public init(store: AnnulusStore, readOptions: DicomReadOptions = DicomReadOptions()) {
        self.store = store
        self.readOptions = readOptions
    }

    /// Indexes `paths` (files), in order, and reports what happened to each.
    public func ingest(_ paths: [String]) throws -> IngestReport {
        var report = IngestReport()
        let batchSize = 256
        for start in stride(from: 0, to: paths.count, by: batchSize) {
            let batch = Array(paths[start..<min(start + batchSize, paths.count)])
            let options = readOptions
            let results = Parallel.map(batch) { path in
                Result { try InstanceReader.record(path: path, options: options) }
            }
            var records: [InstanceRecord] = []
            for (path, result) in zip(batch, results) {
                switch result {
                case .success(let record): records.append(record)
                case .failure(let error):
                    report.failed.append(
                        (error as? DicomError) ?? DicomError(.internal, path: path, message: "\(error)"))
                }
            }
            let outcomes = try store.ingest(records)
            for (record, outcome) in zip(records, outcomes) {
                switch outcome {
                case .added: report.added.append(record.path)
                case .unchanged: report.unchanged.append(record.path)
                case .replaced(let previous): report.replaced.append((record.path, previous))
                }
            }
        }
        return report
    }
}
