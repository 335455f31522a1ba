import Foundation
import Testing

@Suite("annulus watch: hostile files and crashes")
struct WatchRobustnessTests {
    static let corpus = URL(fileURLWithPath: CLI.packageRoot + "/../shared/corpus").standardized.path
    static var hasCorpus: Bool { FileManager.default.fileExists(atPath: corpus + "/expectations.csv") }

    /// The corpus rows: path and category.
    static func expectations() throws -> [(path: String, category: String, transferSyntax: String)] {
        let text = try String(contentsOfFile: corpus + "/expectations.csv", encoding: .utf8)
        let lines = text.split(whereSeparator: \.isNewline).map(String.init)  // "\r\n" is one Character
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let pathIndex = try #require(header.firstIndex(of: "path"))
        let syntaxIndex = try #require(header.firstIndex(of: "transfer_syntax_uid"))
        return lines.dropFirst().map { line in
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return (fields[pathIndex], fields.last ?? "", fields[syntaxIndex])
        }
    }

    @Test(
        "every corpus file plus zero-byte, random, truncated and text files: bad ones quarantined with a reason, none lost",
        .enabled(if: hasCorpus, "../shared/corpus is not here"))
    func hostileFiles() throws {
        let fixture = try WatchFixture()
        defer { fixture.remove() }
        let rows = try Self.expectations()
        try #require(rows.count > 300, "expectations.csv lists the corpus")
        for (index, row) in rows.enumerated() {
            try FileManager.default.copyItem(
                atPath: Self.corpus + "/" + row.path,
                toPath: fixture.incoming + String(format: "/%03d-", index) + (row.path as NSString).lastPathComponent)
        }
        let sample = try Data(
            contentsOf: URL(fileURLWithPath: CLI.packageRoot + "/SampleStudies/patient2-lumbar-mr/series-01-sag-t2")
                .appendingPathComponent(
                    try #require(
                        try FileManager.default.contentsOfDirectory(
                            atPath: CLI.packageRoot + "/SampleStudies/patient2-lumbar-mr/series-01-sag-t2"
                        ).sorted().first)))
        var generator = SystemRandomNumberGenerator()
        let extras: [String: Data] = [
            "zero-byte.dcm": Data(),
            "random.dcm": Data((0..<65_536).map { _ in UInt8.random(in: 0...255, using: &generator) }),
            "truncated.dcm": sample.prefix(3000),
            "notes.txt": Data("radiology export notes\n".utf8),
        ]
        for (name, data) in extras { try data.write(to: URL(fileURLWithPath: fixture.incoming + "/" + name)) }

        let result = try fixture.run([
            "watch", fixture.incoming, "--once", "--quiet-seconds", "0", "--no-previews", "--source", "move",
        ])
        #expect(result.status == 1, "exit 1 when files were quarantined: \(result.stdout) \(result.stderr)")
        #expect(!result.signaled)

        let quarantine = fixture.data + "/quarantine"
        let quarantined = try FileManager.default.contentsOfDirectory(atPath: quarantine)
        let files = quarantined.filter { !$0.hasSuffix(".reason.txt") }
        let byName = Dictionary(
            files.map { (String($0.drop { $0 != "-" }.dropFirst()), $0) }, uniquingKeysWith: { first, _ in first })
        for file in files {
            let reason = try String(contentsOfFile: quarantine + "/" + file + ".reason.txt", encoding: .utf8)
            #expect(reason.contains("reason: ") && reason.contains("file: "), "\(file) has a reason")
        }
        for name in extras.keys { #expect(byName[name] != nil, "\(name) is quarantined") }
        for (index, row) in rows.enumerated() {
            let name = String(format: "%03d-", index) + (row.path as NSString).lastPathComponent
            switch row.category {
            case "malformed", "adversarial":
                #expect(byName[name] != nil, "\(row.path) (\(row.category)) is quarantined")
            case "unsupported-codec"
            where row.transferSyntax.hasPrefix("1.2.840.10008.1.2.4.9")
                || row.transferSyntax.hasPrefix("1.2.840.10008.1.2.4.20"):
                #expect(byName[name] == nil, "\(row.path) (JPEG 2000 / HTJ2K, decoded here) is indexed")
            case "unsupported-codec" where row.transferSyntax == "1.2.840.10008.1.2.4.111":
                #expect(byName[name] != nil, "\(row.path) (JPEG XL) is quarantined")
            case "image":
                if let quarantinedName = byName[name] {
                    let reason = try String(
                        contentsOfFile: quarantine + "/" + quarantinedName + ".reason.txt", encoding: .utf8)
                    #expect(reason.contains("cannot be indexed"), "\(row.path) is an image: only missing UIDs stop it")
                }
            default:
                break
            }
        }
        // Nothing lost: every file is either indexed (and moved to processed/) or quarantined.
        #expect(WatchFixture.files(in: fixture.incoming).isEmpty)
        let processed = WatchFixture.files(in: fixture.data + "/processed")
        #expect(processed.count + files.count == rows.count + extras.count)
        let status = try fixture.status()
        #expect(fixture.files(status, "quarantined") == files.count)
        #expect((fixture.files(status, "added") ?? 0) + (fixture.files(status, "replaced") ?? 0) >= 300, "\(status)")
    }

