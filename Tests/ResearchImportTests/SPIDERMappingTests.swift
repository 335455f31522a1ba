import ResearchImport
import SpineModel
import Testing

@Suite("SPIDER: per-disc gradings become findings at levels counted from the bottom")
struct SPIDERMappingTests {
    static let file = "radiological_gradings.csv"
    static let gradingColumns = [
        "Modic", "UP endplate", "LOW endplate", "Spondylolisthesis", "Disc herniation", "Disc narrowing",
        "Disc bulging", "Pfirrman grade",
    ]

    @Test("every column of a clean row: mapped to a finding or reported, none left out")
    func everyColumn() throws {
        let csv = """
            Patient,IVD label,Modic,UP endplate,LOW endplate,Spondylolisthesis,Disc herniation,Disc narrowing,Disc bulging,Pfirrman grade
            7,2,0,1,0,0,0,1,1,3
            """
        let result = try SPIDERImporter.parseThrowing(gradingsCSV: csv)
        #expect(
            result.findings.map(\.finding) == [
                try Fixture.finding("modic", "upper=0", "lower=0"),
                try Fixture.finding("schmorl", "present=yes", "endplate=upper"),
                try Fixture.finding("spondylolisthesis", "grade=0"),
                try Fixture.finding("contour", "type=bulge"),
                try Fixture.finding("pfirrmann", "grade=III"),
            ])
        #expect(result.findings.allSatisfy { $0.level == .L4L5 && $0.studyKey == "7" && $0.source == .spider })
        #expect(result.findings.allSatisfy { $0.sourceRows == [SourceRow(file: Self.file, row: 1)] })
        #expect(result.findings.allSatisfy { $0.seriesKey == nil && $0.instanceNumber == nil && $0.point == nil })
        #expect(
            result.findings.map(\.note) == [
                "SPIDER: Modic 0", "SPIDER: UP endplate 1, LOW endplate 0", "SPIDER: Spondylolisthesis 0",
                "SPIDER: Disc herniation 0, Disc bulging 1", "SPIDER: Pfirrman grade 3",
            ])
        try #require(result.unmapped.count == 1)
        #expect(result.unmapped[0].column == "Disc narrowing")
        #expect(result.unmapped[0].reason.hasPrefix("Disc narrowing 1 has no Annulus equivalent"))
        #expect(result.unmapped[0].reason.contains("height-loss percent="))
        #expect(Self.covered(result) == Set(Self.gradingColumns))
    }

    @Test("every column of a row full of findings SPIDER cannot grade for Annulus: all reported")
    func everyColumnReported() throws {
        let csv = Fixture.gradingsHeader + "\n12,1,2,1,1,1,1,0,1,5\n"
        let result = SPIDERImporter.parse(gradingsCSV: csv)
        #expect(
            result.findings.map(\.finding) == [
                try Fixture.finding("schmorl", "present=yes", "endplate=both"),
                try Fixture.finding("pfirrmann", "grade=V"),
            ])
        #expect(result.findings.allSatisfy { $0.level == .L5S1 })
        #expect(
            result.unmapped.map(\.column) == [
                "Modic", "Spondylolisthesis", "Disc herniation", "Disc bulging", "Disc narrowing",
            ])
        #expect(result.unmapped.allSatisfy { $0.row == 1 && $0.source == .spider && $0.values.count == 10 })
        let reasons = Dictionary(uniqueKeysWithValues: result.unmapped.map { ($0.column ?? "", $0.reason) })
        #expect(reasons["Modic"]?.contains("Modic type 2 for the disc without saying which endplate") == true)
        #expect(reasons["Modic"]?.contains("modic upper=2 and/or lower=2") == true)
        #expect(
            reasons["Spondylolisthesis"]?.hasPrefix("SPIDER gives presence only, Annulus needs a Meyerding grade")
                == true)
        #expect(reasons["Disc herniation"]?.contains("protrusion, extrusion or sequestration") == true)
        #expect(reasons["Disc bulging"]?.contains("the disc also has a herniation") == true)
        #expect(Self.covered(result) == Set(Self.gradingColumns))
    }

    @Test("no change anywhere: Modic 0 on both endplates, no Schmorl node, no slip, normal contour")
    func allNegative() throws {
        let csv = Fixture.gradingsHeader + "\n3,3,0,0,0,0,0,0,0,1\n"
        let result = SPIDERImporter.parse(gradingsCSV: csv)
        #expect(
            result.findings.map(\.finding) == [
                try Fixture.finding("modic", "upper=0", "lower=0"),
                try Fixture.finding("schmorl", "present=no"),
                try Fixture.finding("spondylolisthesis", "grade=0"),
                try Fixture.finding("contour", "type=normal"),
                try Fixture.finding("pfirrmann", "grade=I"),
            ])
        #expect(result.findings.first?.level == .L3L4)
        #expect(result.unmapped.map(\.column) == ["Disc narrowing"])
    }

    @Test("the lower endplate alone, and a Pfirrmann grade written 4.0 or IV")
    func lowerEndplateAndGradeSpellings() throws {
        let csv = Fixture.gradingsHeader + "\n3,4,0,0,1,0,0,0,0,4.0\n3,5,0,0,0,0,0,0,0,IV\n"
        let result = SPIDERImporter.parse(gradingsCSV: csv)
        let schmorl = result.findings.filter { $0.finding.kind == .schmorl }.map(\.finding)
        #expect(schmorl[0] == (try Fixture.finding("schmorl", "present=yes", "endplate=lower")))
        let pfirrmann = result.findings.filter { $0.finding.kind == .pfirrmann }
        #expect(
            pfirrmann.map(\.finding) == [
                try Fixture.finding("pfirrmann", "grade=4"), try Fixture.finding("pfirrmann", "grade=4"),
            ])
        #expect(pfirrmann.map(\.level) == [.L2L3, .L1L2])
    }

    @Test("discs are numbered from the bottom: IVD 1 is L5-S1, 5 is L1-L2, 6 is T12-L1")
    func fromBottom() throws {
        let rows = [1, 2, 3, 4, 5, 6].map { "1,\($0),0,0,0,0,0,0,0,2" }
        let csv = ([Fixture.gradingsHeader] + rows).joined(separator: "\n")
        let result = SPIDERImporter.parse(gradingsCSV: csv)
        let levels = result.findings.filter { $0.finding.kind == .pfirrmann }.map(\.level)
        #expect(levels == [.L5S1, .L4L5, .L3L4, .L2L3, .L1L2, .T12L1])
    }

    @Test("transitional anatomy: a patient whose lowest disc is S1-S2 counts from there")
    func transitional() throws {
        let csv = Fixture.gradingsHeader + "\n8,1,0,0,0,0,0,0,0,2\n8,2,0,0,0,0,0,0,0,2\n9,1,0,0,0,0,0,0,0,2\n"
        let result = SPIDERImporter.parse(gradingsCSV: csv, lowestDisc: ["8": .S1S2])
        let levels = result.findings.filter { $0.finding.kind == .pfirrmann }.map { "\($0.studyKey) \($0.level)" }
        #expect(levels == ["8 S1-S2", "8 L5-S1", "9 L5-S1"])
    }

    @Test("header names are matched without regard to case and surrounding spaces; Pfirrmann spelt right too")
    func headerSpellings() throws {
        let csv = """
            patient , IVD Label,MODIC,UP endplate,LOW endplate,Spondylolisthesis,Disc herniation,Disc narrowing,Disc bulging,Pfirrmann grade
            4,1,0,0,0,0,0,0,0,2
            """
        let result = try SPIDERImporter.parseThrowing(gradingsCSV: csv)
        #expect(result.findings.count == 5)
    }

    /// The grading columns a result accounts for: named in a finding's note or in a report.
    static func covered(_ result: ImportResult) -> Set<String> {
        var columns = Set(result.unmapped.compactMap(\.column))
        for finding in result.findings {
            for column in gradingColumns where finding.note.contains(column) { columns.insert(column) }
        }
        return columns
    }
}
