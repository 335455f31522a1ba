import AnnulusRecords
import DicomIO
import Findings
import Foundation
import Store
import StructuredReports

/// One study's DICOM SR export: the findings report (Enhanced SR, TID 1500) and, when a finding is marked on an
/// image, the key-object selection of those images (docs/handoff.md, "DICOM SR").
public struct StructuredReportExport: Sendable, Equatable {
    /// One document: its file name, bytes and record.
    public struct Document: Sendable, Equatable {
        /// `<accession or UID>.sr.dcm` / `.kos.dcm`.
        public var fileName: String
        /// The DICOM file.
        public var data: Data
        /// Its identity, as recorded in the store.
        public var record: StructuredReportRecord
        /// The document it supersedes (Predecessor Documents Sequence), when there was an earlier one.
        public var supersedes: String?
        /// False when the content was unchanged since the last export: the same document again (same UID, bytes).
        public var isNew: Bool
    }

    /// The study.
    public var study: StudySummary
    /// The findings report.
    public var report: Document
    /// The key-object selection, when a finding is marked on an image.
    public var keyObjects: Document?
    /// Whether the report is verified (every finding in it signed by a clinician); otherwise preliminary.
    public var isVerified: Bool
    /// How many findings (measurement groups) the report carries.
    public var findingCount: Int

    /// The documents, report first.
    public var documents: [Document] { [report] + (keyObjects.map { [$0] } ?? []) }

    /// Writes the documents into `folder` (created when missing), each atomically, and returns their paths.
    public func write(into folder: String) throws(AppError) -> [String] {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            return try documents.map { document in
                let path = folder + "/" + document.fileName
                try AtomicFile.write(document.data, to: path)
                return path
            }
        } catch {
            throw AppError(error)
        }
    }
}

extension UseCases {
    /// The study's findings as DICOM SR: signed findings (drafts too when asked, then unverified and preliminary),
    /// the candidacy as report-level text. An unchanged content gives the same documents again; a changed one new
    /// documents, the report superseding the previous one (Predecessor Documents Sequence), never an edit.
    public func exportStructuredReport(study: String, includeDrafts: Bool, by principal: Principal)
        async throws(AppError) -> StructuredReportExport
    {
        try await perform {
            let store = self.environment.store
            let target = try store.resolveStudy(study)
            let input = try self.exporter(format: .findings, includeDrafts: includeDrafts).input(for: target)
            let builder = try StructuredReportPlanner(store: store).builder(for: input)
            // With every finding retracted, a report that withdraws them still supersedes the one a PACS holds.
            guard builder.findingCount > 0 || builder.withdrawnCount > 0 else {
                throw AppError.invalidInput(
                    "study \(target.studyInstanceUID) has no \(includeDrafts ? "" : "signed ")findings to report",
                    field: "study",
                    suggestion: includeDrafts
                        ? "annotate the study first" : "sign its findings, or use --include-drafts")
            }
            let studyFile = try StructuredReportPlanner(store: store).studyFile(of: target)
            let now = self.environment.clock()
            let stem = ExportDocument.fileStem(target)
            let report = try StructuredReportPlanner.document(
                kind: .report, study: target, store: store, now: now, fileName: stem + ".sr.dcm",
                content: { builder.report(identity: $0) },
                encode: { try SRDocumentEncoder.encode($0, studyFile: studyFile) })
            var keyObjects: StructuredReportExport.Document?
            if builder.hasKeyImages {
                keyObjects = try StructuredReportPlanner.document(
                    kind: .keyObjects, study: target, store: store, now: now, fileName: stem + ".kos.dcm",
                    content: { builder.keyObjects(identity: $0) },
                    encode: { try SRDocumentEncoder.encode($0, studyFile: studyFile) })
            }
            return StructuredReportExport(
                study: target, report: report, keyObjects: keyObjects,
                isVerified: builder.isVerified,
                findingCount: builder.findingCount)
        }
    }
}

/// Gathers what the SR builder needs from the store and gives each document its identity.
struct StructuredReportPlanner {
    var store: AnnulusStore

    /// The identity used to digest content apart from identity.
    static let placeholder = SRDocumentIdentity(
        studyInstanceUID: "", seriesInstanceUID: "", sopInstanceUID: "", seriesNumber: 0, instanceNumber: 0,
        seriesDescription: "", contentDate: "", contentTime: "")

    /// The builder: the authors' names as DICOM person names, the anchored images' classes and frame counts.
    func builder(for input: ExportInput) throws -> SRReportBuilder {
        var images: [String: SRImageFacts] = [:]
        var names: [String: String] = [:]
        for version in input.annotations {
            if let uid = version.sopInstanceUID, images[uid] == nil,
                let record = try store.instance(sopInstanceUID: uid)
            {
                images[uid] = SRImageFacts(sopClassUID: record.sopClassUID, frames: record.frames)
            }
            for account in [version.author, version.signedBy].compactMap(\.self) where names[account] == nil {
                names[account] = Self.personName(
                    account: account, displayName: try store.account(named: account)?.displayName)
            }
        }
        return SRReportBuilder(input: input, personNames: names, images: images, organization: "Annulus")
    }

