import Foundation
import Ingest
import Store
import Testing

@testable import Watch

@Suite("ArrivalProcessor: archive, ledger and dedup against the store")
struct ArrivalProcessorTests {
    static let sampleSeries = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SampleStudies/patient2-lumbar-mr/series-01-sag-t2").path

    struct Place {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("arrivals-\(UUID().uuidString)").path
        var incoming: String { root + "/in" }
        let store: AnnulusStore
        let archive: FileArchive

        init() throws {
            try FileManager.default.createDirectory(atPath: root + "/in", withIntermediateDirectories: true)
            store = try AnnulusStore(path: root + "/data/annulus.sqlite")
            archive = try FileArchive(dataFolder: root + "/data", watchedRoot: root + "/in")
        }

        func remove() { try? FileManager.default.removeItem(atPath: root) }
    }

    static func sample(_ index: Int = 0) throws -> String {
        sampleSeries + "/" + (try FileManager.default.contentsOfDirectory(atPath: sampleSeries).sorted()[index])
    }

    @Test("an instance first indexed in place by `annulus ingest` is archived when it arrives, and the index follows")
    func ingestedElsewhereThenArrives() throws {
        let place = try Place()
        defer { place.remove() }
        let original = try Self.sample()
        let ingested = try Ingestor(store: place.store).ingest([original])
        #expect(ingested.added == [original])
        let copy = place.incoming + "/copy.dcm"
        try FileManager.default.copyItem(atPath: original, toPath: copy)
        let processor = ArrivalProcessor(store: place.store, archive: place.archive, disposition: .keep)
        let report = try processor.process([copy])
        #expect(report.duplicates == 1 && report.added == 0)
        let record = try #require(try InstanceReader.record(path: copy))
        let indexed = try #require(try place.store.instance(sopInstanceUID: record.sopInstanceUID))
        #expect(indexed.path.hasPrefix(place.archive.archiveRoot + "/"), "\(indexed.path)")
        #expect(FileManager.default.contentsEqual(atPath: indexed.path, andPath: original))
    }

    @Test("a kept source is taken once; a changed file at the same path is taken again as a replacement")
    func ledger() throws {
        let place = try Place()
        defer { place.remove() }
        let path = place.incoming + "/a.dcm"
        try FileManager.default.copyItem(atPath: try Self.sample(1), toPath: path)
        let processor = ArrivalProcessor(store: place.store, archive: place.archive, disposition: .keep)
        #expect(try processor.process([path]).added == 1)
        let again = try processor.process([path])
        #expect(again.alreadyTaken == 1 && again.added == 0 && again.duplicates == 0)
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[data.count - 1] ^= 0x01
        try data.write(to: URL(fileURLWithPath: path))
        let changed = try processor.process([path])
        #expect(changed.replaced == 1)
        #expect(try place.store.ledger().count == 1, "one ledger row per source path")
        #expect(try place.store.ledger().first?.outcome == .replaced)
    }

    @Test("with --source delete the source goes only after its archived copy is indexed; a vanished file is counted")
    func deleteAfterIndexing() throws {
        let place = try Place()
        defer { place.remove() }
        let path = place.incoming + "/b.dcm"
        try FileManager.default.copyItem(atPath: try Self.sample(2), toPath: path)
        let processor = ArrivalProcessor(store: place.store, archive: place.archive, disposition: .delete)
        let report = try processor.process([path, place.incoming + "/gone.dcm"])
        #expect(report.added == 1 && report.vanished == 1)
        #expect(!FileManager.default.fileExists(atPath: path))
        let archived = try place.store.ledger().first?.detail ?? ""
        #expect(FileManager.default.contentsEqual(atPath: archived, andPath: try Self.sample(2)))
    }

    @Test("another file under a reused name with the same size and time is taken, not mistaken for the old one")
    func reusedNameSameLook() throws {
        let place = try Place()
        defer { place.remove() }
        let path = place.incoming + "/IM0001"
        let stamp = Date(timeIntervalSince1970: 1_700_000_000)
        try FileManager.default.copyItem(atPath: try Self.sample(4), toPath: path)
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: path)
        let processor = ArrivalProcessor(store: place.store, archive: place.archive, disposition: .delete)
        #expect(try processor.process([path]).added == 1)
        // The sender sends a corrected image under the same name, keeping its time (unzip, cp -p): same size too.
        var corrected = try Data(contentsOf: URL(fileURLWithPath: try Self.sample(4)))
        corrected[corrected.count - 1] ^= 0x01
        try corrected.write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: stamp], ofItemAtPath: path)
        let second = try processor.process([path])
        #expect(second.replaced == 1 && second.alreadyTaken == 0, "\(second)")
        #expect(!FileManager.default.fileExists(atPath: path), "deleted only once archived")
        let archived =
            FileManager.default.enumerator(atPath: place.archive.archiveRoot)?.allObjects
            .compactMap { $0 as? String }.filter { $0.hasSuffix(".dcm") } ?? []
        #expect(archived.count == 2, "the corrected image and the superseded one: \(archived)")
        let current = try #require(archived.first { !$0.contains("superseded") })
        #expect(try Data(contentsOf: URL(fileURLWithPath: place.archive.archiveRoot + "/" + current)) == corrected)
    }

    @Test("the content hash is the SHA-256 that sha256sum prints")
    func contentHash() throws {
        let path = try Self.sample(3)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let expected = String(output.prefix(64))
        #expect(try InstanceReader.record(path: path).contentSHA256 == expected)
    }
}
