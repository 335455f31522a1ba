import DicomIO
import Ingest
import Store

/// What an ingest run did: every file added, unchanged, replaced or failed (operands that are not usable files
/// first), and how many files were looked at.
public struct IngestRun: Sendable, Equatable {
    /// The outcome of each file.
    public var report: IngestReport
    /// Files found under the operands, plus the operands that could not be used.
    public var files: Int
}

extension UseCases {
    /// Indexes DICOM files into the store from their headers (pixel data is never decoded), walking folders
    /// recursively; idempotent by SOP Instance UID and content. Files are neither copied nor moved.
    public func ingest(_ paths: [String], by principal: Principal) async throws(AppError) -> IngestRun {
        try await perform {
            let expansion = InputFiles.expand(paths, recursive: true)
            var report = try Ingestor(store: self.environment.store, readOptions: self.environment.readOptions)
                .ingest(expansion.files)
            report.failed = expansion.problems + report.failed
            return IngestRun(report: report, files: expansion.files.count + expansion.problems.count)
        }
    }
}
