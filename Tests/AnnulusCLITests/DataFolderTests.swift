import Foundation
import Testing

@Suite("--data DIR (ANNULUS_DATA) names the data folder; --store FILE is a deprecated alias")
struct DataFolderTests {
    static func temporaryFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-data-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The accession numbers `studies --json` prints.
    static func accessions(_ result: CLI.Result) -> [String] {
        result.lines.compactMap {
            ((try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any])?["accessionNumber"] as? String
        }.sorted()
    }

    @Test("ingest --data DIR creates DIR/annulus.sqlite; every command finds it there, or through ANNULUS_DATA")
    func dataAndEnvironment() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let data = root + "/clinic-data"
        let ingest = try CLI.run(["ingest", CLI.packageRoot + "/SampleStudies/patient2-lumbar-mr", "--data", data])
        #expect(ingest.status == 0, "\(ingest.stderr)")
        #expect(ingest.stderr.isEmpty, "no note: \(ingest.stderr)")
        #expect(FileManager.default.fileExists(atPath: data + "/annulus.sqlite"))

        #expect(Self.accessions(try CLI.run(["studies", "--json", "--data", data])) == ["ACC-MR-0002"])
        let fromEnvironment = try CLI.run(["studies", "--json"], environment: ["ANNULUS_DATA": data])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        #expect(Self.accessions(fromEnvironment) == ["ACC-MR-0002"])
        let check = try CLI.run(["check"], environment: ["ANNULUS_DATA": data])
        #expect(check.status == 0 && check.stdout.hasPrefix("OK \(data)/annulus.sqlite"), "\(check.stdout)")

        // --data wins over ANNULUS_DATA.
        let elsewhere = root + "/elsewhere"
        let overridden = try CLI.run(["studies", "--data", elsewhere], environment: ["ANNULUS_DATA": data])
        #expect(overridden.status == 2)
        #expect(overridden.stderr.contains("there is no store at \(elsewhere)/annulus.sqlite"))
    }

    @Test("--store FILE still works, with a one-line deprecation note on stderr")
    func deprecatedStore() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let result = try CLI.run(["studies", "--json", "--store", fixture.store])
        #expect(result.status == 0)
        #expect(Self.accessions(result) == ["ACC-MR-0001", "ACC-MR-0002", "ACC-RF-0001"])
        #expect(
            result.stderr
                == "note: --store is deprecated; use --data \(fixture.folder) (the folder holding annulus.sqlite)\n")
        let both = try CLI.run(["studies", "--data", fixture.folder, "--store", fixture.store])
        #expect(both.status == 2)
        #expect(both.stderr.contains("give --data DIR only"))
    }

    @Test("a wrong --data says there is no store there, and creates nothing; the store file given as --data is named")
    func wrongData() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let missing = fixture.folder + "/typo"
        for command in [["studies"], ["annotate", "list", "ACC-MR-0001"], ["deliveries"], ["check"], ["status"]] {
            let result = try CLI.run(command + ["--data", missing])
            #expect(result.status == 2, "\(command)")
            #expect(result.stderr.contains("there is no store at \(missing)/annulus.sqlite"), "\(result.stderr)")
            #expect(result.stderr.contains("point --data (or ANNULUS_DATA) at the data folder"))
        }
        #expect(!FileManager.default.fileExists(atPath: missing))

        let file = try CLI.run(["studies", "--data", fixture.store])
        #expect(file.status == 2)
        #expect(
            file.stderr.contains(
                "the data folder \(fixture.store) is a file, not a folder: --data (and ANNULUS_DATA) name the folder "
                    + "that holds annulus.sqlite, here --data \(fixture.folder)"), "\(file.stderr)")
    }

    @Test("watch --data DIR archives and completes under DIR; its completion child is given --data too")
    func watchDerivesFromData() throws {
        let root = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let inbox = root + "/inbox"
        let data = root + "/data"
        try FileManager.default.copyItem(atPath: CLI.packageRoot + "/SampleStudies/patient1-fluoroscopy", toPath: inbox)
        let watch = try CLI.run([
            "watch", inbox, "--once", "--quiet-seconds", "0", "--no-previews", "--data", data, "--log-level", "warning",
        ])
        #expect(watch.status == 0, "\(watch.stdout) \(watch.stderr)")
        #expect(!watch.stderr.contains("deprecated"), "\(watch.stderr)")
        let archived = FileManager.default.enumerator(atPath: data + "/archive")?.allObjects.compactMap {
            $0 as? String
        }
        #expect(archived?.contains { $0.hasSuffix(".dcm") } == true, "archived under the data folder")
        let status = try CLI.run(["status", "--json", "--data", data])
        let object = AnnotatedStore.object(status)
        #expect((object["studies"] as? [String: Int])?["complete"] == 1, "\(status.stdout)")
    }
}
