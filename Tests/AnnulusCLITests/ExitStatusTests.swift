import Foundation
import Testing

/// docs/cli.md, "Exit status": 0 done, 1 failed while carrying out the request, 2 refused (nothing changed).
@Suite("one exit-status rule, through the real binary")
struct ExitStatusTests {
    /// Runs `sqlite3 STORE SQL` (for rows no command can make on purpose, e.g. two ids sharing a prefix).
    static func sqlite3(_ store: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [store, sql]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "sqlite3 \(sql)")
    }

    @Test("requests the state refuses exit 2 like usage errors, and change nothing")
    func stateRefusals() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let id = try SignCommandTests.draft(fixture, "L4-L5")
        #expect(try fixture.run(["annotate", "sign", id]).status == 0)
        let retracted = try SignCommandTests.draft(fixture, "L5-S1")
        #expect(try fixture.run(["annotate", "retract", retracted, "--reason", "duplicate"]).status == 0)
        let before = try Self.latestVersions(fixture)

        let cases: [([String], String)] = [
            (["annotate", "sign", id], "already signed (version 2 by dr.rivera"),
            (["annotate", "amend", retracted, "grade=II"], "was retracted"),
            (["annotate", "retract", retracted, "--reason", "again"], "was retracted"),
            (["annotate", "sign", retracted], "retracted"),
            (["annotate", "show", "0000dead"], "no annotation with id '0000dead'"),
            (["annotate", "history", "abc"], "is too short"),
            (["annotate", "list", "ACC-NOPE"], "no study matches 'ACC-NOPE'"),
            (["triage", "ACC-NOPE"], "no study matches 'ACC-NOPE'"),
            (["export", "ACC-NOPE", "--out", fixture.folder + "/out"], "no study matches 'ACC-NOPE'"),
            (["annotate", "add", "ACC-MR-0001", "--level", "L6-S1", "--finding", "pfirrmann", "grade=II"], "L6-S1"),
            (["annotate", "add", "ACC-MR-0001", "--level", "L4-L5", "--finding", "pfirrman", "grade=II"], "pfirrman"),
            (["studies", "--frobnicate"], "--frobnicate"),
        ]
        for (arguments, message) in cases {
            let result = try fixture.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        #expect(try Self.latestVersions(fixture) == before, "no refused request wrote anything")
        #expect(!FileManager.default.fileExists(atPath: fixture.folder + "/out"))
    }

    @Test("an ambiguous id prefix exits 2 and lists the candidates")
    func ambiguousPrefix() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let id = try SignCommandTests.draft(fixture, "L4-L5")
        let rows = try fixture.run(["annotate", "show", id, "--json"])
        let study = try #require(AnnotatedStore.object(rows)["studyUID"] as? String)
        for twin in ["abcd0000-0000-4000-8000-000000000001", "abcd0000-0000-4000-8000-000000000002"] {
            try Self.sqlite3(
                fixture.store,
                "INSERT INTO annotation_versions (annotation_id, version, study_uid, level, finding_kind, payload,"
                    + " status, author, created_at) VALUES ('\(twin)', 1, '\(study)', 'L3-L4', 'pfirrmann',"
                    + " '{}', 'draft', 'dr.test', '2026-01-01T00:00:00.000Z')")
        }
        for arguments in [["annotate", "show", "abcd"], ["annotate", "sign", "abcd0000"]] {
            let result = try fixture.run(arguments)
            #expect(result.status == 2, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("matches 2 annotations; give more characters"), "\(result.stderr)")
            #expect(result.stderr.contains("abcd0000-0000-4000-8000-000000000002"))
        }
    }

    @Test("failures while carrying out a request exit 1: some files of a batch, a store that is not usable")
    func failures() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let junk = fixture.folder + "/inbox"
        try FileManager.default.createDirectory(atPath: junk, withIntermediateDirectories: true)
        try Data("not DICOM".utf8).write(to: URL(fileURLWithPath: junk + "/junk.dcm"))
        try FileManager.default.copyItem(
            atPath: CLI.packageRoot + "/SampleStudies/patient2-lumbar-mr", toPath: junk + "/control")
        let ingest = try fixture.run(["ingest", junk])
        #expect(ingest.status == 1, "\(ingest.stdout)")
        #expect(ingest.stdout.contains("1 failed"), "the rest was processed and reported: \(ingest.stdout)")

        let emptyData = fixture.folder + "/empty"
        try FileManager.default.createDirectory(atPath: emptyData, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: emptyData + "/annulus.sqlite", contents: Data())
        let unusable = try CLI.run(
            ["annotate", "sign", "abcd", "--data", emptyData], environment: ["ANNULUS_USER": "x"])
        #expect(unusable.status == 1, "\(unusable.stderr)")
        #expect(unusable.stderr.contains("is an empty file (0 bytes)"))
    }

    @Test("annulus --help states the rule")
    func helpStatesTheRule() throws {
        let help = try CLI.run(["--help"])
        #expect(help.status == 0)
        let text = help.stdout.replacingOccurrences(of: "\n", with: " ")
        #expect(text.contains("0 done; 1 failed"), "\(help.stdout)")
        #expect(text.contains("2 refused: nothing was changed"))
    }

    /// Every finding's id and latest version number.
    static func latestVersions(_ fixture: AnnotatedStore) throws -> [String: Int] {
        let list = try fixture.run(["annotate", "list", "ACC-MR-0001", "--all", "--json"])
        var versions: [String: Int] = [:]
        for line in list.lines {
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
            if let id = object["id"] as? String { versions[id] = object["version"] as? Int }
        }
        return versions
    }
}
