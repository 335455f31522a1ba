import DicomIO
import Foundation
import Store

/// What a DICOMweb retrieval (WADO-RS, PS3.18 10.4) names: a study, one of its series, or one instance of that
/// series.
public struct WADOTarget: Sendable, Equatable {
    /// Study Instance UID.
    public var studyUID: String
    /// Series Instance UID, for a series or an instance.
    public var seriesUID: String?
    /// SOP Instance UID, for an instance.
    public var instanceUID: String?

    /// A target.
    public init(studyUID: String, seriesUID: String? = nil, instanceUID: String? = nil) {
        self.studyUID = studyUID
        self.seriesUID = seriesUID
        self.instanceUID = instanceUID
    }

    /// The path of the target below the service root (`/studies/…/series/…/instances/…`).
    func path(_ record: InstanceRecord) -> String {
        "/studies/\(record.studyInstanceUID)/series/\(record.seriesInstanceUID)/instances/\(record.sopInstanceUID)"
    }
}

/// An archived instance to send as it is stored.
public struct StoredInstanceFile: Sendable, Equatable {
    /// SOP Instance UID.
    public var sopInstanceUID: String
    /// Where the Part 10 file is.
    public var path: String
    /// Its size when looked at.
    public var size: Int64
}

extension UseCases {
    /// The indexed instances `target` names, in the index's order (series by number, instances by number).
    ///
    /// - Throws: `AppError.notFound` when the study, the series in that study or the instance in that series is not
    ///   indexed.
    public func instances(of target: WADOTarget, by principal: Principal) async throws(AppError) -> [InstanceRecord] {
        try await perform { try Self.records(target, store: self.environment.store) }
    }

    /// The Part 10 files of `target`'s instances, checked to be regular files now (their bytes are streamed later).
    ///
    /// - Throws: `AppError.notFound` as `instances(of:by:)`; `AppError.internal` (code `archive-file-missing`) when
    ///   an indexed file is gone from the archive.
    public func storedFiles(of target: WADOTarget, by principal: Principal) async throws(AppError)
        -> [StoredInstanceFile]
    {
        try await perform {
            try Self.records(target, store: self.environment.store).map { record in
                var status = stat()
                guard stat(record.path, &status) == 0, (status.st_mode & S_IFMT) == S_IFREG else {
                    throw AppError.internal(
                        "the archived file of instance \(record.sopInstanceUID) is missing: run `annulus check`",
                        code: "archive-file-missing")
                }
                return StoredInstanceFile(
                    sopInstanceUID: record.sopInstanceUID, path: record.path, size: Int64(status.st_size))
            }
        }
    }

    /// The DICOM JSON object (PS3.18 F.2, written by DCMTK) of each instance `target` names, in order: its whole
    /// header with pixel data and binary values over 1 KiB as `BulkDataURI`s below the instance's URL
    /// (`<base>/studies/…/instances/…/bulkdata/<tag>`). Each file is opened with the environment's read bounds.
    ///
    /// - Throws: `AppError.notFound` as `instances(of:by:)`; the file's error when one cannot be read or written.
    public func metadata(of target: WADOTarget, baseURL: String, by principal: Principal) async throws(AppError)
        -> [Data]
    {
        let records = try await instances(of: target, by: principal)
        var options = environment.readOptions
        options.headerOnly = false
        let readOptions = options
        return try await perform {
            try records.map { record in
                let file = try DicomFile(path: record.path, options: readOptions)
                return try file.dicomJSON(bulkDataURIPrefix: baseURL + target.path(record) + "/bulkdata/")
            }
        }
    }

    static func records(_ target: WADOTarget, store: AnnulusStore) throws -> [InstanceRecord] {
        if let instanceUID = target.instanceUID {
            guard let record = try store.instance(sopInstanceUID: instanceUID),
                record.studyInstanceUID == target.studyUID,
                target.seriesUID == nil || record.seriesInstanceUID == target.seriesUID
            else {
                throw AppError.notFound(
                    "no instance \(instanceUID) is indexed in that study and series", code: "unknown-instance")
            }
            return [record]
        }
        let series = try store.series(ofStudy: target.studyUID)
        guard !series.isEmpty else {
            throw AppError.notFound(
                "no study with Study Instance UID \(target.studyUID) is indexed", code: "unknown-study")
        }
        if let seriesUID = target.seriesUID {
            guard series.contains(where: { $0.seriesInstanceUID == seriesUID }) else {
                throw AppError.notFound("no series \(seriesUID) is indexed in that study", code: "unknown-series")
            }
            return try store.instances(ofSeries: seriesUID)
        }
        return try series.flatMap { try store.instances(ofSeries: $0.seriesInstanceUID) }
    }
}
