import Foundation
import Testing
import ProcessTestSupport

/// `watch --once` with a quiet time: the run waits until the studies it took are quiet, completes them, then exits.
@Suite("annulus watch --once waits for the studies it took to be quiet, then completes them")
struct WatchOnceWaitTests {
    static let samples = CLI.packageRoot + "/SampleStudies"

    /// Runs `annulus ARGS --data DATA` and returns the result and the seconds it took.
    static func timed(_ fixture: WatchFixture, _ arguments: [String]) throws -> (CLI.Result, Double) {
        let start = Date()
        let result = try fixture.run(arguments)
        return (result, Date().timeIntervalSince(start))
    }

    @Test("--quiet-seconds 2 on SampleStudies completes every study (previews, status complete) after about 2 s")
    func completesAfterQuiet() throws {
        let fixture = try WatchFixture()
        defer { fixture.remove() }
        try FileManager.default.removeItem(atPath: fixture.incoming)
        try FileManager.default.copyItem(atPath: Self.samples, toPath: fixture.incoming)
        let (result, seconds) = try Self.timed(fixture, ["watch", fixture.incoming, "--once", "--quiet-seconds", "2"])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("71 added"), "\(result.stdout)")
        #expect(result.stdout.contains("studies: 3 finished by this run, 0 pending"), "\(result.stdout)")
        #expect(seconds >= 2, "the run waited for the quiet time: \(seconds) s")
        let status = try fixture.status()
        #expect(fixture.studies(status, "complete") == 3 && fixture.studies(status, "pending") == 0, "\(status)")
        let previews = WatchFixture.files(in: fixture.data + "/previews")
        #expect(previews.contains { $0.hasPrefix("ACC-MR-0001/series1/") && $0.hasSuffix(".png") }, "\(previews)")
        #expect(previews.contains { $0.hasPrefix("ACC-MR-0002/") && $0.hasSuffix(".png") })
        #expect(previews.contains { $0.hasPrefix("ACC-RF-0001/") && $0.hasSuffix(".png") })
        #expect(result.stderr.contains("waiting for the studies taken to be quiet"), "\(result.stderr)")
    }

    @Test("the wait is the quiet time, not more: Q=2 takes about 2 s longer than Q=0, which does not wait")
    func waitIsTheQuietTime() throws {
        var durations: [String: Double] = [:]
        for quiet in ["0", "2"] {
            let fixture = try WatchFixture()
            defer { fixture.remove() }
            try FileManager.default.copyItem(
                atPath: Self.samples + "/patient2-lumbar-mr", toPath: fixture.incoming + "/patient2")
            let (result, seconds) = try Self.timed(
                fixture, ["watch", fixture.incoming, "--once", "--quiet-seconds", quiet, "--no-previews"])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            #expect(
                result.stdout.contains("studies: 1 finished by this run, 0 pending"), "Q=\(quiet): \(result.stdout)")
            #expect(fixture.studies(try fixture.status(), "complete") == 1)
            #expect(
                result.stderr.contains("waiting for the studies taken") == (quiet != "0"),
                "Q=0 completes at once, without waiting: \(result.stderr)")
            durations[quiet] = seconds
        }
        let (unwaited, waited) = (durations["0"] ?? 0, durations["2"] ?? 0)
        #expect(waited >= 2, "\(durations)")
        #expect(waited - unwaited >= 1.5 && waited - unwaited < 5, "about 2 s more than Q=0: \(durations)")
    }

    @Test("a file arriving during the wait is taken by the same run and restarts its study's quiet time")
    func arrivalDuringWait() throws {
        let fixture = try WatchFixture()
        defer { fixture.remove() }
        let study = Self.samples + "/patient2-lumbar-mr"
        try FileManager.default.copyItem(
            atPath: study + "/series-01-sag-t2", toPath: fixture.incoming + "/series-01-sag-t2")
        let output = fixture.data + "/once.log"
        let watcher = try ChildProcess(
            [
                CLI.executable, "watch", fixture.incoming, "--data", fixture.data, "--once", "--quiet-seconds", "3",
                "--no-previews", "--log-level", "info",
            ], output: output)
        defer { watcher.kill() }
        // Once the first series is in and the run waits, the second series arrives (written as *.part, renamed).
        let firstTaken = try WatchFixture.eventually(30) { fixture.files(try fixture.status(), "added") == 15 }
        #expect(firstTaken, "\((try? fixture.status()) ?? [:])")
        usleep(1_000_000)
        #expect(watcher.wait(timeout: 0) == nil, "the run is still waiting for the quiet time")
        let second = study + "/series-02-sag-t1"
        for name in try FileManager.default.contentsOfDirectory(atPath: second).sorted() {
            let target = fixture.incoming + "/t1-" + name
            try FileManager.default.copyItem(atPath: second + "/" + name, toPath: target + ".part")
            try FileManager.default.moveItem(atPath: target + ".part", toPath: target)
        }
        let arrived = Date()
        let status = watcher.wait(timeout: 60)
        let afterArrival = Date().timeIntervalSince(arrived)
        let log = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(status.flatMap(ChildProcess.exitCode) == 0, "\(log)")
        #expect(log.contains("30 added"), "the same run took the late series: \(log)")
        #expect(log.contains("studies: 1 finished by this run, 0 pending"), "\(log)")
        #expect(afterArrival >= 2.5, "the late arrival restarted the quiet time (3 s): exited \(afterArrival) s after")
        #expect(afterArrival < 20, "and the run did not wait much longer: \(afterArrival) s")
        let final = try fixture.status()
        #expect(fixture.files(final, "added") == 30 && fixture.studies(final, "complete") == 1, "\(final)")
    }

    @Test("--once-wait-limit bounds the wait: 0 exits at once and leaves the study pending for a later run")
    func waitLimit() throws {
        let fixture = try WatchFixture()
        defer { fixture.remove() }
        try FileManager.default.copyItem(
            atPath: Self.samples + "/patient2-lumbar-mr", toPath: fixture.incoming + "/patient2")
        let (first, seconds) = try Self.timed(
            fixture,
            ["watch", fixture.incoming, "--once", "--quiet-seconds", "3600", "--once-wait-limit", "0", "--no-previews"])
        #expect(first.status == 0, "\(first.stdout) \(first.stderr)")
        #expect(seconds < 30, "no wait: \(seconds) s")
        #expect(
            first.stdout.contains("studies: 0 finished by this run, 1 pending (not quiet within"), "\(first.stdout)")
        #expect(fixture.studies(try fixture.status(), "pending") == 1)

        // A quiet time beyond the limit is not waited for either: the study cannot be due in time.
        let (second, waited) = try Self.timed(
            fixture, ["watch", fixture.incoming, "--once", "--quiet-seconds", "3600", "--once-wait-limit", "5"])
        #expect(second.status == 0 && waited < 5, "\(waited) s: \(second.stdout) \(second.stderr)")
        #expect(fixture.studies(try fixture.status(), "pending") == 1)

        let misuse = try fixture.run(["watch", fixture.incoming, "--once-wait-limit", "5"])
        #expect(misuse.status != 0 && misuse.stderr.contains("--once-wait-limit goes with --once"), "\(misuse.stderr)")
        let negative = try fixture.run(["watch", fixture.incoming, "--once", "--once-wait-limit=-1"])
        #expect(negative.status != 0 && negative.stderr.contains("must be ≥ 0"), "\(negative.stderr)")
    }
}
