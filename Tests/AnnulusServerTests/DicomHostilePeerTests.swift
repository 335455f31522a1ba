import Foundation
import ProcessTestSupport
import Testing

/// `Tests/Peers/dicom/hostile.py` against a live `annulus serve --dicom-port`: malformed, truncated and oversized
/// PDUs, lying lengths, bit-flipped association requests, garbage command sets, connection storms and slow-loris
/// associations, for `ANNULUS_DICOM_FUZZ_SECONDS` (20 by default; longer by hand). The server must never crash or
/// wedge, the association and process limits must hold throughout, and the damage must be logged.
@Suite(.serialized, .enabled(if: DicomServer.python != nil, DicomServer.skipMessage))
struct DicomHostilePeerTests {
    static let maximumAssociations = 4
    static var seconds: Int { Int(ProcessInfo.processInfo.environment["ANNULUS_DICOM_FUZZ_SECONDS"] ?? "") ?? 20 }

    @Test func hostilePeersNeverCrashOrWedgeTheServerAndTheLimitsHold() throws {
        let dicom = try DicomServer(
            allow: "PYNET,HOSTILE",
            extra: [
                "--dicom-max-associations", String(Self.maximumAssociations), "--dicom-association-timeout", "3",
                "--dicom-idle-timeout", "2",
            ])
        let python = try #require(DicomServer.python)
        let script = ServerFixture.packageRoot + "/Tests/Peers/dicom/hostile.py"
        let report = dicom.root + "/hostile.json"
        let fuzzer = try ChildProcess(
            [
                python, script, "127.0.0.1", String(dicom.dicomPort), "ANNULUS", "--seconds", String(Self.seconds),
                "--seed", String(Int.random(in: 1...1_000_000)),
            ], output: report)
        defer { fuzzer.kill() }

        // Sample the receiver's processes while the attacks run: never more than the hard cap (the listener, the
        // associations allowed, and the four extra that only answer "too many"), none holding much memory.
        var mostProcesses = 0
        var largestResident = 0
        var serverAlive = true
        let deadline = Date().addingTimeInterval(Double(Self.seconds) + 90)
        while fuzzer.wait(timeout: 0.1) == nil && Date() < deadline {
            let receivers = ProcessTable.processes(withCommandLineContaining: dicom.data + "/received")
            mostProcesses = max(mostProcesses, receivers.count)
            largestResident = max(largestResident, receivers.map(ProcessTable.residentBytes).max() ?? 0)
            serverAlive = serverAlive && ProcessTable.isRunning(dicom.server.child.pid)
        }
        let text = (try? String(contentsOfFile: report, encoding: .utf8)) ?? ""
        let line = try #require(text.split(separator: "\n").last(where: { $0.hasPrefix("{") }), "no report: \(text)")
        let outcome = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])

        #expect(serverAlive && ProcessTable.isRunning(dicom.server.child.pid), "the server is still running")
        #expect(outcome["wedged"] as? Int == 0, "checks that got no answer: \(outcome["first_wedges"] ?? "")")
        #expect(outcome["final"] as? String == "echo", "after the attacks an echo succeeds: \(outcome)")
        #expect(((outcome["answered"] as? [String: Int])?["echo"] ?? 0) > 0, "echoes succeeded during the attacks")
        #expect(mostProcesses >= 2 && mostProcesses <= 1 + Self.maximumAssociations + 4, "\(mostProcesses) processes")
        #expect(largestResident < 128 << 20, "a receiver process held \(largestResident >> 20) MiB")
        // The damage is logged: DCMTK's own diagnosis for malformed PDUs, and the cut slow-loris associations.
        let log = dicom.server.log
        #expect(log.contains("DICOM association ended") && log.contains("how=error:"))
        #expect(log.contains("cut at the association deadline"))
        #expect(dicom.staged.filter { !$0.hasPrefix(".") }.isEmpty, "nothing is left in staging: \(dicom.staged)")
    }
}

/// What `/proc` says about processes (Linux).
enum ProcessTable {
    /// The pids whose command line contains `text`.
    static func processes(withCommandLineContaining text: String) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = pid_t(entry),
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"),
                String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self).contains(text)
            else { return nil }
            return pid
        }
    }

    /// The resident set of `pid` in bytes (0 when it has gone).
    static func residentBytes(_ pid: pid_t) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// Whether `pid` exists and is not a zombie.
    static func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        return !stat[stat.index(after: close)...].trimmingCharacters(in: .whitespaces).hasPrefix("Z")
    }
}
