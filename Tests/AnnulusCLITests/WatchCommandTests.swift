import Foundation
import Testing
import ProcessTestSupport

/// A watched folder and a data folder in a fresh temporary place.
struct WatchFixture {
    let root: String
    var incoming: String { root + "/in" }
    var data: String { root + "/data" }
    var store: String { data + "/annulus.sqlite" }

    init() throws {
        root =
            FileManager.default.temporaryDirectory.appendingPathComponent("annulus-watch-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: root + "/in", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: root + "/data", withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: root) }

    /// `annulus ARGS --data DATA`.
    func run(_ arguments: [String]) throws -> CLI.Result { try CLI.run(arguments + ["--data", data]) }

    /// `annulus status --json`, parsed.
    func status() throws -> [String: Any] {
        let result = try run(["status", "--json"])
        return (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
    }

    func files(_ status: [String: Any], _ outcome: String) -> Int? {
        (status["files"] as? [String: Int])?[outcome]
    }

    func studies(_ status: [String: Any], _ state: String) -> Int? {
        (status["studies"] as? [String: Int])?[state]
    }

    /// Starts a long-lived `annulus watch` (posix_spawn) logging into `data/watch.log`.
    func startWatcher(_ arguments: [String]) throws -> ChildProcess {
        try ChildProcess(
            [CLI.executable, "watch", incoming, "--data", data, "--log-level", "info"] + arguments,
            output: data + "/watch.log")
    }

    /// Polls `condition` every 0.2 s for up to `seconds`.
    static func eventually(_ seconds: Double, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            usleep(200_000)
        }
        return try condition()
    }

    /// Every regular file below `folder`, relative paths.
    static func files(in folder: String) -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: folder)
        var files: [String] = []
        while let next = enumerator?.nextObject() as? String {
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: folder + "/" + next, isDirectory: &isFolder), !isFolder.boolValue
            {
                files.append(next)
            }
        }
        return files.sorted()
    }
}

@Suite("annulus watch: the export-folder watcher, end to end")
struct WatchCommandTests {
    static let samples = CLI.packageRoot + "/SampleStudies"

    @Test("--once on a copy of SampleStudies indexes, archives, completes, previews and pre-triages every study")
    func onceOnSampleStudies() throws {
        let fixture = try WatchFixture()
        defer { fixture.remove() }
        try FileManager.default.removeItem(atPath: fixture.incoming)
        try FileManager.default.copyItem(atPath: Self.samples, toPath: fixture.incoming)
        let exports = fixture.root + "/exports"
        let result = try fixture.run([
            "watch", fixture.incoming, "--once", "--quiet-seconds", "0", "--export-to", exports,
        ])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("71 added, 0 duplicate(s), 0 replaced, 0 quarantined"))
        let exported = try FileManager.default.contentsOfDirectory(atPath: exports).sorted()
        #expect(exported == ["ACC-MR-0001.findings.json", "ACC-MR-0002.findings.json", "ACC-RF-0001.findings.json"])
        let status = try fixture.status()
        let completed = ((status["lastCompleted"] as? [[String: Any]]) ?? []).compactMap { $0["message"] as? String }
        #expect(completed.count == 3)
        #expect(completed.allSatisfy { $0.contains("pre-triage: needs-more-information") && $0.contains("preview(s)") })
        #expect(fixture.files(status, "added") == 71)
        #expect(fixture.studies(status, "complete") == 3 && fixture.studies(status, "pending") == 0)
        let archived = WatchFixture.files(in: fixture.data + "/archive").filter { $0.hasSuffix(".dcm") }
        #expect(archived.count == 71)
        #expect(WatchFixture.files(in: fixture.incoming).count == 71, "--source keep leaves the sources")
        let previews = WatchFixture.files(in: fixture.data + "/previews")
        #expect(previews.contains { $0.hasPrefix("ACC-MR-0001/series1/") && $0.contains("sheet") })
        #expect(previews.contains { $0.hasPrefix("ACC-RF-0001/") && $0.hasSuffix(".png") })
        let worklist = try fixture.run(["worklist", "--json"])
        #expect(worklist.lines.count == 2, "both patients are on the worklist: \(worklist.stdout)")
        #expect(worklist.stdout.contains("needs more information"))

