import Foundation
import Testing

@Suite("annulus check, and every command refusing a file that is not a store")
struct StoreIntegrityCommandTests {
    static func temporaryFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-check-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test("a 0-byte store is refused by every command, ingest and check included, and stays 0 bytes")
    func emptyStore() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/annulus.sqlite"
        FileManager.default.createFile(atPath: path, contents: Data())
        let message =
            "the store \(path) is an empty file (0 bytes), not an annulus store: its history is not in it."
        for command in [
            ["studies"], ["worklist"], ["annotate", "list", "ACC-MR-0001"],
            ["ingest", CLI.packageRoot + "/SampleStudies"],
        ] {
            let result = try CLI.run(command + ["--data", folder])
            #expect(result.status == 1, "\(command)")
            #expect(result.stderr.contains(message), "\(command): \(result.stderr)")
        }
        let check = try CLI.run(["check", "--data", folder])
        #expect(check.status == 1)
        #expect(check.stdout.hasPrefix("DAMAGED \(path): \(message)"), "\(check.stdout)")
        let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
        #expect(size == 0, "nothing was written into the empty file")
    }

    @Test("a text file where the store should be is named as not a store")
    func textFile() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/annulus.sqlite"
        try Data("not a database\n".utf8).write(to: URL(fileURLWithPath: path))
        let result = try CLI.run(["check", "--data", folder, "--json"])
        #expect(result.status == 1)
        let object = AnnotatedStore.object(result)
        #expect(object["clean"] as? Bool == false)
        #expect(
            (object["error"] as? String)?.hasPrefix("\(path) is not an annulus store (the file does not start") == true)
    }

    @Test("check: a sound store exits 0; junk over a table's pages exits 1 naming the table and what to do")
    func checkFindsDamage() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let clean = try fixture.run(["check"])
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        #expect(clean.stdout.hasPrefix("OK \(fixture.store): quick_check and foreign_key_check found no problem"))
        #expect(try fixture.run(["check", "--full"]).status == 0)
        // Every page of the instances table after its root, overwritten with junk.
        let pages = try Self.sqlite3(
            fixture.store, "SELECT pageno FROM dbstat WHERE name = 'instances' AND pagetype = 'leaf'"
        ).split(separator: "\n").compactMap { Int($0) }
        let page = try #require(pages.last)
        let handle = try #require(FileHandle(forUpdatingAtPath: fixture.store))
        try handle.seek(toOffset: UInt64(4096 * (page - 1)))
        try handle.write(contentsOf: Data(repeating: 0xA5, count: 4096))
        try handle.close()
        let damaged = try fixture.run(["check"])
        #expect(damaged.status == 1)
        #expect(damaged.lines.first == "DAMAGED \(fixture.store): quick_check found 1 problem(s) in instances")
        #expect(damaged.stdout.contains("table instances: Page \(page): "), "\(damaged.stdout)")
        #expect(damaged.stdout.contains("restore the latest backup; `sqlite3 \(fixture.store) .recover`"))
    }

    @Test("check on a path with no store is a usage error and creates nothing")
    func checkMissing() throws {
        let folder = try Self.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let result = try CLI.run(["check", "--data", folder + "/none"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("there is no store at \(folder)/none/annulus.sqlite"))
        #expect(!FileManager.default.fileExists(atPath: folder + "/none"))
    }

    static func sqlite3(_ path: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path, sql]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
