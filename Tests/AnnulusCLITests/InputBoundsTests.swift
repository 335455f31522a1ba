import Foundation
import Testing

@Suite("Numbers have ranges and files have size bounds, with errors naming the cause")
struct InputBoundsCLITests {
    @Test("a care duration too large for any sane range is refused by field, value and range")
    func careWeeks() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let result = try fixture.run(["intake", "set", "ACC-MR-0001", "care=physical-therapy:99999999999999999999:no"])
        #expect(result.status == 2)
        #expect(
            result.stderr
                == "Error: care=physical-therapy:99999999999999999999:no: weeks of care run from 0 to 2600 weeks"
                + " (got 99999999999999999999)\n")
        let age = try fixture.run(["intake", "set", "ACC-MR-0001", "age=99999999999999999999"])
        #expect(
            age.stderr == "Error: age=99999999999999999999: the number is too large; age runs from 0 to 120 years\n")
    }

    @Test("--rules /dev/null, a directory, an empty file and a 5 MiB file each say what is wrong, at once")
    func rulesFiles() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        func refusal(_ path: String) throws -> String {
            let result = try fixture.run(["triage", "ACC-MR-0001", "--rules", path])
            #expect(result.status == 2)
            return result.stderr
        }
        #expect(
            try refusal("/dev/null")
                == "Error: rule file /dev/null is not valid:\n  - the rule file /dev/null is not a regular file (it is a"
                + " character device)\n")
        #expect(try refusal(fixture.folder).contains("is not a regular file (it is a directory)"))
        let empty = fixture.folder + "/empty.json"
        FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(try refusal(empty).contains("the rule file \(empty) is empty"))
        let big = fixture.folder + "/big.json"
        try Data(repeating: 0x20, count: 5 * 1_048_576).write(to: URL(fileURLWithPath: big))
        let start = Date()
        #expect(try refusal(big).contains("the rule file \(big) is 5 MiB, larger than the 4 MiB a rule file may be"))
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(try refusal(fixture.folder + "/missing.json").contains("does not exist"))
    }

    @Test("an intake --from FIFO is refused without blocking; a token file that is a directory is named")
    func otherFiles() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let fifo = fixture.folder + "/intake.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let intake = try fixture.run(["intake", "set", "ACC-MR-0001", "--from", fifo])
        #expect(intake.stderr == "Error: the intake file \(fifo) is not a regular file (it is a FIFO (named pipe))\n")
        let export = try fixture.run([
            "export", "ACC-MR-0001", "--post", "http://127.0.0.1:9/fhir", "--token-file", fixture.folder,
        ])
        #expect(export.status == 2, "an unusable --token-file is refused like any file named on the command line")
        #expect(export.stderr.contains("the token file \(fixture.folder) is not a regular file (it is a directory)"))
    }
}
