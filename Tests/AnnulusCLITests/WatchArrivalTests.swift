import Foundation
import Testing
import ProcessTestSupport

/// The watcher's arrival side against real trouble: a real full file system (tmpfs), a file appended to with a
/// close after each piece, a file truncated for good, an unreadable file.
@Suite("annulus watch: full disks, growing, truncated and unreadable files", .serialized)
struct WatchArrivalTests {
    static let series = CLI.packageRoot + "/SampleStudies/patient2-lumbar-mr/series-01-sag-t2"

    static func samples() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: series).sorted().map { series + "/" + $0 }
    }

    static var isRoot: Bool { geteuid() == 0 }

    /// Whether a small tmpfs can be mounted here (root with CAP_SYS_ADMIN; not in every container).
    static let canMountTmpfs = Tmpfs.canMount

    /// Appends `data` to `path` (created if needed) and closes it, as a sender writing piece by piece does.
    static func append(_ data: Data, to path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        _ = data.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    static func watcher(_ status: [String: Any]) -> [String: Any] {
        ((status["watchers"] as? [[String: Any]]) ?? []).first ?? [:]
    }

    static func quarantined(_ fixture: WatchFixture) -> [String] {
        WatchFixture.files(in: fixture.data + "/quarantine").filter { !$0.hasSuffix(".reason.txt") }
    }

    @Test(
        "a file appended in pieces with a close after each (header first) is taken once, complete; nothing quarantined")
    func growingFile() throws {
        let fixture = try WatchFixture()
        defer { fixture.remove() }
        let whole = try Data(contentsOf: URL(fileURLWithPath: try Self.samples()[0]))
        let tag = Data([0xE0, 0x7F, 0x10, 0x00])
        let pixels = try #require(whole.lastRange(of: tag)?.lowerBound)
        let watcher = try fixture.startWatcher([
            "--quiet-seconds", "60", "--no-previews", "--source", "move", "--stability-seconds", "0.3",
            "--incomplete-seconds", "30",
        ])
        defer { watcher.kill() }
        #expect(
            WatchFixture.eventually(30) { Self.watcher((try? fixture.status()) ?? [:])["running"] as? Bool == true })

        let path = fixture.incoming + "/IM0001"
        let step = (whole.count - pixels) / 4
        let cuts = [700, pixels, pixels + 12, pixels + step, pixels + 2 * step, pixels + 3 * step, whole.count]
        var written = 0
        for cut in cuts {
            try Self.append(whole.subdata(in: written..<cut), to: path)
            written = cut
            usleep(800_000)  // longer than the stability interval: each piece is looked at
            if cut < whole.count {
                #expect(FileManager.default.fileExists(atPath: path), "not taken at \(cut) of \(whole.count) bytes")
                #expect(fixture.files(try fixture.status(), "added") == 0)
            }
        }
        #expect(try WatchFixture.eventually(20) { fixture.files(try fixture.status(), "added") == 1 })
        let status = try fixture.status()
        #expect(fixture.files(status, "quarantined") == 0 && Self.quarantined(fixture).isEmpty, "\(status)")
        let archived = WatchFixture.files(in: fixture.data + "/archive").filter { $0.hasSuffix(".dcm") }
        #expect(archived.count == 1)
        let original = try Self.samples()[0]
        if let archived = archived.first {
            let complete = FileManager.default.contentsEqual(
                atPath: fixture.data + "/archive/" + archived, andPath: original)
            #expect(complete, "the archived copy is the complete file")
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        watcher.signal(SIGTERM)
        #expect(watcher.wait(timeout: 30).map(ChildProcess.exitCode) == 0)
    }

    @Test("a file truncated for good waits out the patience, then is quarantined once under its own name")
    func truncatedForGood() throws {
        let fixture = try WatchFixture()
        defer { fixture.remove() }
        let whole = try Data(contentsOf: URL(fileURLWithPath: try Self.samples()[0]))
        let watcher = try fixture.startWatcher([
            "--quiet-seconds", "60", "--no-previews", "--stability-seconds", "0.3", "--incomplete-seconds", "3",
        ])
        defer { watcher.kill() }
        let path = fixture.incoming + "/cut.dcm"
        try Self.append(whole.prefix(whole.count - 1000), to: path)
        usleep(1_500_000)
        #expect(Self.quarantined(fixture).isEmpty, "still within the patience")
        #expect(WatchFixture.eventually(15) { Self.quarantined(fixture).count == 1 })
        usleep(4_000_000)
        let quarantined = Self.quarantined(fixture)
        #expect(quarantined.count == 1 && quarantined.first?.hasSuffix("-cut.dcm") == true, "\(quarantined)")
        let status = try fixture.status()
        #expect(fixture.files(status, "quarantined") == 1 && fixture.files(status, "added") == 0)
        let reason = try String(
            contentsOfFile: fixture.data + "/quarantine/" + (quarantined.first ?? "") + ".reason.txt", encoding: .utf8)
        #expect(reason.contains("incomplete") && reason.contains("truncated"), "\(reason)")
        #expect(FileManager.default.fileExists(atPath: path), "--source keep leaves it")
    }

    @Test("an unreadable file stays in place, is reported once, and is taken once readable")
    func unreadableFile() throws {
        let fixture = try WatchFixture()
        defer { fixture.remove() }
        let path = fixture.incoming + "/locked.dcm"
        try FileManager.default.copyItem(atPath: try Self.samples()[1], toPath: path)
        #expect(chmod(path, 0o000) == 0)
        // Root reads anything: the watcher then runs without the capabilities that bypass file permissions.
        let arguments = [
            CLI.executable, "watch", fixture.incoming, "--data", fixture.data, "--log-level", "info",
            "--quiet-seconds", "60", "--no-previews", "--source", "move", "--stability-seconds", "0.3",
            "--sweep-seconds", "1",
        ]
        let watcher = try ChildProcess(
            Self.isRoot
                ? ["/usr/bin/setpriv", "--bounding-set", "-dac_override,-dac_read_search", "--"] + arguments
                : arguments,
            output: fixture.data + "/watch.log")
        defer { watcher.kill() }
        #expect(WatchFixture.eventually(30) { Self.watcher((try? fixture.status()) ?? [:])["unreadable"] as? Int == 1 })
        usleep(3_000_000)  // several sweeps
        #expect(FileManager.default.fileExists(atPath: path), "left in place")
        #expect(Self.quarantined(fixture).isEmpty)
        let status = try fixture.status()
        let problems = ((status["lastProblems"] as? [[String: Any]]) ?? []).compactMap { $0["message"] as? String }
        #expect(problems.filter { $0.contains("cannot read") }.count == 1, "reported once: \(problems)")
        let text = try fixture.run(["status"])
        #expect(text.stdout.contains("unreadable: 1 file(s)"), "\(text.stdout)")

        #expect(chmod(path, 0o644) == 0)
        #expect(try WatchFixture.eventually(20) { fixture.files(try fixture.status(), "added") == 1 })
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(WatchFixture.eventually(10) { Self.watcher((try? fixture.status()) ?? [:])["unreadable"] as? Int == 0 })
    }

    @Test(
        "a real full disk (tmpfs under the data folder): the watcher waits, says so in status, and finishes once space is freed",
        .enabled(if: canMountTmpfs, "a tmpfs cannot be mounted here (needs root with CAP_SYS_ADMIN)"))
    func fullDisk() throws {
        let fixture = try WatchFixture()
        defer { fixture.remove() }
        let mounted = try CLI.runTool("/bin/mount", ["-t", "tmpfs", "-o", "size=6m", "tmpfs", fixture.data])
        try #require(mounted == 0, "mount -t tmpfs")
        defer { _ = try? CLI.runTool("/bin/umount", ["-l", fixture.data]) }

        let watcher = try ChildProcess(
            [
                CLI.executable, "watch", fixture.incoming, "--data", fixture.data, "--log-level", "info",
                "--quiet-seconds", "60", "--no-previews", "--source", "move", "--stability-seconds", "0.3",
            ], output: fixture.root + "/watch.log")
        defer { watcher.kill() }
        #expect(
            WatchFixture.eventually(30) { Self.watcher((try? fixture.status()) ?? [:])["running"] as? Bool == true })
        let samples = try Self.samples()
        try FileManager.default.copyItem(atPath: samples[0], toPath: fixture.incoming + "/first.dcm")
        #expect(try WatchFixture.eventually(20) { fixture.files(try fixture.status(), "added") == 1 })

        // Fill the file system to the last byte.
        let filler = fixture.data + "/filler"
        let descriptor = open(filler, O_WRONLY | O_CREAT | O_CLOEXEC, 0o644)
        try #require(descriptor >= 0)
        let block = [UInt8](repeating: 7, count: 4096)
        while block.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) > 0 {}
        #expect(errno == ENOSPC)
        close(descriptor)

        let names = (1...6).map { "IM\($0).dcm" }
        for (index, name) in names.enumerated() {
            try FileManager.default.copyItem(atPath: samples[index + 1], toPath: fixture.incoming + "/" + name)
        }
        let waiting = WatchFixture.eventually(30) {
            (Self.watcher((try? fixture.status()) ?? [:])["waiting"] as? String)?.contains("disk full on") == true
        }
        #expect(waiting, "status says what the watcher waits for")
        usleep(3_000_000)
        let text = try fixture.run(["status"])
        #expect(text.stdout.contains("waiting: disk full on \(fixture.data)"), "\(text.stdout)")
        #expect(text.stdout.contains(", retry "), "\(text.stdout)")
        #expect(watcher.wait(timeout: 0) == nil, "still running")
        #expect(WatchFixture.files(in: fixture.incoming).count == names.count, "the sources stay")
        #expect(!WatchFixture.files(in: fixture.data + "/archive").contains { $0.hasPrefix(".incoming/") })

        try FileManager.default.removeItem(atPath: filler)
        #expect(try WatchFixture.eventually(90) { fixture.files(try fixture.status(), "added") == 1 + names.count })
        #expect(WatchFixture.eventually(10) { Self.watcher((try? fixture.status()) ?? [:])["waiting"] == nil })
        #expect(WatchFixture.files(in: fixture.incoming).isEmpty, "nothing lost, nothing left")
        let archived = WatchFixture.files(in: fixture.data + "/archive")
        #expect(archived.filter { $0.hasSuffix(".dcm") }.count == 1 + names.count)
        #expect(!archived.contains { $0.hasPrefix(".incoming/") }, "no half-done placement: \(archived)")
        #expect(WatchFixture.files(in: fixture.data + "/processed").count == 1 + names.count)
        #expect(watcher.wait(timeout: 0) == nil, "it never exited")
        watcher.signal(SIGTERM)
        #expect(watcher.wait(timeout: 30).map(ChildProcess.exitCode) == 0)
    }
}

extension CLI {
    /// Runs a system tool and returns its exit status.
    static func runTool(_ path: String, _ arguments: [String]) throws -> Int32 {
        try ChildProcess.run(path, arguments)
    }
}
