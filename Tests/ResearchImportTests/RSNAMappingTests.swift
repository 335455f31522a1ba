import ResearchImport
import SpineModel
import Testing

@Suite("RSNA 2024: conditions, levels and severities become anchored stenosis findings")
struct RSNAMappingTests {
    @Test("each of the five conditions maps to its stenosis location and side, anchored on its image")
    func everyCondition() throws {
        let coordinates = """
            study_id,series_id,instance_number,condition,level,x,y
            4003253,702807833,8,Spinal Canal Stenosis,L4/L5,322.8,227.9
            4003253,1054713880,4,Left Neural Foraminal Narrowing,L4/L5,187.96,251.83
            4003253,1054713880,12,Right Neural Foraminal Narrowing,L4/L5,190.5,249.0
            4003253,2448190387,17,Left Subarticular Stenosis,L4/L5,175.0,261.5
            4003253,2448190387,17,Right Subarticular Stenosis,L4/L5,241.25,260.0

            """
        let train = Fixture.train([
            (
                "4003253",
                [
                    "spinal_canal_stenosis_l4_l5": "Severe", "left_neural_foraminal_narrowing_l4_l5": "Moderate",
                    "right_neural_foraminal_narrowing_l4_l5": "Normal/Mild",
                    "left_subarticular_stenosis_l4_l5": "Moderate", "right_subarticular_stenosis_l4_l5": "Severe",
                ]
            )
        ])
        let result = try RSNAImporter.parseThrowing(coordinatesCSV: coordinates, trainCSV: train)
        #expect(result.unmapped.isEmpty)
        try #require(result.findings.count == 5)
        #expect(
            result.findings.map(\.finding) == [
                try Fixture.finding("stenosis", "location=canal", "grade=severe"),
                try Fixture.finding("stenosis", "location=foraminal", "side=left", "grade=moderate"),
                try Fixture.finding("stenosis", "location=foraminal", "side=right", "grade=normal-mild"),
                try Fixture.finding("stenosis", "location=subarticular", "side=left", "grade=moderate"),
                try Fixture.finding("stenosis", "location=subarticular", "side=right", "grade=severe"),
            ])
        let second = result.findings[1]
        #expect(second.source == .rsna)
        #expect(second.studyKey == "4003253")
        #expect(second.seriesKey == "1054713880")
        #expect(second.instanceNumber == 4)
        #expect(second.point == PixelPoint(x: 187.96, y: 251.83))
        #expect(second.level == .L4L5)
        #expect(second.note == "RSNA 2024: Left Neural Foraminal Narrowing, Moderate")
        #expect(
            second.sourceRows == [
                SourceRow(file: "train_label_coordinates.csv", row: 2), SourceRow(file: "train.csv", row: 1),
            ])
        #expect(result.findings.map(\.note).last == "RSNA 2024: Right Subarticular Stenosis, Severe")
    }

    @Test("every RSNA level, L1/L2 to L5/S1, reads the severity from its own train.csv column")
    func everyLevel() throws {
        let coordinates = """
            study_id,series_id,instance_number,condition,level,x,y
            10,20,3,Spinal Canal Stenosis,L1/L2,100,50
            10,20,3,Spinal Canal Stenosis,L2/L3,100,80
            10,20,3,Spinal Canal Stenosis,L3/L4,100,110
            10,20,3,Spinal Canal Stenosis,L4/L5,100,140
            10,20,3,Spinal Canal Stenosis,L5/S1,100,170
            """
        let train = Fixture.train([
            (
                "10",
                [
                    "spinal_canal_stenosis_l1_l2": "Normal/Mild", "spinal_canal_stenosis_l2_l3": "Moderate",
                    "spinal_canal_stenosis_l3_l4": "Severe", "spinal_canal_stenosis_l4_l5": "Moderate",
                    "spinal_canal_stenosis_l5_s1": "Normal/Mild",
                ]
            )
        ])
        let result = RSNAImporter.parse(coordinatesCSV: coordinates, trainCSV: train)
        #expect(result.unmapped.isEmpty)
        #expect(result.findings.map(\.level) == [.L1L2, .L2L3, .L3L4, .L4L5, .L5S1])
        let grades = result.findings.map { finding -> Stenosis.Grade? in
            if case .stenosis(let stenosis) = finding.finding { return stenosis.grade }
            return nil
        }
        #expect(grades == [.normalMild, .moderate, .severe, .moderate, .normalMild])
        #expect(result.findings.map(\.sourceRows[0].row) == [1, 2, 3, 4, 5])
    }

    @Test("severities are looked up by study: two studies, same condition and level, different grades")
    func severityLookupByStudy() throws {
        let coordinates = """
            study_id,series_id,instance_number,condition,level,x,y
            2,5,1,Left Neural Foraminal Narrowing,L5/S1,10,10
            1,5,1,Left Neural Foraminal Narrowing,L5/S1,10,10
            """
        let train = Fixture.train([
            ("1", ["left_neural_foraminal_narrowing_l5_s1": "Severe"]),
            ("2", ["left_neural_foraminal_narrowing_l5_s1": "normal/mild"]),
        ])
        let result = RSNAImporter.parse(coordinatesCSV: coordinates, trainCSV: train)
        #expect(result.unmapped.isEmpty)
        #expect(result.findings.map(\.studyKey) == ["2", "1"])
        #expect(
            result.findings.map(\.finding) == [
                try Fixture.finding("stenosis", "location=foraminal-left", "grade=normal-mild"),
                try Fixture.finding("stenosis", "location=foraminal-left", "grade=severe"),
            ])
        #expect(result.findings.map(\.sourceRows[1].row) == [2, 1])
        // Severities are read case-insensitively but the note keeps RSNA's spelling.
        #expect(result.findings[0].note == "RSNA 2024: Left Neural Foraminal Narrowing, Normal/Mild")
    }

    @Test("a train.csv severity that no coordinate row names becomes a finding without an anchor")
    func severityWithoutCoordinate() throws {
        let coordinates = """
            study_id,series_id,instance_number,condition,level,x,y
            7,5,1,Spinal Canal Stenosis,L3/L4,10,10
            """
        let train = Fixture.train([
            ("7", ["spinal_canal_stenosis_l3_l4": "Moderate", "right_subarticular_stenosis_l1_l2": "Severe"])
        ])
        let result = RSNAImporter.parse(coordinatesCSV: coordinates, trainCSV: train)
        #expect(result.unmapped.isEmpty)
        try #require(result.findings.count == 2)
        let unanchored = result.findings[1]
        #expect(unanchored.level == .L1L2)
        #expect(unanchored.seriesKey == nil && unanchored.instanceNumber == nil && unanchored.point == nil)
        #expect(unanchored.sourceRows == [SourceRow(file: "train.csv", row: 1)])
        #expect(unanchored.finding == (try Fixture.finding("stenosis", "location=subarticular-right", "grade=severe")))
        #expect(unanchored.note.hasPrefix("RSNA 2024: Right Subarticular Stenosis, Severe (train.csv only"))
    }

    @Test("file names given by the caller appear in rows and reports; semicolons and CRLF are read")
    func fileNamesAndDialect() throws {
        let coordinates =
            "study_id;series_id;instance_number;condition;level;x;y\r\n9;1;2;Spinal Canal Stenosis;L4/L5;1;2\r\n"
        let train = "study_id;spinal_canal_stenosis_l4_l5\r\n9;Severe\r\n"
        let result = RSNAImporter.parse(
            coordinatesCSV: coordinates, trainCSV: train, coordinatesFile: "coords-2024.csv", trainFile: "t.csv")
        #expect(result.unmapped.isEmpty)
        #expect(
            result.findings.first?.sourceRows == [
                SourceRow(file: "coords-2024.csv", row: 1), SourceRow(file: "t.csv", row: 1),
            ])
        #expect(result.findings.first?.point == PixelPoint(x: 1, y: 2))
    }
}
