import AnnulusRecords
import DicomIO
import Foundation
import Store

/// The two export formats.
public enum ExportFormat: String, Sendable, Equatable, CaseIterable, Codable {
    /// A FHIR R4 transaction Bundle (docs/handoff.md).
    case fhir
    /// The native findings document (docs/findings.schema.json).
    case findings

    /// The file name suffix: `.fhir.json` or `.findings.json`.
    public var fileSuffix: String { self == .fhir ? ".fhir.json" : ".findings.json" }
}

/// What to export.
public struct ExportRequest: Sendable, Equatable {
    /// The study (UID, accession or unique prefix).
    public var study: String
    /// The format.
    public var format: ExportFormat
    /// Export draft findings too (marked as drafts; the report stays preliminary).
    public var includeDrafts: Bool

    /// Creates a request.
    public init(study: String, format: ExportFormat, includeDrafts: Bool = false) {
        self.study = study
        self.format = format
        self.includeDrafts = includeDrafts
    }
}

/// One study's export: the bytes and the name to keep them under.
public struct ExportDocument: Sendable, Equatable {
    /// The study exported.
    public var study: StudySummary
    /// The format.
    public var format: ExportFormat
    /// The document (JSON).
    public var data: Data

    /// A document of `study` in `format`.
    public init(study: StudySummary, format: ExportFormat, data: Data) {
        self.study = study
        self.format = format
        self.data = data
    }

    /// `<accession or UID>.fhir.json` / `.findings.json` (see `fileStem`).
    public var fileName: String { ExportDocument.fileStem(study) + format.fileSuffix }

    /// A study's name in file and folder names: its accession number when that is a plain name (letters, digits,
    /// `-`, `_`, `.`, at most 64, not starting with a dot), else its Study Instance UID. An accession such as
    /// `CT/2024/1` or `../x` must not steer a path.
    public static func fileStem(_ study: StudySummary) -> String {
        if let accession = study.accessionNumber, !accession.isEmpty, accession.count <= 64,
            accession.allSatisfy({ ($0.isLetter || $0.isNumber) && $0.isASCII || "-_.".contains($0) }),
            !accession.hasPrefix(".")
        {
            return accession
        }
        return study.studyInstanceUID
    }

    /// Writes the document into `folder` (created when missing) atomically and returns its path.
    public func write(into folder: String) throws(AppError) -> String {
        let path = folder + "/" + fileName
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try AtomicFile.write(data, to: path)
        } catch {
            throw AppError(error)
        }
        return path
    }
}

extension UseCases {
    /// The study's export: its signed findings (drafts too when asked, marked), those of the patient's other
    /// studies that the evaluation used, retractions since an earlier export, and the patient's evaluation.
    public func export(_ request: ExportRequest, by principal: Principal) async throws(AppError) -> ExportDocument {
        try await perform {
            let target = try self.environment.store.resolveStudy(request.study)
            return ExportDocument(
                study: target, format: request.format,
                data: try self.exporter(format: request.format, includeDrafts: request.includeDrafts).data(for: target))
        }
    }

    func exporter(format: ExportFormat, includeDrafts: Bool) -> FindingsExporter {
        FindingsExporter(
            store: environment.store, includeDrafts: includeDrafts, rules: environment.rules, format: format,
            softwareVersion: environment.softwareVersion, now: environment.clock())
    }
}
