import ResearchImport
import SpineModel
import Testing

@Suite("RSNA 2024: rows that cannot be imported are reported with what to do")
struct RSNAReportTests {
    static let coordinatesFile = "train_label_coordinates.csv"

    @Test("a coordinate whose severity is empty in train.csv is reported, not imported, and not reported twice")
    func rowWithoutSeverity() throws {
        let coordinates = """
            study_id,series_id,instance_number,condition,level,x,y
            4003253,2448190387,17,Left Subarticular Stenosis,L4/L5,175.0,261.5
            """
        let train = Fixture.train([("4003253", ["spinal_canal_stenosis_l1_l2": "Moderate"])])
        let result = RSNAImporter.parse(coordinatesCSV: coordinates, trainCSV: train)
        // The canal severity has no coordinate: imported without an anchor; the subarticular row is reported.
        #expect(result.findings.map(\.level) == [.L1L2])
        try #require(result.unmapped.count == 1)
        let report = result.unmapped[0]
        #expect(report.file == Self.coordinatesFile)
        #expect(report.row == 1)
        #expect(report.spreadsheetRow == 2)
        #expect(report.source == .rsna)
        #expect(
            report.values == ["4003253", "2448190387", "17", "Left Subarticular Stenosis", "L4/L5", "175.0", "261.5"])
        #expect(
            report.reason.hasPrefix(
                "left subarticular stenosis has no severity in train.csv for study 4003253 level L4/L5"))
        #expect(report.reason.contains("row 1, column left_subarticular_stenosis_l4_l5 is empty"))
    }

    @Test("a study missing from train.csv, and a train.csv without the severity column, are reported")
    func studyOrColumnMissing() throws {
        let coordinates = """
            study_id,series_id,instance_number,condition,level,x,y
            55,1,1,Spinal Canal Stenosis,L2/L3,1,1
            66,1,1,Spinal Canal Stenosis,L2/L3,1,1
            """
        let train = "study_id,spinal_canal_stenosis_l1_l2\n66,Severe\n"
        let result = RSNAImporter.parse(coordinatesCSV: coordinates, trainCSV: train)
        #expect(result.findings.map(\.level) == [.L1L2])  // the unanchored L1/L2 severity of study 66
        let first = try #require(result.unmapped(file: Self.coordinatesFile, row: 1).first)
        #expect(first.reason.contains("study 55 is not in train.csv"))
        let second = try #require(result.unmapped(file: Self.coordinatesFile, row: 2).first)
        #expect(second.reason.contains("train.csv has no column spinal_canal_stenosis_l2_l3"))
    }

    @Test("a level that is not a disc is reported with the level probably meant; one outside RSNA's range too")
    func badLevel() throws {
        let coordinates = """
            study_id,series_id,instance_number,condition,level,x,y
            1,2,3,Spinal Canal Stenosis,L6/S1,1,1
            1,2,3,Spinal Canal Stenosis,T12/L1,1,1
            1,2,3,Spinal Canal Stenosis,lumbar,1,1
            """
        let train = Fixture.train([("1", [:])])
        let result = RSNAImporter.parse(coordinatesCSV: coordinates, trainCSV: train)
        #expect(result.findings.isEmpty)
        #expect(result.unmapped.map(\.row) == [1, 2, 3])
        #expect(result.unmapped.allSatisfy { $0.column == "level" })
        #expect(result.unmapped[0].reason.hasPrefix("level \"L6/S1\" is not a disc level: did you mean L5-S1?"))
        #expect(result.unmapped[1].reason.hasPrefix("level T12/L1 is outside RSNA 2024's L1/L2 to L5/S1"))
        #expect(result.unmapped[2].reason.hasPrefix("level \"lumbar\": "))
        #expect(result.unmapped[2].reason.contains("is not a disc level"))
    }

    @Test("an unknown condition is reported with the condition probably meant")
    func unknownCondition() throws {
        let coordinates = """
            study_id,series_id,instance_number,condition,level,x,y
            1,2,3,Spinal Canal Stenoss,L4/L5,1,1
            1,2,3,Facet Arthropathy,L4/L5,1,1
            """
        let train = Fixture.train([("1", ["spinal_canal_stenosis_l4_l5": "Moderate"])])
        let result = RSNAImporter.parse(coordinatesCSV: coordinates, trainCSV: train)
        let reports = result.unmapped.filter { $0.file == Self.coordinatesFile }
        #expect(reports.map(\.column) == ["condition", "condition"])
        #expect(
            reports[0].reason.hasPrefix(
                "condition \"Spinal Canal Stenoss\" unknown: did you mean Spinal Canal Stenosis?"))
        #expect(reports[1].reason.hasPrefix("condition \"Facet Arthropathy\" unknown: correct it"))
        #expect(reports[1].reason.contains("Right Subarticular Stenosis"))
        // The canal severity was not claimed by a readable coordinate row, so it is imported without an anchor.
        #expect(result.findings.count == 1 && result.findings[0].point == nil)
    }

    @Test("an unreadable severity is reported with the severity probably meant")
    func badSeverity() throws {
        let coordinates = """
            study_id,series_id,instance_number,condition,level,x,y
            1,2,3,Spinal Canal Stenosis,L4/L5,1,1
            """
        let train = Fixture.train([
            ("1", ["spinal_canal_stenosis_l4_l5": "Moderat", "spinal_canal_stenosis_l5_s1": "Bad"])
        ])
        let result = RSNAImporter.parse(coordinatesCSV: coordinates, trainCSV: train)
        #expect(result.findings.isEmpty)
        try #require(result.unmapped.count == 2)
        #expect(result.unmapped[0].file == Self.coordinatesFile)
        #expect(result.unmapped[0].reason.contains("severity \"Moderat\" in train.csv (row 1"))
        #expect(result.unmapped[0].reason.contains("did you mean Moderate?"))
        #expect(result.unmapped[1].file == "train.csv")
        #expect(result.unmapped[1].column == "spinal_canal_stenosis_l5_s1")
        #expect(result.unmapped[1].reason.contains("allowed: Normal/Mild, Moderate, Severe"))
    }

    @Test("unusable anchor values are each reported on their own column")
    func badAnchor() throws {
        let coordinates = """
            study_id,series_id,instance_number,condition,level,x,y
            1,,0,Spinal Canal Stenosis,L4/L5,abc,-3
            """
        let train = Fixture.train([("1", ["spinal_canal_stenosis_l4_l5": "Severe"])])
        let result = RSNAImporter.parse(coordinatesCSV: coordinates, trainCSV: train)
        #expect(result.findings.isEmpty)
        #expect(result.unmapped.map(\.column) == ["series_id", "instance_number", "x", "y"])
        #expect(result.unmapped.allSatisfy { $0.row == 1 })
        #expect(result.unmapped[1].reason.contains("instance_number \"0\" is not an image number"))
    }

    @Test("row numbers count data rows from 1 under the header, blank lines included")
    func rowNumbers() throws {
        let coordinates = """
            study_id,series_id,instance_number,condition,level,x,y
            1,2,3,Spinal Canal Stenosis,L4/L5,1,1

            1,2,3,Spinal Canal Stenosis,L9/L5,1,1
            """
        let train = Fixture.train([("1", ["spinal_canal_stenosis_l4_l5": "Severe"])])
        let result = RSNAImporter.parse(coordinatesCSV: coordinates, trainCSV: train)
        #expect(result.findings.map(\.sourceRows[0].row) == [1])
        #expect(result.unmapped.map(\.row) == [3])
        #expect(result.unmapped.map(\.spreadsheetRow) == [4])
    }

    @Test("train.csv problems: unknown column, repeated study, a row without a study")
    func trainProblems() throws {
        let coordinates = "study_id,series_id,instance_number,condition,level,x,y\n"
        let train = """
            study_id,spinal_canal_stenoss_l4_l5,spinal_canal_stenosis_l4_l5
            5,Severe,Moderate
            5,Severe,Severe
            ,Severe,Severe
            """
        let result = RSNAImporter.parse(coordinatesCSV: coordinates, trainCSV: train)
        #expect(result.findings.count == 1)
        #expect(result.findings.first?.sourceRows == [SourceRow(file: "train.csv", row: 1)])
        #expect(result.unmapped.map(\.row) == [0, 2, 3])
        #expect(result.unmapped[0].column == "spinal_canal_stenoss_l4_l5")
        #expect(result.unmapped[0].reason.contains("did you mean spinal_canal_stenosis_l4_l5?"))
        #expect(result.unmapped[1].reason.contains("study 5 appears again (first at row 1)"))
        #expect(result.unmapped[2].reason.hasPrefix("study_id is empty"))
    }
}

