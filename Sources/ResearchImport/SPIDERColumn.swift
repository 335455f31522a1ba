/// The columns of SPIDER's `radiological_gradings.csv`, spelt as the file spells them (`Pfirrman`, sic).
enum SPIDERColumn: String, CaseIterable {
    /// The patient number.
    case patient = "Patient"
    /// The disc, numbered from the bottom (1 = the lowest, normally L5-S1).
    case ivdLabel = "IVD label"
    /// Modic change of the disc, 0 (none) to 3, without the endplate.
    case modic = "Modic"
    /// Endplate change / Schmorl node of the endplate above the disc, 0 or 1.
    case upEndplate = "UP endplate"
    /// Endplate change / Schmorl node of the endplate below the disc, 0 or 1.
    case lowEndplate = "LOW endplate"
    /// Spondylolisthesis, 0 or 1 (presence only).
    case spondylolisthesis = "Spondylolisthesis"
    /// Disc herniation, 0 or 1 (presence only).
    case herniation = "Disc herniation"
    /// Disc narrowing, a grade (0 or 1 in the dataset's description; up to 3 accepted).
    case narrowing = "Disc narrowing"
    /// Disc bulging, 0 or 1.
    case bulging = "Disc bulging"
    /// Pfirrmann grade 1–5.
    case pfirrmann = "Pfirrman grade"

    /// Other spellings accepted for the header.
    var aliases: [String] {
        self == .pfirrmann ? ["Pfirrmann grade"] : []
    }

    /// The header name.
    var name: String { rawValue }
}

/// The column indices of a SPIDER gradings file.
struct SPIDERColumns {
    /// The index of each column.
    private let indices: [SPIDERColumn: Int]

    /// Finds every column, in the file's order.
    /// - Throws: `ResearchImportError.missingColumn` for the first one absent.
    init(_ table: CSVTable) throws(ResearchImportError) {
        var indices: [SPIDERColumn: Int] = [:]
        for column in SPIDERColumn.allCases {
            indices[column] = try table.requiredColumn(column.name, aliases: column.aliases)
        }
        self.indices = indices
    }

    /// The index of `column`.
    subscript(_ column: SPIDERColumn) -> Int { indices[column]! }
}
