import AnnulusRecords
import Findings
import Foundation
import SpineModel
import Store
import StructuredReports

/// What importing an SR document did: the drafts written, and what could not be mapped, with the reason.
public struct StructuredReportImport: Sendable {
    /// A draft written, with the group it came from.
    public struct Imported: Sendable {
        /// The draft (version 1).
        public var version: AnnotationVersion
        /// The group's tracking identifier (or position).
        public var source: String
    }

    /// A group exported from a finding this store already has (its Tracking UID names the annotation): not
    /// imported again, since the store holds that finding's whole history.
    public struct AlreadyPresent: Sendable {
        /// The finding's latest version in this store.
        public var latest: AnnotationVersion
        /// The group's tracking identifier (or position).
        public var source: String
    }

    /// The study the report belongs to.
    public var study: StudySummary
    /// The drafts written.
    public var imported: [Imported]
    /// Groups that are findings of this store already (re-importing a report Annulus exported): not duplicated.
    public var alreadyPresent: [AlreadyPresent] = []
    /// Groups and items not imported: where and why.
    public var unmapped: [SRFindingMapper.Unmapped]
}

extension UseCases {
    /// Imports the findings of a TID 1500 report (Annulus's or another tool's) at `path` as drafts by `principal`:
    /// the report's study must be indexed; a finding marked on an image of that study keeps its mark. Every group
    /// or value that cannot be mapped is reported; the rest are still imported. A group whose Tracking UID names a
    /// finding of this study already in the store (a report this store exported, read back) is listed as already
    /// present and not imported again.
    public func importStructuredReport(path: String, by principal: Principal) async throws(AppError)
        -> StructuredReportImport
    {
        try await perform {
            let document: SRDocumentTree
            do { document = try SRDocumentReader().read(path: path) } catch let error as SRError {
                throw AppError.invalidInput(error.description, field: "sr")
            }
            let store = self.environment.store
            guard let study = try store.studies().first(where: { $0.studyInstanceUID == document.studyInstanceUID })
            else {
                throw AppError.notFound(
                    "the report's study \(document.studyInstanceUID) is not indexed: import its images first",
                    field: "sr")
            }
            let (findings, problems) = SRFindingMapper.map(document)
            var result = StructuredReportImport(study: study, imported: [], unmapped: problems)
            for finding in findings {
                if let existing = try Self.finding(trackedBy: finding.trackingUID, in: study, store: store) {
                    result.alreadyPresent.append(.init(latest: existing, source: finding.source))
                    continue
                }
                var annotation = finding.annotation
                if let mark = finding.mark {
                    if let record = try store.instance(sopInstanceUID: mark.sopInstanceUID),
                        record.studyInstanceUID == study.studyInstanceUID
                    {
                        annotation.anchor = ImageAnchor(
                            studyInstanceUID: study.studyInstanceUID, seriesInstanceUID: record.seriesInstanceUID,
                            sopInstanceUID: record.sopInstanceUID, frame: mark.frame, points: mark.points,
                            patientPositions: record.patientPositions(of: mark.points, frame: mark.frame))
                    } else {
                        result.unmapped.append(
                            .init(
                                location: finding.source,
                                reason: "marked on image \(mark.sopInstanceUID), which is not in the study: "
                                    + "imported without its mark"))
                    }
                }
                do {
                    try annotation.validate()
                    let anchor = annotation.anchor
                    let version = try store.add(
                        NewAnnotation(
                            studyUID: study.studyInstanceUID, seriesUID: anchor?.seriesInstanceUID,
                            sopInstanceUID: anchor?.sopInstanceUID, frame: anchor?.frame,
                            level: annotation.level.name, findingKind: annotation.finding.kind.rawValue,
                            payload: annotation.encodedJSON()),
                        author: principal.name,
                        reason: "imported from DICOM SR \(document.sopInstanceUID) (\(finding.source))")
                    result.imported.append(.init(version: version, source: finding.source))
                } catch let error as SpineValidationError {
                    result.unmapped.append(.init(location: finding.source, reason: error.message))
                } catch let error as StoreError where error.isRefusal {
                    result.unmapped.append(.init(location: finding.source, reason: error.description))
                }
            }
            return result
        }
    }

    /// The finding of `study` whose annotation id a Tracking UID (`2.25.` and the id's UUID, as the SR export
    /// writes it) names, or nil (another tool's UID, or a finding this store does not have).
    private static func finding(trackedBy trackingUID: String?, in study: StudySummary, store: AnnulusStore)
        throws(StoreError) -> AnnotationVersion?
    {
        guard let trackingUID, let id = NameBasedUUID.uuidText(dicomUID: trackingUID) else { return nil }
        guard let latest = try store.latest(id: id), latest.studyUID == study.studyInstanceUID else { return nil }
        return latest
    }
}
