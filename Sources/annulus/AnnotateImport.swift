import AnnulusApp
import AnnulusRecords
import ArgumentParser
import Foundation
import TextSafety

/// `annulus annotate import`: research labels (RSNA 2024, SPIDER) as draft findings by a named importer.
struct AnnotateImport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract:
            "Import research labels (RSNA 2024, SPIDER) or a DICOM SR report as draft findings, with a report of what "
            + "was not mapped.",
        discussion: """
            RSNA 2024: --rsna-coordinates train_label_coordinates.csv --rsna-train train.csv. Rows are matched to \
            indexed studies whose Study Instance UID (or accession) is the study_id, and anchored on the instance \
            of series_id with that instance_number at x,y. SPIDER: --spider radiological_gradings.csv; rows are \
            matched to the study of the patient whose Patient ID is the Patient value, or to --study when the file \
            holds one patient. DICOM SR: --sr FILE, a TID 1500 measurement report (Annulus's or another tool's) of an \
            indexed study; each measurement group becomes a finding (its finding code, its finding site's disc, its \
            evaluations), marked where the report marks it; a group that is a finding of this store already (the \
            report was exported from here: its Tracking UID names the finding) is listed as ALREADY and not \
            imported again. Every finding is a draft by --importer until a clinician signs it. \
            Exit status: 0 every row imported, 1 some rows could not be mapped (they are listed with the reason).
            """
    )

    @Option(help: ArgumentHelp("RSNA 2024 train_label_coordinates.csv.", valueName: "file"))
    var rsnaCoordinates: String?

    @Option(help: ArgumentHelp("RSNA 2024 train.csv (severities).", valueName: "file"))
    var rsnaTrain: String?

    @Option(help: ArgumentHelp("SPIDER radiological_gradings.csv.", valueName: "file"))
    var spider: String?

    @Option(help: ArgumentHelp("A DICOM SR file (TID 1500 measurement report).", valueName: "file"))
    var sr: String?

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
        guard [rsna, spider != nil, sr != nil].filter(\.self).count == 1 else {
            throw ValidationError("give one of: --rsna-coordinates with --rsna-train, --spider, or --sr")
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
        if let sr {
            try await importStructuredReport(sr)
            return
        }
        let files: ResearchLabelFiles
        if let spider {
            files = .spider(name: (spider as NSString).lastPathComponent, gradings: try Self.read(spider))
        } else {
            let coordinates = rsnaCoordinates ?? ""
            let train = rsnaTrain ?? ""
            files = .rsna(
                coordinatesName: (coordinates as NSString).lastPathComponent, coordinates: try Self.read(coordinates),
                trainName: (train as NSString).lastPathComponent, train: try Self.read(train))
        }
        let labels = try files.parsed()
        let result = try await storeOptions.useCases().importResearchLabels(
            labels, fixedStudy: study, by: .cliUser(importer))
        let output = OutputLines()
        for imported in result.imported {
            let (version, finding) = (imported.version, imported.finding)
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
        try finish(
            unmapped: result.unmapped.map { ($0.location, $0.reason) }, imported: result.imported.count,
            summary: "\(result.imported.count) draft finding(s) imported by \(importer), \(result.unmapped.count) "
                + "label(s) not mapped (listed above)", output: output)
    }

    private func importStructuredReport(_ path: String) async throws {
        let result = try await storeOptions.useCases().importStructuredReport(path: path, by: .cliUser(importer))
        let output = OutputLines()
        for imported in result.imported {
            output.write(findingLine("imported", imported.version, from: imported.source))
        }
        for present in result.alreadyPresent {
            output.write(
                findingLine(
                    "already-present", present.latest, from: present.source,
                    note: ": exported from this store, whose history of it stands"))
        }
        let already = result.alreadyPresent.isEmpty ? "" : ", \(result.alreadyPresent.count) already in this store"
        try finish(
            unmapped: result.unmapped.map { ($0.location, $0.reason) }, imported: result.imported.count,
            alreadyPresent: result.alreadyPresent.count,
            summary: "\(result.imported.count) draft finding(s) imported by \(importer) into study "
                + "\(result.study.studyInstanceUID)\(already), \(result.unmapped.count) item(s) not mapped "
                + "(listed above)",
            output: output)
    }

    /// One finding of an SR import: a JSON object (`status`, `id`, `level`, `finding`, `from`) or a line
    /// `IMPORTED|ALREADY ID LEVEL KIND (source)` and the note.
    private func findingLine(_ status: String, _ version: AnnotationVersion, from source: String, note: String = "")
        -> String
    {
        if json {
            return JSONLine.encode(
                [
                    "status": status, "id": version.annotationID, "level": version.level,
                    "finding": version.findingKind, "from": source,
                ])
        }
        let word = status == "imported" ? "IMPORTED" : "ALREADY"
        return "\(word) \(version.annotationID.prefix(8)) \(version.level) \(version.findingKind) (\(source))\(note)"
            .terminalSafe
    }

    /// Lists what was not mapped and the summary (text or JSON lines); exit status 1 when anything was not mapped.
    private func finish(
        unmapped: [(location: String, reason: String)], imported: Int, alreadyPresent: Int? = nil, summary: String,
        output: OutputLines
    ) throws {
        for (location, reason) in unmapped {
            output.write(
                json
                    ? JSONLine.encode(["status": "unmapped", "where": location, "reason": reason])
                    : "UNMAPPED \(location): \(reason)".terminalSafe)
        }
        output.write(
            json
                ? JSONLine.encode(
                    [
                        "summary": ["imported": imported, "unmapped": unmapped.count].merging(
                            alreadyPresent.map { ["already-present": $0] } ?? [:]
                        ) { $1 }
                    ])
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
}
