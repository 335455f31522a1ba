import Foundation
import Testing

@testable import Candidacy

@Suite("Intake numbers have documented ranges; rule files are read with a bound")
struct InputBoundsTests {
    static let cases: [(assignment: String, message: String)] = [
        ("age=99999999999999999999", "age=99999999999999999999: the number is too large; age runs from 0 to 120 years"),
        ("age=-1", "age=-1: age runs from 0 to 120 years"),
        ("age=forty", "age=forty: expected a whole number (age runs from 0 to 120 years)"),
        ("pain-months=1e30", "pain-months=1e30: pain-months run from 0 to 1200 months"),
        ("pain-months=1e400", "pain-months=1e400: pain-months run from 0 to 1200 months"),
        ("pain-months=nan", "pain-months=nan: expected a number (months)"),
        (
            "rmdq=99999999999999999999",
            "rmdq=99999999999999999999: the number is too large; rmdq runs from 0 to 24 points"
        ),
        ("ndi=101", "ndi=101: ndi runs from 0 to 100%"),
        (
            "care=physical-therapy:99999999999999999999:no",
            "care=physical-therapy:99999999999999999999:no: weeks of care run from 0 to 2600 weeks (got 99999999999999999999)"
        ),
        ("care=nsaids:-3:no", "care=nsaids:-3:no: weeks of care run from 0 to 2600 weeks (got -3)"),
        ("back-pain=vas:99999999999999999999", "back-pain=vas:99999999999999999999: VAS runs from 0 to 100"),
        (
            "odi=99999999999999999999,0,0,0,0,0,0,0,0,0",
            "odi=99999999999999999999: ODI item 1 is scored 0 to 5, or - if not answered"
        ),
    ]

    @Test(arguments: cases.indices)
    func refusedWithFieldValueAndRange(_ index: Int) {
        let (assignment, message) = Self.cases[index]
        var intake = Intake()
        #expect(throws: IntakeError.self) { try intake.apply(assignments: [assignment]) }
        do { try intake.apply(assignments: [assignment]) } catch { #expect(error.description == message) }
    }

    @Test("the limits themselves are accepted")
    func boundsAccepted() throws {
        var intake = Intake()
        try intake.apply(assignments: ["age=120", "pain-months=1200", "rmdq=24", "ndi=100", "care=pt:2600:no", "age=0"])
        #expect(intake.age == 0 && intake.conservativeCare?.first?.weeks == 2600)
    }

    @Test("a JSON intake outside the ranges is refused on decoding")
    func decodedRanges() {
        for json in [#"{"painDurationMonths": 1e20}"#, #"{"conservativeCare": [{"kind": "nsaids", "weeks": 1e9}]}"#] {
            #expect(throws: IntakeError.self) { try JSONDecoder().decode(Intake.self, from: Data(json.utf8)) }
        }
    }

    @Test("control characters in a refused value are escaped in the message")
    func escapedValue() {
        var intake = Intake()
        do {
            try intake.apply(assignments: ["fit=\u{1B}[2J"])
            Issue.record("accepted")
        } catch {
            #expect(error.description.hasPrefix("fit=\\e[2J: answer yes or no"))
        }
    }

    @Test("rule files: not regular, empty, too large and missing are named; the bound is 4 MiB")
    func ruleFiles() throws {
        #expect(RuleSet.fileLimit == 4 * 1_048_576)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("rules-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        func message(_ path: String) -> String? {
            do {
                _ = try RuleSet.load(path: path)
                return nil
            } catch { return error.problems.first?.message }
        }
        #expect(message("/dev/null") == "the rule file /dev/null is not a regular file (it is a character device)")
        #expect(message(folder) == "the rule file \(folder) is not a regular file (it is a directory)")
        let big = folder + "/big.json"
        try Data(repeating: 0x20, count: RuleSet.fileLimit + 1).write(to: URL(fileURLWithPath: big))
        #expect(message(big) == "the rule file \(big) is 4.0 MiB, larger than the 4 MiB a rule file may be")
        #expect(message(folder + "/none.json") == "the rule file \(folder)/none.json does not exist")
    }
}
