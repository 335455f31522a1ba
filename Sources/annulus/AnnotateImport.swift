import AnnulusRecords
import ArgumentParser
import Foundation
import ResearchImport
import SpineModel
import Store
import TextSafety

/// `annulus annotate import`: research labels (RSNA 2024, SPIDER) as draft findings by a named importer.
struct AnnotateImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract:
            "Import research labels (RSNA 2024 or SPIDER) as draft findings, with a report of what was not mapped.",
        discussion: """
            RSNA 2024: --rsna-coordinates train_label_coordinates.csv --rsna-train train.csv. Rows are matched to \
            indexed studies whose Study Instance UID (or accession) is the study_id, and anchored on the instance \
            of series_id with that instance_number at x,y. SPIDER: --spider radiological_gradings.csv; rows are \
            matched to the study of the patient whose Patient ID is the Patient value, or to --study when the file \
            holds one patient. Every finding is a draft by --importer until a clinician signs it. \
            Exit status: 0 every row imported, 1 some rows could not be mapped (they are listed with the reason).
            """
    )

    @Option(help: ArgumentHelp("RSNA 2024 train_label_coordinates.csv.", valueName: "file"))
    var rsnaCoordinates: String?

    @Option(help: ArgumentHelp("RSNA 2024 train.csv (severities).", valueName: "file"))
    var rsnaTrain: String?

    @Option(help: ArgumentHelp("SPIDER radiological_gradings.csv.", valueName: "file"))
    var spider: String?

    @Option(help: ArgumentHelp("For SPIDER: the study all rows belong to (one patient per file).", valueName: "study"))
    var study: String?

    @Option(help: ArgumentHelp("Who imports (recorded as the author of every draft).", valueName: "name"))
    var importer: String

    @Flag(help: "One JSON object per imported finding and per unmapped row, then a summary.")
    var json = false

    @OptionGroup var storeOptions: StoreOptions
    @OptionGroup var global: GlobalOptions

    func validate() throws {
        let rsna = rsnaCoordinates != nil || rsnaTrain != nil
        guard rsna != (spider != nil) else {
            throw ValidationError("give either --rsna-coordinates with --rsna-train, or --spider")
        }
        if rsna, rsnaCoordinates == nil || rsnaTrain == nil {
            throw ValidationError("RSNA needs both --rsna-coordinates and --rsna-train")
        }
        guard !importer.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw ValidationError("--importer needs a name")
        }
    }

    mutating func run() async throws {
        try global.bootstrap()
        let result: ImportResult
        do {
            if let spider {
                result = try SPIDERImporter.parseThrowing(
                    gradingsCSV: try Self.read(spider), file: (spider as NSString).lastPathComponent)
            } else {
                let coordinates = rsnaCoordinates ?? ""
                let train = rsnaTrain ?? ""
                result = try RSNAImporter.parseThrowing(
                    coordinatesCSV: try Self.read(coordinates), trainCSV: try Self.read(train),
                    coordinatesFile: (coordinates as NSString).lastPathComponent,
                    trainFile: (train as NSString).lastPathComponent)
            }
        } catch let error as ResearchImportError {
            throw ValidationError(error.description)
        }
        let store = try storeOptions.open()
        let matcher = try StudyMatcher(store: store, fixedStudy: study)
        var unmapped = result.unmapped.map(Report.init)
        var imported: [(AnnotationVersion, ImportedFinding)] = []
        for finding in result.findings {
            do {
                let (target, anchor) = try matcher.place(finding)
                let annotation = LevelAnnotation(
                    level: finding.level, numberingBasis: .unknown, finding: finding.finding, anchor: anchor,
                    note: finding.note)
                let version = try store.add(
                    NewAnnotation(
                        studyUID: target, seriesUID: anchor?.seriesInstanceUID, sopInstanceUID: anchor?.sopInstanceUID,
                        frame: anchor?.frame, level: finding.level.name, findingKind: finding.finding.kind.rawValue,
                        payload: annotation.encodedJSON()),
                    author: importer,
                    reason: "imported from " + finding.sourceRows.map(\.description).joined(separator: ", "))
                imported.append((version, finding))
            } catch let error as ValidationError {
                unmapped.append(Report(finding: finding, reason: error.message))
            } catch let error as StoreError where error.isRefusal {
                // The store refuses this label (e.g. its image is not in the study): reported, the others imported.
                unmapped.append(Report(finding: finding, reason: error.description))
            }
        }
        let output = OutputLines()
        for (version, finding) in imported {
            output.write(
                json
                    ? JSONLine.encode(
                        [
                            "status": "imported", "id": version.annotationID, "level": version.level,
                            "finding": version.findingKind,
                            "from": finding.sourceRows.map(\.description).joined(separator: ", "),
                        ])
                    : ("IMPORTED \(version.annotationID.prefix(8)) \(version.level) \(finding.finding.summary) "
                        + "(\(finding.sourceRows.map(\.description).joined(separator: ", ")))").terminalSafe)
        }
        for report in unmapped {
            output.write(
                json
                    ? JSONLine.encode(["status": "unmapped", "where": report.location, "reason": report.reason])
                    : "UNMAPPED \(report.location): \(report.reason)".terminalSafe)
        }
        let summary =
            "\(imported.count) draft finding(s) imported by \(importer), \(unmapped.count) label(s) not mapped (listed above)"
        output.write(
            json
                ? JSONLine.encode(["summary": ["imported": imported.count, "unmapped": unmapped.count]])
                : summary.terminalSafe)
        if !unmapped.isEmpty { throw ExitCode(1) }
    }

    /// The largest label file accepted: RSNA 2024's train_label_coordinates.csv is about 2.5 MB.
    static let csvLimit = 64 * BoundedFile.mebibyte

    static func read(_ path: String) throws -> String {
        do { return try BoundedFile.readText(path: path, limit: csvLimit, what: "CSV file") } catch {
            throw ValidationError(error.description)
        }
    }

    /// One line of the not-mapped report.
    struct Report {
        var location: String
        var reason: String

        init(_ row: UnmappedRow) {
            location = "\(row.file) row \(row.row)" + (row.column.map { " (\($0))" } ?? "")
            reason = row.reason
        }

        init(finding: ImportedFinding, reason: String) {
            location = finding.sourceRows.map(\.description).joined(separator: ", ")
            self.reason = reason
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

    /// The study UID and the anchor of `finding`, or a ValidationError saying why it cannot be placed.
    func place(_ finding: ImportedFinding) throws -> (String, ImageAnchor?) {
        let study: StudySummary
        switch finding.source {
        case .rsna:
            guard
                let match = studies.first(where: {
                    $0.studyInstanceUID == finding.studyKey || $0.accessionNumber == finding.studyKey
                })
            else {
                throw ValidationError(
                    "study \(finding.studyKey) is not in the store: ingest its images first (`annulus ingest`)")
            }
            study = match
        case .spider:
            if let fixed {
                study = fixed
            } else {
                let matches = studies.filter { $0.patientID == finding.studyKey }
                guard matches.count == 1, let match = matches.first else {
                    throw ValidationError(
                        matches.isEmpty
                            ? "no indexed study of patient \(finding.studyKey): ingest it, or pass --study"
                            : "patient \(finding.studyKey) has \(matches.count) studies: pass --study to choose one")
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
            throw ValidationError(
                "series \(seriesKey) instance \(instanceNumber) is not indexed in study \(study.studyInstanceUID)")
        }
        guard let point = finding.point else { return (study.studyInstanceUID, nil) }
        guard (0...Double(record.columns)).contains(point.x), (0...Double(record.rows)).contains(point.y) else {
            throw ValidationError(
                "point \(point.x),\(point.y) lies outside the \(record.columns) × \(record.rows) image")
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
