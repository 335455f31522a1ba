import SpineModel

/// Reads SPIDER's per-disc radiological gradings (`radiological_gradings.csv`; van der Graaf et al., "Lumbar
/// spine segmentation in MR images: a dataset and a public benchmark", Sci Data 2024) into findings.
///
/// Columns: `Patient, IVD label, Modic, UP endplate, LOW endplate, Spondylolisthesis, Disc herniation,
/// Disc narrowing, Disc bulging, Pfirrman grade` (sic; `Pfirrmann grade` is accepted too). Discs are numbered
/// from the bottom: `IVD label` 1 is the lowest disc (L5-S1 unless `lowestDisc` says otherwise), 2 the one
/// above, and so on (`DiscLevel.fromBottom`). There is no image anchor.
///
/// Mapping (every finding through `Finding.parse`; every other value reported with what to do):
///
/// | SPIDER | Annulus |
/// |---|---|
/// | Pfirrman grade 1–5 | `pfirrmann grade=1…5` |
/// | Modic 0 | `modic upper=0 lower=0` |
/// | Modic 1–3 | reported: no endplate given, Annulus records Modic per endplate |
/// | UP/LOW endplate 0/0 | `schmorl present=no` |
/// | UP/LOW endplate with a 1 | `schmorl present=yes endplate=upper`, `lower` or `both` |
/// | Spondylolisthesis 0 | `spondylolisthesis grade=0` |
/// | Spondylolisthesis 1 | reported: presence only, Annulus needs a Meyerding grade |
/// | Disc herniation 0, Disc bulging 0 | `contour type=normal` |
/// | Disc herniation 0, Disc bulging 1 | `contour type=bulge` |
/// | Disc herniation 1 | reported (type unknown), with Disc bulging |
/// | Disc narrowing, any value | reported: Annulus has height loss in percent, no narrowing grade |
///
/// A row whose patient or disc cannot be read, or that repeats a patient's disc, is reported whole. Row numbers
/// follow `SourceRow`.
public enum SPIDERImporter {
    /// The gradings file's name in the SPIDER download.
    public static let gradingsFileName = "radiological_gradings.csv"

    /// Imports the gradings; a file-level problem (a missing column, text that is not CSV) comes back as a
    /// single report on the header (row 0) with no findings.
    /// - Parameters:
    ///   - gradingsCSV: the text of `radiological_gradings.csv`.
    ///   - file: the file's name, for reports.
    ///   - lowestDisc: for patients with transitional anatomy, by `Patient` value, the lowest disc SPIDER counted
    ///     as 1 (`.L5L6` or `.S1S2`); every other patient's disc 1 is L5-S1.
    public static func parse(
        gradingsCSV: String,
        file: String = gradingsFileName,
        lowestDisc: [String: DiscLevel] = [:]
    ) -> ImportResult {
        do {
            return try parseThrowing(gradingsCSV: gradingsCSV, file: file, lowestDisc: lowestDisc)
        } catch {
            return ImportResult(unmapped: [error.unmappedRow(source: .spider)])
        }
    }

    /// Imports the gradings, refusing a file that cannot be read at all.
    /// - Throws: `ResearchImportError.missingColumn` naming the file and the first of the ten columns absent, or
    ///   `.malformedCSV`.
    public static func parseThrowing(
        gradingsCSV: String,
        file: String = gradingsFileName,
        lowestDisc: [String: DiscLevel] = [:]
    ) throws(ResearchImportError) -> ImportResult {
        let table = try CSVTable(text: gradingsCSV, file: file)
        let columns = try SPIDERColumns(table)
        var result = ImportResult()
        var seen: [String: Int] = [:]
        for record in table.records where !record.isBlank {
            func reportRow(_ column: SPIDERColumn, _ reason: String) {
                result.unmapped.append(
                    UnmappedRow(
                        source: .spider, file: file, row: record.number, column: column.name, values: record.values,
                        reason: reason + "; none of this row's gradings were imported"))
            }
            let patient = record.value(at: columns[.patient])
            guard !patient.isEmpty else {
                reportRow(.patient, "Patient is empty: fill in the patient number")
                continue
            }
            let label = record.value(at: columns[.ivdLabel])
            guard let number = label.wholeNumber else {
                reportRow(
                    .ivdLabel, "IVD label \"\(label)\" is not a disc number (a whole number, 1 = the lowest disc)")
                continue
            }
            let level: DiscLevel
            do {
                level = try DiscLevel.fromBottom(number, lowest: lowestDisc[patient] ?? .L5S1)
            } catch {
                reportRow(.ivdLabel, "IVD label \(number): \(error.message)")
                continue
            }
            let key = "\(patient)\u{0}\(level.name)"
            if let first = seen[key] {
                reportRow(
                    .ivdLabel,
                    "patient \(patient) IVD label \(number) (\(level.name)) was already graded in row \(first)")
                continue
            }
            seen[key] = record.number
            var row = SPIDERRow(file: file, record: record, columns: columns, patient: patient, level: level)
            row.mapModic()
            row.mapEndplates()
            row.mapSpondylolisthesis()
            row.mapContour()
            row.mapNarrowing()
            row.mapPfirrmann()
            result.append(row.result)
        }
        return result
    }
}
