import Foundation
import Testing

@testable import TextSafety

@Suite("User-given files are read with a size bound and truthful errors")
struct BoundedFileTests {
    let folder: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bounded-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    @Test("a regular file within the bound is read whole")
    func reads() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/rules.json"
        let bytes = (0..<200_000).map { UInt8($0 % 251) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(try BoundedFile.read(path: path, limit: 200_000) == bytes)
    }

    @Test("a file over the bound is refused from its size, naming the bound")
    func tooLarge() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/big.json"
        try Data(count: 5 * BoundedFile.mebibyte + 300_000).write(to: URL(fileURLWithPath: path))
        #expect(
            throws: BoundedFileError(
                path: path, what: "rule file",
                problem: .tooLarge(
                    size: 5 * BoundedFile.mebibyte + 300_000,
                    limit: 4 * BoundedFile.mebibyte))
        ) { try BoundedFile.read(path: path, limit: 4 * BoundedFile.mebibyte, what: "rule file") }
        let error = #expect(throws: BoundedFileError.self) {
            try BoundedFile.read(path: path, limit: 4 * BoundedFile.mebibyte, what: "rule file")
        }
        #expect(error?.description == "the rule file \(path) is 5.3 MiB, larger than the 4 MiB a rule file may be")
    }

    @Test("/dev/null, a directory and a FIFO are not regular files; nothing blocks on the FIFO")
    func notRegular() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(
            (#expect(throws: BoundedFileError.self) { try BoundedFile.read(path: "/dev/null", limit: 100) })?
                .description == "the file /dev/null is not a regular file (it is a character device)")
        #expect(
            (#expect(throws: BoundedFileError.self) { try BoundedFile.read(path: folder, limit: 100) })?
                .description == "the file \(folder) is not a regular file (it is a directory)")
        let fifo = folder + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(
            (#expect(throws: BoundedFileError.self) { try BoundedFile.read(path: fifo, limit: 100, what: "token file") })?
                .description == "the token file \(fifo) is not a regular file (it is a FIFO (named pipe))")
    }

    @Test("an empty file, a missing file and an unreadable file say so")
    func emptyMissingUnreadable() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let empty = folder + "/empty.csv"
        FileManager.default.createFile(atPath: empty, contents: Data())
        #expect(
            (#expect(throws: BoundedFileError.self) { try BoundedFile.read(path: empty, limit: 100, what: "CSV file") })?
                .description == "the CSV file \(empty) is empty")
        #expect(
            (#expect(throws: BoundedFileError.self) { try BoundedFile.read(path: folder + "/nope", limit: 100) })?
                .description == "the file \(folder)/nope does not exist")
        let locked = folder + "/locked"
        FileManager.default.createFile(atPath: locked, contents: Data("x".utf8))
        chmod(locked, 0)
        if getuid() != 0 {  // root reads anything
            #expect(
                (#expect(throws: BoundedFileError.self) { try BoundedFile.read(path: locked, limit: 100) })?
                    .description == "the file \(locked) cannot be read: permission denied")
        }
    }

    @Test("a path with control characters is escaped in the message")
    func escapedPath() {
        let error = BoundedFileError(path: "/tmp/a\u{1B}[2Jb", what: "file", problem: .notFound)
        #expect(error.description == "the file /tmp/a\\e[2Jb does not exist")
    }

    @Test("sizes are described in bytes, KiB and MiB")
    func sizes() {
        #expect(BoundedFile.describe(bytes: 4 * BoundedFile.mebibyte) == "4 MiB")
        #expect(BoundedFile.describe(bytes: 186_700_000) == "178.1 MiB")
        #expect(BoundedFile.describe(bytes: 64 * 1024) == "64 KiB")
        #expect(BoundedFile.describe(bytes: 1) == "1 byte")
    }
}