        // A second pass takes nothing again: the ledger knows the kept files.
        let again = try fixture.run(["watch", fixture.incoming, "--once", "--quiet-seconds", "0"])
        #expect(again.stdout.contains("0 added, 0 duplicate(s)"), "\(again.stdout)")
        #expect(fixture.files(try fixture.status(), "added") == 71)
    }

    @Test("the same instance again is a counted duplicate; other content under its UID replaces it, the older kept")
    func duplicatesAndReplacements() throws {
        let fixture = try WatchFixture()
        defer { fixture.remove() }
        let series = Self.samples + "/patient2-lumbar-mr/series-01-sag-t2"
        let files = try FileManager.default.contentsOfDirectory(atPath: series).sorted()
        let original = series + "/" + files[0]
        try FileManager.default.copyItem(atPath: original, toPath: fixture.incoming + "/first.dcm")
        #expect(
            try fixture.run(["watch", fixture.incoming, "--once", "--quiet-seconds", "0", "--no-previews"]).status == 0)
        try FileManager.default.copyItem(atPath: original, toPath: fixture.incoming + "/again.dcm")
        var changed = try Data(contentsOf: URL(fileURLWithPath: original))
        changed[changed.count - 1] ^= 0xFF  // one pixel differs, same SOP Instance UID
        try changed.write(to: URL(fileURLWithPath: fixture.incoming + "/changed.dcm"))
        let result = try fixture.run([
            "watch", fixture.incoming, "--once", "--quiet-seconds", "0", "--no-previews", "--source", "move",
        ])
        #expect(result.stdout.contains("0 added, 1 duplicate(s), 1 replaced"), "\(result.stdout) \(result.stderr)")
        let archived = WatchFixture.files(in: fixture.data + "/archive")
        #expect(archived.filter { $0.hasSuffix(".dcm") && !$0.contains("superseded") }.count == 1)
        #expect(archived.filter { $0.contains(".superseded-") }.count == 1, "the older content is kept: \(archived)")
        let current = try #require(archived.first { $0.hasSuffix(".dcm") && !$0.contains("superseded") })
        #expect(try Data(contentsOf: URL(fileURLWithPath: fixture.data + "/archive/" + current)) == changed)
        let status = try fixture.status()
        #expect(fixture.files(status, "duplicate") == 1 && fixture.files(status, "replaced") == 1)
        #expect(WatchFixture.files(in: fixture.incoming).isEmpty, "with --source move all taken sources leave")
    }

    @Test("a watched folder inside the data folder is watched (only folders inside the watched one are excluded)")
    func inboxInsideData() throws {
        let fixture = try WatchFixture()
        defer { fixture.remove() }
        let inbox = fixture.data + "/inbox"
        try FileManager.default.copyItem(atPath: Self.samples + "/patient2-lumbar-mr", toPath: inbox)
        let result = try fixture.run([
            "watch", inbox, "--once", "--quiet-seconds", "0", "--no-previews", "--source", "move",
        ])
        #expect(result.stdout.contains("30 added"), "\(result.stdout) \(result.stderr)")
    }

    @Test("a study stays pending across a restart and completes on the next run")
    func pendingSurvivesRestart() throws {
        let fixture = try WatchFixture()
        defer { fixture.remove() }
        try FileManager.default.copyItem(
            atPath: Self.samples + "/patient2-lumbar-mr", toPath: fixture.incoming + "/patient2")
        // --once-wait-limit 0: the run does not wait for the hour of quiet.
        let first = try fixture.run([
            "watch", fixture.incoming, "--once", "--quiet-seconds", "3600", "--once-wait-limit", "0", "--no-previews",
        ])
        #expect(first.status == 0)
        #expect(fixture.studies(try fixture.status(), "pending") == 1)
        let second = try fixture.run(["watch", fixture.incoming, "--once", "--quiet-seconds", "0", "--no-previews"])
        #expect(second.stdout.contains("0 added"))
        let status = try fixture.status()
        #expect(fixture.studies(status, "pending") == 0 && fixture.studies(status, "complete") == 1)
    }

    @Test("a running watcher takes a folder moved in and files renamed from *.part, then stops cleanly on SIGTERM")
    func runningWatcher() throws {
        let fixture = try WatchFixture()
        defer { fixture.remove() }
        let staging = fixture.root + "/staging"
        try FileManager.default.copyItem(atPath: Self.samples, toPath: staging)
        let watcher = try fixture.startWatcher(["--quiet-seconds", "1", "--source", "move", "--no-previews"])
        defer { watcher.kill() }
        #expect(WatchFixture.eventually(20) { (try? fixture.status())?["watchers"] as? [Any] != nil })
        // By mv: a whole study folder renamed into the watched folder.
        try FileManager.default.moveItem(
            atPath: staging + "/patient2-lumbar-mr", toPath: fixture.incoming + "/patient2-lumbar-mr")
        // By copy: each file written as *.part, then renamed (how many senders deliver).
        for relative in WatchFixture.files(in: staging + "/patient1-lumbar-mr") {
            let target = fixture.incoming + "/p1-" + relative.replacingOccurrences(of: "/", with: "-")
            try FileManager.default.copyItem(
                atPath: staging + "/patient1-lumbar-mr/" + relative, toPath: target + ".part")
            try FileManager.default.moveItem(atPath: target + ".part", toPath: target)
        }
        let complete = try WatchFixture.eventually(60) {
            let status = try fixture.status()
            return fixture.files(status, "added") == 70 && fixture.studies(status, "complete") == 2
        }
        #expect(complete, "\((try? fixture.status()) ?? [:])")
        // One watcher per data folder: a second one is refused with the holder named.
        let second = try fixture.run(["watch", fixture.incoming, "--once", "--lock-wait", "0.3"])
        #expect(
            second.status != 0 && second.stderr.contains("another watcher (pid \(watcher.pid))"), "\(second.stderr)")
        watcher.signal(SIGTERM)
        let exit = watcher.wait(timeout: 20)
        #expect(exit.flatMap(ChildProcess.exitCode) == 0, "SIGTERM stops cleanly")
        let watchers = (try fixture.status()["watchers"] as? [[String: Any]]) ?? []
        #expect(watchers.first?["running"] as? Bool == false && watchers.first?["stoppedAt"] as? String != nil)
        #expect(WatchFixture.files(in: fixture.incoming).isEmpty, "every source moved to processed/")
        #expect(WatchFixture.files(in: fixture.data + "/processed").count == 70)
        let log = (try? String(contentsOfFile: fixture.data + "/watch.log", encoding: .utf8)) ?? ""
        #expect(
            !log.contains("ANNULUS-SAMPLE") && !log.contains("SAMPLE^") && !log.contains("ACC-"),
            "no patient IDs, names or accession numbers in the log")
        #expect(log.contains("batch"), "the log records the batches")
    }
}