    @Test("a symbolic link and a fifo are quarantined as entries, never followed or read")
    func linksAndFifos() throws {
        let fixture = try WatchFixture()
        defer { fixture.remove() }
        let outside = CLI.packageRoot + "/SampleStudies/patient2-lumbar-mr/series-01-sag-t2"
        let target = outside + "/" + (try FileManager.default.contentsOfDirectory(atPath: outside).sorted()[0])
        try FileManager.default.createSymbolicLink(atPath: fixture.incoming + "/link.dcm", withDestinationPath: target)
        #expect(mkfifo(fixture.incoming + "/pipe.dcm", 0o600) == 0)

        // Kept sources stay: the reason is written once and the entries are left where they are.
        let kept = try fixture.run(["watch", fixture.incoming, "--once", "--quiet-seconds", "0", "--no-previews"])
        #expect(kept.status == 1 && kept.stdout.contains("0 added") && kept.stdout.contains("2 quarantined"))
        let reasons = try FileManager.default.contentsOfDirectory(atPath: fixture.data + "/quarantine")
        #expect(reasons.filter { $0.hasSuffix(".reason.txt") }.count == 2 && reasons.count == 2)
        let linkReason = try #require(reasons.first { $0.hasSuffix("-link.dcm.reason.txt") })
        let reason = try String(contentsOfFile: fixture.data + "/quarantine/" + linkReason, encoding: .utf8)
        #expect(reason.contains("symbolic link, not a regular file"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: fixture.incoming + "/link.dcm") == target)
        let again = try fixture.run(["watch", fixture.incoming, "--once", "--quiet-seconds", "0", "--no-previews"])
        #expect(again.status == 0 && again.stdout.contains("0 quarantined"), "reported once: \(again.stdout)")

        // With --source move the entries themselves go to the quarantine; the link's target is untouched.
        let moved = try fixture.run([
            "watch", fixture.incoming, "--once", "--quiet-seconds", "0", "--no-previews", "--source", "move",
        ])
        #expect(moved.stdout.contains("2 quarantined"), "\(moved.stdout)")
        let quarantine = try FileManager.default.contentsOfDirectory(atPath: fixture.data + "/quarantine")
        let link = try #require(quarantine.first { $0.hasSuffix("-link.dcm") })
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: fixture.data + "/quarantine/" + link) == target,
            "the link itself was moved")
        #expect(FileManager.default.fileExists(atPath: target), "the link's target is untouched")
        #expect(try FileManager.default.contentsOfDirectory(atPath: fixture.incoming).isEmpty)
    }

    @Test("SIGKILL at random points while 500 files arrive: after a restart every file is indexed exactly once")
    func killedWhileFilesArrive() throws {
        let fixture = try WatchFixture()
        defer { fixture.remove() }
        let staging = fixture.root + "/staging"
        let generated = try CLI.run([
            "samples", "--synthetic", "mr-stack", "--count", "500", "--size", "64", "--out", staging,
        ])
        try #require(generated.status == 0, "\(generated.stderr)")
        let staged = WatchFixture.files(in: staging)
        try #require(staged.count == 500)

        // The feeder delivers in the three ways senders do: rename in, *.part then rename, and plain writes.
        nonisolated(unsafe) var fed = 0
        let feeder = Thread {
            for (index, relative) in staged.enumerated() {
                let source = staging + "/" + relative
                let target = fixture.incoming + "/f\(index).dcm"
                switch index % 3 {
                case 0: try? FileManager.default.moveItem(atPath: source, toPath: target)
                case 1:
                    try? FileManager.default.copyItem(atPath: source, toPath: target + ".part")
                    try? FileManager.default.moveItem(atPath: target + ".part", toPath: target)
                default:
                    if let data = FileManager.default.contents(atPath: source) {
                        try? data.write(to: URL(fileURLWithPath: target))
                    }
                }
                fed = index + 1
                if index % 25 == 0 { usleep(20_000) }
            }
        }
        feeder.start()
        var kills = 0
        while !feeder.isFinished || kills < 3 {
            let watcher = try fixture.startWatcher([
                "--quiet-seconds", "1", "--source", "move", "--no-previews", "--stability-seconds", "0.3",
            ])
            usleep(UInt32.random(in: 150_000...900_000))
            watcher.signal(SIGKILL)
            // A process in uninterruptible I/O dies when the call returns: wait for it to be gone.
            #expect(watcher.wait(timeout: 60) != nil, "the killed watcher is reaped")
            kills += 1
        }
        #expect(fed == 500)
        let final = try fixture.run([
            "watch", fixture.incoming, "--once", "--quiet-seconds", "0", "--no-previews", "--source", "move",
            "--stability-seconds", "0.3",
        ])
        #expect(final.status == 0, "\(final.stdout) \(final.stderr)")

        let status = try fixture.status()
        #expect(fixture.files(status, "added") == 500, "each file indexed once, after \(kills) kills: \(status)")
        #expect(fixture.files(status, "duplicate") == 0 && fixture.files(status, "quarantined") == 0)
        #expect(fixture.studies(status, "complete") == 1)
        let studies = try fixture.run(["studies", "--json"])
        let study =
            (try? JSONSerialization.jsonObject(with: Data((studies.lines.first ?? "{}").utf8))) as? [String: Any]
        #expect(study?["instanceCount"] as? Int == 500)
        let archived = WatchFixture.files(in: fixture.data + "/archive")
        #expect(archived.filter { $0.hasSuffix(".dcm") }.count == 500)
        #expect(!archived.contains { $0.hasPrefix(".incoming/") }, "no placement left half done")
        #expect(WatchFixture.files(in: fixture.incoming).isEmpty, "no file left behind")
        #expect(WatchFixture.files(in: fixture.data + "/processed").count == 500)
    }
}