@Suite("RSNA 2024: files that cannot be read")
struct RSNAFileErrorTests {
    @Test("a missing coordinates column is thrown naming the column and the file, with the near miss")
    func missingCoordinatesColumn() throws {
        let coordinates = "study_id,series_id,instance_num,condition,level,x,y\n1,2,3,Spinal Canal Stenosis,L4/L5,1,1\n"
        let train = Fixture.train([("1", [:])])
        #expect(throws: ResearchImportError.self) {
            try RSNAImporter.parseThrowing(coordinatesCSV: coordinates, trainCSV: train)
        }
        do {
            _ = try RSNAImporter.parseThrowing(coordinatesCSV: coordinates, trainCSV: train)
        } catch {
            guard case .missingColumn(let file, let column, let columns, let suggestion) = error else {
                Issue.record("expected missingColumn, got \(error)")
                return
            }
            #expect(file == "train_label_coordinates.csv")
            #expect(column == "instance_number")
            #expect(columns.count == 7)
            #expect(suggestion == "instance_num")
            #expect(
                error.description.hasPrefix("train_label_coordinates.csv has no column \"instance_number\""))
            #expect(error.description.contains("did you mean instance_num?"))
        }
        // The non-throwing variant reports the same problem on the header row.
        let result = RSNAImporter.parse(coordinatesCSV: coordinates, trainCSV: train)
        #expect(result.findings.isEmpty)
        #expect(result.unmapped.count == 1)
        #expect(result.unmapped.first?.row == 0)
        #expect(result.unmapped.first?.column == "instance_number")
        #expect(result.unmapped.first?.reason.contains("has no column \"instance_number\"") == true)
    }

    @Test("train.csv without study_id, an empty file and unbalanced quotes are file-level errors")
    func otherFileErrors() throws {
        let coordinates = "study_id,series_id,instance_number,condition,level,x,y\n"
        #expect(
            throws: ResearchImportError.missingColumn(
                file: "train.csv", column: "study_id", columns: ["id"], suggestion: nil)
        ) {
            try RSNAImporter.parseThrowing(coordinatesCSV: coordinates, trainCSV: "id\n1\n")
        }
        #expect(
            throws: ResearchImportError.missingColumn(
                file: "train_label_coordinates.csv", column: "study_id", columns: [], suggestion: nil)
        ) {
            try RSNAImporter.parseThrowing(coordinatesCSV: "", trainCSV: "study_id\n")
        }
        #expect(
            ResearchImportError.missingColumn(file: "a.csv", column: "x", columns: [], suggestion: nil).description
                == "a.csv has no column \"x\" (the file has no header line)")
        let quoted = "study_id,series_id,instance_number,condition,level,x,y\n1,2,3,\"Spinal\" Canal,L4/L5,1,1\n"
        do {
            _ = try RSNAImporter.parseThrowing(coordinatesCSV: quoted, trainCSV: "study_id\n")
            Issue.record("expected malformedCSV")
        } catch {
            guard case .malformedCSV(let file, _) = error else {
                Issue.record("expected malformedCSV, got \(error)")
                return
            }
            #expect(file == "train_label_coordinates.csv")
        }
    }
}