@Suite("annulus watch with a real DICOM sender: DCMTK storescp into the watched folder, dcmsend from SampleStudies")
struct WatchStoreSCPTests {
    static var hasDCMTKNetworkTools: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/storescp")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/dcmsend")
    }

    @Test(
        "studies sent over DICOM are indexed, completed and previewed",
        .enabled(if: hasDCMTKNetworkTools, "DCMTK's storescp and dcmsend are not installed (apt package dcmtk)"))
    func storescpToWatcher() throws {
        let fixture = try WatchFixture()
        defer { fixture.remove() }
        let watcher = try fixture.startWatcher(["--quiet-seconds", "2", "--source", "move"])
        defer { watcher.kill() }
        let port = FlakyFHIRServer.unusedPort()
        let storescp = try ChildProcess(
            ["/usr/bin/storescp", "--output-directory", fixture.incoming, "+xa", "--aetitle", "ANNULUS", "\(port)"],
            output: fixture.data + "/storescp.log")
        defer { storescp.kill() }
        // dcmsend retries until storescp listens.
        var sent: Int32? = nil
        for _ in 0..<50 {
            let dcmsend = try ChildProcess(
                [
                    "/usr/bin/dcmsend", "--call", "ANNULUS", "--scan-directories", "--recurse", "127.0.0.1", "\(port)",
                    WatchCommandTests.samples,
                ], output: fixture.data + "/dcmsend.log")
            sent = dcmsend.wait(timeout: 120).flatMap(ChildProcess.exitCode)
            if sent == 0 { break }
            usleep(200_000)
        }
        let sendLog = (try? String(contentsOfFile: fixture.data + "/dcmsend.log", encoding: .utf8)) ?? ""
        #expect(sent == 0, "dcmsend: \(sendLog)")
        let done = try WatchFixture.eventually(120) {
            let status = try fixture.status()
            return fixture.files(status, "added") == 71 && fixture.studies(status, "complete") == 3
        }
        #expect(done, "\((try? fixture.status()) ?? [:])")
        let previews = WatchFixture.files(in: fixture.data + "/previews")
        for accession in ["ACC-MR-0001", "ACC-MR-0002", "ACC-RF-0001"] {
            #expect(previews.contains { $0.hasPrefix(accession + "/") && $0.hasSuffix(".png") }, "\(accession)")
        }
        #expect(WatchFixture.files(in: fixture.incoming).isEmpty, "storescp's files were all taken")
        watcher.signal(SIGTERM)
        #expect(watcher.wait(timeout: 30).flatMap(ChildProcess.exitCode) == 0)
    }
}