    /// A DICOM file of the study, whose patient and study attributes the documents copy.
    func studyFile(of study: StudySummary) throws -> String {
        for series in try store.series(ofStudy: study.studyInstanceUID) {
            if let first = try store.instances(ofSeries: series.seriesInstanceUID).first { return first.path }
        }
        throw AppError.conflict(
            "study \(study.studyInstanceUID) has no indexed instance to take the patient and study from")
    }

    /// A person name for DICOM (PN): "Family^Given" from an account's display name ("Rita Reader" →
    /// "Reader^Rita"), the account name as family name otherwise; `^` and `=` and `\` in names dropped.
    static func personName(account: String, displayName: String?) -> String {
        let clean = { (text: String) in text.filter { !"^=\\".contains($0) && !$0.isNewline } }
        let words = clean(displayName ?? "").split(separator: " ").map(String.init)
        guard words.count >= 2 else { return clean(words.first ?? account) + "^" }
        return words.last! + "^" + words.dropLast().joined(separator: " ")
    }

    /// One document of `kind`: the previous one again when the content is unchanged, else a new one superseding
    /// it. The record is written before the bytes are returned (a document handed out is always on record).
    static func document<Content>(
        kind: StructuredReportRecord.Kind, study: StudySummary, store: AnnulusStore, now: Date, fileName: String,
        content: (SRDocumentIdentity) -> Content, encode: (Content) throws -> Data
    ) throws -> StructuredReportExport.Document {
        let studyUID = study.studyInstanceUID
        let digest = NameBasedUUID.dicomUID(name: String(reflecting: content(placeholder)))
        let previous = try store.latestStructuredReport(studyUID: studyUID, kind: kind)
        let sopClass =
            kind == .report ? "1.2.840.10008.5.1.4.1.1.88.22" : "1.2.840.10008.5.1.4.1.1.88.59"
        let record: StructuredReportRecord
        var predecessors: [SRImageReference] = []
        if let previous, previous.contentDigest == digest {
            record = previous
        } else {
            let number = (previous?.instanceNumber ?? 0) + 1
            let (date, time) = dicomDateTime(now)
            record = StructuredReportRecord(
                // The time makes it unique even when a rebuilt store numbers a study's documents from 1 again.
                sopInstanceUID: NameBasedUUID.dicomUID(
                    name: "\(kind.rawValue)|\(studyUID)|\(number)|\(digest)|\(Timestamp.string(now))"),
                studyUID: studyUID, kind: kind,
                seriesUID: NameBasedUUID.dicomUID(name: "\(kind.rawValue)-series|\(studyUID)"), sopClassUID: sopClass,
                instanceNumber: number, contentDigest: digest, contentDate: date, contentTime: time,
                createdAt: Timestamp.string(now))
        }
        if kind == .report, let superseded = try predecessor(of: record, store: store) {
            predecessors = [superseded]
        }
        let identity = SRDocumentIdentity(
            studyInstanceUID: studyUID, seriesInstanceUID: record.seriesUID, sopInstanceUID: record.sopInstanceUID,
            seriesNumber: kind == .report ? 9001 : 9002, instanceNumber: record.instanceNumber,
            seriesDescription: kind == .report ? "Annulus disc-level findings" : "Annulus key images",
            contentDate: record.contentDate, contentTime: record.contentTime, predecessors: predecessors)
        let data = try encode(content(identity))
        try store.recordStructuredReport(record)
        return StructuredReportExport.Document(
            fileName: fileName, data: data, record: record, supersedes: predecessors.first?.sopInstanceUID,
            isNew: record != previous)
    }

    /// The report `record` supersedes: the study's report with the instance number before it.
    private static func predecessor(of record: StructuredReportRecord, store: AnnulusStore) throws -> SRImageReference?
    {
        guard record.instanceNumber > 1,
            let previous = try store.structuredReport(
                studyUID: record.studyUID, kind: record.kind, instanceNumber: record.instanceNumber - 1)
        else { return nil }
        return SRImageReference(
            seriesInstanceUID: previous.seriesUID, sopClassUID: previous.sopClassUID,
            sopInstanceUID: previous.sopInstanceUID)
    }

    /// DICOM DA and TM of an instant, in UTC.
    static func dicomDateTime(_ date: Date) -> (String, String) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        func two(_ value: Int?) -> String { String(format: "%02d", value ?? 0) }
        return (
            String(format: "%04d", parts.year ?? 1970) + two(parts.month) + two(parts.day),
            two(parts.hour) + two(parts.minute) + two(parts.second)
        )
    }
}
