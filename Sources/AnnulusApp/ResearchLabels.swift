import AnnulusRecords
import Foundation
import ResearchImport
import SpineModel
import Store
import TextSafety

/// Research label files (RSNA 2024, SPIDER) as read by a face: each file's name and text.
public enum ResearchLabelFiles: Sendable, Equatable {
    /// RSNA 2024: `train_label_coordinates.csv` and `train.csv` (severities).
    case rsna(coordinatesName: String, coordinates: String, trainName: String, train: String)
    /// SPIDER: `radiological_gradings.csv`.
    case spider(name: String, gradings: String)

    /// The labels read as findings, with a report of the rows that cannot be mapped. A file without the columns
    /// needed, or not CSV, is invalid input. Pure: a face may call it before opening the store.
    public func parsed() throws(AppError) -> ImportResult {
        do {
            switch self {
            case .rsna(let coordinatesName, let coordinates, let trainName, let train):
                return try RSNAImporter.parseThrowing(
                    coordinatesCSV: coordinates, trainCSV: train, coordinatesFile: coordinatesName,
                    trainFile: trainName)
            case .spider(let name, let gradings):
                return try SPIDERImporter.parseThrowing(gradingsCSV: gradings, file: name)
            }
        } catch {
            throw AppError(error)
        }
    }
}

/// What an import of research labels did: the draft findings written, and every label that could not be placed,
/// with the reason.
public struct ResearchLabelImport: Sendable {
    /// A draft written, with the label it came from.
    public struct Imported: Sendable {
        /// The draft (version 1).
        public var version: AnnotationVersion
        /// The label.
        public var finding: ImportedFinding
    }

    /// A label not imported: where it is in its file and why.
    public struct Unmapped: Sendable, Equatable {
        /// `FILE row N (column)`, or the source rows of a finding.
        public var location: String
        /// Why.
        public var reason: String

        init(_ row: UnmappedRow) {
            location = "\(row.file) row \(row.row)" + (row.column.map { " (\($0))" } ?? "")
            reason = row.reason
        }

        init(finding: ImportedFinding, reason: String) {
            location = finding.sourceRows.map(\.description).joined(separator: ", ")
            self.reason = reason
        }
    }

    /// The drafts written.
    public var imported: [Imported]
    /// The labels not imported: the files' unmappable rows, then the findings that could not be placed.
    public var unmapped: [Unmapped]
}

extension UseCases {
    /// Imports research labels as draft findings by `principal` (the importer): each is matched to an indexed
    /// study (RSNA: by Study Instance UID or accession; SPIDER: by Patient ID, or `fixedStudy` when the file holds
    /// one patient) and, for RSNA, anchored on its instance. A label that cannot be placed is reported, and the
    /// others are still imported.
    public func importResearchLabels(_ labels: ImportResult, fixedStudy: String?, by principal: Principal)
        async throws(AppError) -> ResearchLabelImport
    {
        try await perform {
            let store = self.environment.store
            let matcher = try StudyMatcher(store: store, fixedStudy: fixedStudy)
            var result = ResearchLabelImport(
                imported: [], unmapped: labels.unmapped.map(ResearchLabelImport.Unmapped.init))
            for finding in labels.findings {
                do {
                    let (target, anchor) = try matcher.place(finding)
                    let annotation = LevelAnnotation(
                        level: finding.level, numberingBasis: .unknown, finding: finding.finding, anchor: anchor,
                        note: finding.note)
                    let version = try store.add(
                        NewAnnotation(
                            studyUID: target, seriesUID: anchor?.seriesInstanceUID,
                            sopInstanceUID: anchor?.sopInstanceUID, frame: anchor?.frame, level: finding.level.name,
                            findingKind: finding.finding.kind.rawValue, payload: annotation.encodedJSON()),
                        author: principal.name,
                        reason: "imported from " + finding.sourceRows.map(\.description).joined(separator: ", "))
                    result.imported.append(.init(version: version, finding: finding))
                } catch let error as AppError where error.isRefusal {
                    result.unmapped.append(.init(finding: finding, reason: error.message))
                } catch let error as StoreError where error.isRefusal {
                    // The store refuses this label (e.g. its image is not in the study): reported, the others
                    // imported.
                    result.unmapped.append(.init(finding: finding, reason: error.description))
                }
            }
            return result
        }
    }
}

/// Finds the indexed study (and, for RSNA, the instance and anchor) an imported label belongs to.
struct StudyMatcher {
    let store: AnnulusStore
    let studies: [StudySummary]
    let fixed: StudySummary?

    init(store: AnnulusStore, fixedStudy: String?) throws {
        self.store = store
        studies = try store.studies()
        fixed = try fixedStudy.map { try store.resolveStudy($0) }
    }

    /// The study UID and the anchor of `finding`, or invalid input saying why it cannot be placed.
    func place(_ finding: ImportedFinding) throws -> (String, ImageAnchor?) {
        let study: StudySummary
        switch finding.source {
        case .rsna:
            guard
                let match = studies.first(where: {
                    $0.studyInstanceUID == finding.studyKey || $0.accessionNumber == finding.studyKey
                })
            else {
                throw AppError.invalidInput(
                    "study \(finding.studyKey) is not in the store: ingest its images first (`annulus ingest`)",
                    field: "study_id", value: finding.studyKey, code: "unknown-study")
            }
            study = match
        case .spider:
            if let fixed {
                study = fixed
            } else {
                let matches = studies.filter { $0.patientID == finding.studyKey }
                guard matches.count == 1, let match = matches.first else {
                    throw AppError.invalidInput(
                        matches.isEmpty
                            ? "no indexed study of patient \(finding.studyKey): ingest it, or pass --study"
                            : "patient \(finding.studyKey) has \(matches.count) studies: pass --study to choose one",
                        field: "Patient", code: matches.isEmpty ? "unknown-patient" : "ambiguous-patient")
                }
                study = match
            }
        }
        guard let seriesKey = finding.seriesKey, let instanceNumber = finding.instanceNumber else {
            return (study.studyInstanceUID, nil)
        }
        guard
            let record = try store.instances(ofSeries: seriesKey).first(where: {
                $0.instanceNumber == instanceNumber && $0.studyInstanceUID == study.studyInstanceUID
            })
        else {
            throw AppError.invalidInput(
                "series \(seriesKey) instance \(instanceNumber) is not indexed in study \(study.studyInstanceUID)",
                field: "instance_number", code: "unknown-instance")
        }
        guard let point = finding.point else { return (study.studyInstanceUID, nil) }
        guard (0...Double(record.columns)).contains(point.x), (0...Double(record.rows)).contains(point.y) else {
            throw AppError.invalidInput(
                "point \(point.x),\(point.y) lies outside the \(record.columns) × \(record.rows) image",
                field: "x,y", code: "point-outside-image")
        }
        let positions = record.patientPositions(of: [point])
        return (
            study.studyInstanceUID,
            ImageAnchor(
                studyInstanceUID: study.studyInstanceUID, seriesInstanceUID: record.seriesInstanceUID,
                sopInstanceUID: record.sopInstanceUID, frame: 1, points: [point], patientPositions: positions)
        )
    }
}
