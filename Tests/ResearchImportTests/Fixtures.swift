import ResearchImport
import SpineModel

/// Small made-up CSVs in the RSNA 2024 and SPIDER layouts (never real data), and expected findings.
enum Fixture {
    /// The coordinates header as RSNA writes it.
    static let coordinatesHeader = "study_id,series_id,instance_number,condition,level,x,y"

    /// The 25 `train.csv` severity columns, condition by condition, L1/L2 to L5/S1.
    static let trainColumns: [String] = [
        "spinal_canal_stenosis", "left_neural_foraminal_narrowing", "right_neural_foraminal_narrowing",
        "left_subarticular_stenosis", "right_subarticular_stenosis",
    ].flatMap { condition in ["l1_l2", "l2_l3", "l3_l4", "l4_l5", "l5_s1"].map { "\(condition)_\($0)" } }

    /// A full `train.csv`: one row per study, the given columns filled, the others empty.
    static func train(_ studies: [(study: String, severities: [String: String])]) -> String {
        let header = (["study_id"] + trainColumns).joined(separator: ",")
        let rows = studies.map { study in
            ([study.study] + trainColumns.map { study.severities[$0] ?? "" }).joined(separator: ",")
        }
        return ([header] + rows).joined(separator: "\n") + "\n"
    }

    /// The SPIDER gradings header, spelt as the dataset spells it.
    static let gradingsHeader =
        "Patient,IVD label,Modic,UP endplate,LOW endplate,Spondylolisthesis,Disc herniation,Disc narrowing,"
        + "Disc bulging,Pfirrman grade"

    /// A finding as a clinician would enter it.
    static func finding(_ kind: String, _ assignments: String...) throws -> Finding {
        try Finding.parse(kind: kind, assignments: assignments)
    }
}

extension ImportResult {
    /// The reports on one data row of one file.
    func unmapped(file: String, row: Int) -> [UnmappedRow] {
        unmapped.filter { $0.file == file && $0.row == row }
    }
}
