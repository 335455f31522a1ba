import ResearchImport
import SpineModel
import Testing

@Suite("SPIDER: values and rows that cannot be imported are reported with what to do")
struct SPIDERReportTests {
    @Test("an IVD label out of range or unreadable reports the whole row, nothing imported from it")
    func badLabel() throws {
        let csv = Fixture.gradingsHeader + "\n1,0,0,0,0,0,0,0,0,2\n1,24,0,0,0,0,0,0,0,2\n1,two,0,0,0,0,0,0,0,2\n"
        let result = SPIDERImporter.parse(gradingsCSV: csv)
        #expect(result.findings.isEmpty)
        #expect(result.unmapped.map(\.row) == [1, 2, 3])
        #expect(result.unmapped.allSatisfy { $0.column == "IVD label" })
        #expect(result.unmapped.allSatisfy { $0.reason.hasSuffix("none of this row's gradings were imported") })
        #expect(result.unmapped[0].reason.contains("outside 1–23"))
        #expect(result.unmapped[1].reason.hasPrefix("IVD label 24: disc number 24 counted from the bottom"))
        #expect(result.unmapped[2].reason.hasPrefix("IVD label \"two\" is not a disc number"))
    }

    @Test("bad grade values are reported per column; the other columns of the row are still imported")
    func badGrades() throws {
        let csv = Fixture.gradingsHeader + "\n2,1,5,2,1,x,0,4,0,7\n"
        let result = SPIDERImporter.parse(gradingsCSV: csv)
        #expect(
            result.findings.map(\.finding) == [
                try Fixture.finding("schmorl", "present=yes", "endplate=lower"),
                try Fixture.finding("contour", "type=normal"),
            ])
        #expect(
            result.unmapped.map(\.column) == [
                "Modic", "UP endplate", "Spondylolisthesis", "Disc narrowing", "Pfirrman grade",
            ])
        let reasons = result.unmapped.map(\.reason)
        #expect(
            reasons[0]
                == "Modic \"5\" is not a SPIDER grade (0 for none, or type 1, 2 or 3): nothing imported for it; correct the value"
        )
        #expect(reasons[1].hasPrefix("UP endplate \"2\" is not a SPIDER grade (0 or 1)"))
        #expect(reasons[2].hasPrefix("Spondylolisthesis \"x\" is not a SPIDER grade"))
        #expect(reasons[3].hasPrefix("Disc narrowing \"4\" is not a SPIDER grade (0 to 3)"))
        #expect(reasons[4].hasPrefix("Pfirrman grade 7: grade is I–V (1–5), got 7"))
    }

    @Test(
        "empty values are reported as not graded; an unreadable endplate keeps a 0 in the other from speaking for both")
    func emptyValues() throws {
        let csv = Fixture.gradingsHeader + "\n2,1,,0,,0,,0,1,\n"
        let result = SPIDERImporter.parse(gradingsCSV: csv)
        #expect(result.findings.map(\.finding) == [try Fixture.finding("spondylolisthesis", "grade=0")])
        #expect(
            result.unmapped.map(\.column) == [
                "Modic", "UP endplate", "LOW endplate", "Disc herniation", "Disc bulging", "Disc narrowing",
                "Pfirrman grade",
            ])
        #expect(result.unmapped[0].reason == "Modic is empty (not graded): nothing imported for it")
        #expect(result.unmapped[1].reason.hasPrefix("UP endplate 0 not imported: LOW endplate is unreadable"))
        #expect(result.unmapped[4].reason.hasPrefix("Disc bulging 1 not imported: without Disc herniation"))
    }

    @Test("herniation 0 with an unreadable bulging value: no contour, both reported")
    func herniationWithoutBulging() throws {
        let csv = Fixture.gradingsHeader + "\n2,1,0,0,0,0,0,0,yes,2\n"
        let result = SPIDERImporter.parse(gradingsCSV: csv)
        #expect(!result.findings.contains { $0.finding.kind == .contour })
        let contour = result.unmapped.filter { $0.column == "Disc herniation" || $0.column == "Disc bulging" }
        #expect(contour.map(\.column) == ["Disc herniation", "Disc bulging"])
        #expect(contour[0].reason.hasPrefix("Disc herniation 0 not imported: without Disc bulging"))
    }

    @Test("row numbers: blank lines counted, a repeated disc and a row without patient reported whole")
    func rowNumbers() throws {
        let csv = Fixture.gradingsHeader + "\n5,1,0,0,0,0,0,0,0,2\n\n5,1,0,0,0,0,0,0,0,3\n,2,0,0,0,0,0,0,0,3\n"
        let result = SPIDERImporter.parse(gradingsCSV: csv)
        #expect(Set(result.findings.map(\.sourceRows)) == [[SourceRow(file: "radiological_gradings.csv", row: 1)]])
        let whole = result.unmapped.filter { $0.column == "IVD label" || $0.column == "Patient" }
        #expect(whole.map(\.row) == [3, 4])
        #expect(whole.map(\.spreadsheetRow) == [4, 5])
        #expect(whole[0].reason.hasPrefix("patient 5 IVD label 1 (L5-S1) was already graded in row 1"))
        #expect(whole[1].reason.hasPrefix("Patient is empty"))
        #expect(result.unmapped.filter { $0.column == "Disc narrowing" }.map(\.row) == [1])
    }

    @Test("a missing column is thrown naming the column and the file; the non-throwing variant reports it")
    func missingColumn() throws {
        let csv =
            "Patient,IVD label,Modic,UP endplate,LOW endplate,Spondylolisthesis,Disc herniation,Disc narrowing,"
            + "Disc bulging,Pfirman grade\n1,1,0,0,0,0,0,0,0,2\n"
        #expect(
            throws: ResearchImportError.missingColumn(
                file: "gradings.csv", column: "Pfirrman grade",
                columns: [
                    "Patient", "IVD label", "Modic", "UP endplate", "LOW endplate", "Spondylolisthesis",
                    "Disc herniation", "Disc narrowing", "Disc bulging", "Pfirman grade",
                ],
                suggestion: "Pfirman grade")
        ) {
            try SPIDERImporter.parseThrowing(gradingsCSV: csv, file: "gradings.csv")
        }
        let result = SPIDERImporter.parse(gradingsCSV: csv)
        #expect(result.findings.isEmpty)
        #expect(result.unmapped.map(\.row) == [0])
        #expect(
            result.unmapped.first?.reason.hasPrefix("radiological_gradings.csv has no column \"Pfirrman grade\"")
                == true)
    }
}
