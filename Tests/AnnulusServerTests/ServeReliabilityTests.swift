import Accounts
import AnnulusApp
import AnnulusRecords
import Foundation
import ProcessTestSupport
import Store
import Synchronization
import Testing

/// The real binary killed in the middle of annotation writes, and stopped under load: what a client was told
/// happened must have happened, nothing else may be half done, and a graceful stop never cuts a response.
@Suite("annulus serve: SIGKILL during writes, SIGTERM under load", .serialized)
struct ServeReliabilityTests {
    // MARK: - SIGKILL during annotation writes

    @Test("SIGKILL during annotation writes (and a CLI writer): every acknowledged version is kept, in order, audited")
    func sigkillDuringAnnotationWrites() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-kill-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let data = DataFolder(path: root.path + "/data")
        let store = try await ServerFixture.prepare(data)
        let study = try #require(try store.studies().first { $0.accessionNumber == "ACC-MR-0001" }).studyInstanceUID
        let ledger = Ledger()
        // Kill times after the first writes, from "a few writes in" to "well into the run".
        for (round, delay) in [0.0, 0.3, 0.7, 1.2].enumerated() {
            let server = try SpawnedServer(data: data.path)
            let (cookie, csrf) = try server.signIn("dr.okafor")
            let port = server.port
            let killed = Flag()
            let before = ledger.counts()
            async let clients: Void = Threads.run(Self.writers + 1) { index in
                if index == Self.writers {
                    Self.cliWriter(data: data.path, study: study, ledger: ledger, until: killed)
                } else {
                    Self.httpWriter(
                        index, port: port, study: study, session: (cookie, csrf), ledger: ledger)
                }
            }
            // Writes under way first (a loaded machine starts slowly), then the kill at a different moment each round.
            for _ in 0..<400 where ledger.counts().http < before.http + 5 {
                try await Task.sleep(for: .milliseconds(50))
            }
            try await Task.sleep(for: .seconds(delay + Double.random(in: 0...0.1)))
            server.child.kill()
            killed.set()
            await clients
            let after = ledger.counts()
            #expect(after.http > before.http, "round \(round): the writers must have been acknowledged some writes")
            let unaudited = try Self.verify(data, study: study, ledger: ledger, round: round)
            print(
                "round \(round): SIGKILL at \(delay) s; acknowledged \(after.http - before.http) HTTP writes,"
                    + " \(after.cli - before.cli) CLI adds (\(after.cliKilled - before.cliKilled) CLI runs killed);"
                    + " \(unaudited) write(s) so far committed but killed before their audit row")
        }
        #expect(ledger.problems().isEmpty, "\(ledger.problems())")
    }

    static let writers = 6

    /// What clients were told: each acknowledged version's fingerprint, and per annotation how many amendments,
    /// signatures and retractions were acknowledged.
    final class Ledger: Sendable {
        struct State {
            var versions: [String: [Int: String]] = [:]
            var actions: [String: [String: Int]] = [:]
            var adds = 0
            var http = 0
            var cliAdds: [String] = []
            var cliKilled = 0
            var problems: [String] = []
        }
        let state = Mutex(State())

        func acknowledge(_ action: String, _ view: [String: Any]) {
            guard let id = view["id"] as? String, let version = view["version"] as? Int else {
                return problem("\(action): an acknowledgement without id and version: \(view)")
            }
            let mark = ServeReliabilityTests.fingerprint(view)
            state.withLock {
                $0.versions[id, default: [:]][version] = mark
                $0.http += 1
                if action == "add" { $0.adds += 1 } else { $0.actions[id, default: [:]][action, default: 0] += 1 }
            }
        }

        func problem(_ text: String) { state.withLock { $0.problems.append(text) } }
        func problems() -> [String] { state.withLock { $0.problems } }
        func counts() -> (http: Int, cli: Int, cliKilled: Int) {
            state.withLock { ($0.http, $0.cliAdds.count, $0.cliKilled) }
        }
        func snapshot() -> State { state.withLock { $0 } }
    }

    /// What identifies a version as stored: status, level, author, time and the finding itself (keys sorted).
    static func fingerprint(_ view: [String: Any]) -> String {
        let finding = (view["annotation"]).flatMap {
            try? JSONSerialization.data(withJSONObject: $0, options: .sortedKeys)
        }
        return [view["status"], view["level"], view["author"], view["createdAt"]].map { "\($0 ?? "-")" }
            .joined(separator: "|") + "|" + String(decoding: finding ?? Data(), as: UTF8.self)
    }

    /// The same fingerprint of a stored version (its view, encoded as the server encodes it).
    static func fingerprint(_ version: AnnotationVersion) throws -> String {
        let encoded = try JSONEncoder().encode(AnnotationView(version))
        return fingerprint(try #require(try JSONSerialization.jsonObject(with: encoded) as? [String: Any]))
    }

    /// Adds a finding, amends it, signs it, amends it again and (every other annotation) retracts it, over and
    /// over on one keep-alive connection, until the connection fails (the server was killed) or 30 s pass.
    static func httpWriter(
        _ index: Int, port: Int, study: String, session: (cookie: String, csrf: String), ledger: Ledger
    ) {
        guard var connection = try? RawHTTPConnection(port: port) else { return }
        let headers = ["Cookie": session.cookie, "X-Annulus-CSRF": session.csrf]
        let deadline = Date().addingTimeInterval(30)
        let levels = ["L3-L4", "L4-L5", "L5-S1"]
        /// The response's JSON when the status is `expected`; nil ends the writer (a failed connection, or a
        /// status that is a problem, recorded).
        func call(_ path: String, _ body: String?, expected: Int, action: String) -> [String: Any]? {
            let response: RawHTTPConnection.Response
            do {
                response = try connection.request("POST", path, headers: headers, body: body)
            } catch {
                return nil  // killed: whatever was in flight was not acknowledged
            }
            if !response.keepAlive, let fresh = try? RawHTTPConnection(port: port) { connection = fresh }
            guard response.status == expected, let json = response.json else {
                ledger.problem(
                    "\(action): status \(response.status): \(String(decoding: response.body, as: UTF8.self))")
                return nil
            }
            return json
        }
        var count = 0
        while Date() < deadline {
            count += 1
            let level = levels[(index + count) % levels.count]
            let add = #"{"level":"\#(level)","kind":"pfirrmann","fields":["grade=\#(1 + count % 5)"]}"#
            guard let added = call("/api/studies/\(study)/annotations", add, expected: 201, action: "add"),
                let view = added["annotation"] as? [String: Any], let id = view["id"] as? String
            else { return }
            ledger.acknowledge("add", view)
            var steps: [(String, String?, String)] = [
                ("amend", #"{"fields":["grade=\#(1 + (count + 1) % 5)"],"reason":"re-read"}"#, "amend"),
                ("sign", nil, "sign"),
                ("amend", #"{"fields":["grade=\#(1 + (count + 2) % 5)"],"reason":"second look"}"#, "amend"),
            ]
            if count % 2 == 0 { steps.append(("retract", #"{"reason":"wrong level"}"#, "retract")) }
            for (path, body, action) in steps {
                guard let json = call("/api/annotations/\(id)/\(path)", body, expected: 200, action: action) else {
                    return
                }
                let version =
                    action == "sign"
                    ? (json["annotations"] as? [[String: Any]])?.first : json["annotation"] as? [String: Any]
                guard let version else { return ledger.problem("\(action): no version in \(json)") }
                ledger.acknowledge(action, version)
            }
        }
    }

    /// Runs `annulus annotate add` on the same data folder again and again until the server is killed, SIGKILLing
    /// two runs in three at a random moment of their life: those that exit 0 printed the version they stored.
    static func cliWriter(data: String, study: String, ledger: Ledger, until killed: Flag) {
        var run = 0
        while !killed.isSet, run < 200 {
            run += 1
            let output = data + "/cli-\(UUID().uuidString).json"
            defer { try? FileManager.default.removeItem(atPath: output) }
            guard
                let child = try? ChildProcess(
                    [
                        GracefulShutdownTests.executable, "annotate", "add", study, "--level", "L4-L5", "--finding",
                        "modic", "upper=1", "lower=2", "--author", "cli.writer", "--json", "--data", data,
                    ], output: output)
            else { return ledger.problem("cannot start annulus annotate add") }
            var status: Int32?
            if run % 3 != 0 {
                status = child.wait(timeout: Double.random(in: 0.005...0.12))  // a run takes about 0.1 s
                if status == nil {
                    child.kill()
                    ledger.state.withLock { $0.cliKilled += 1 }
                    continue
                }
            }
            status = status ?? child.wait(timeout: 60)
            guard let status, ChildProcess.exitCode(status) == 0 else {
                ledger.problem("annulus annotate add: \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
                continue
            }
            let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
            let line = text.split(separator: "\n").first { $0.hasPrefix("{") }
            let json = line.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            guard let id = json?["id"] as? String else {
                ledger.problem("annulus annotate add printed no id: \(text)")
                continue
            }
            ledger.state.withLock { $0.cliAdds.append(id) }
        }
    }

    /// After a kill: the store passes `annulus check --full`; every version stored follows its predecessor; each
    /// acknowledged version is stored as acknowledged; the triggers still refuse changes; the audit trail holds a
    /// row for each acknowledged write, and none for a write that was not committed. Returns how many committed
    /// writes have no audit row (killed between the commit and the row: not acknowledged either).
    @discardableResult
    static func verify(_ data: DataFolder, study: String, ledger: Ledger, round: Int) throws -> Int {
        let check = try SpawnedServer.checkStore(data.path)
        #expect(check.code == 0, "round \(round): annulus check --full: \(check.output)")
        let store = try data.openStore()
        let acknowledged = ledger.snapshot()
        var histories: [String: [AnnotationVersion]] = [:]
        for latest in try store.annotations(studyUID: study, includeRetracted: true) {
            let history = try store.history(id: latest.annotationID)
            histories[latest.annotationID] = history
            #expect(history.map(\.version) == Array(1...history.count), "round \(round): gaps in \(history)")
            #expect(history.first?.status == .draft)
            #expect(history.dropLast().allSatisfy { !$0.isRetracted }, "a retraction is always the last version")
            #expect(history.filter(\.isSigned).allSatisfy { $0.signedBy != nil && $0.signedAt != nil })
        }
        for (id, versions) in acknowledged.versions {
            let history = try #require(histories[id], "round \(round): acknowledged annotation \(id) is missing")
            for (number, print) in versions {
                try #require(number <= history.count, "round \(round): \(id) lost acknowledged version \(number)")
                #expect(try fingerprint(history[number - 1]) == print, "round \(round): \(id) v\(number) differs")
            }
        }
        for id in acknowledged.cliAdds { #expect(histories[id] != nil, "round \(round): CLI add \(id) is missing") }

        // The triggers, through another SQLite than the store's code.
        let counts = "SELECT count(*) FROM annotation_versions; SELECT count(*) FROM audit_log;"
        let before = try SpawnedServer.sqlite3(data.storePath, counts)
        try #require(!before.output.hasPrefix("0\n"), "round \(round): no version to try the triggers on")
        for sql in [
            "UPDATE annotation_versions SET level = 'L1-L2';", "DELETE FROM annotation_versions;",
            "UPDATE audit_log SET actor = 'someone';", "DELETE FROM audit_log;",
        ] {
            let refused = try SpawnedServer.sqlite3(data.storePath, sql)
            #expect(refused.code != 0 && refused.output.contains("append-only"), "\(sql): \(refused.output)")
        }
        #expect(try SpawnedServer.sqlite3(data.storePath, counts).output == before.output)

        // The audit trail: a row is written after its write commits and before the response is sent.
        let rows = try AuditTrail(store: store).records(AuditFilter(actor: "dr.okafor")).filter { $0.outcome == .ok }
        let addRows = rows.filter { $0.action == "POST /api/studies/{studyUID}/annotations" }.count
        let storedByServer = histories.values.filter { $0.first?.author == "dr.okafor" }.count
        #expect(
            acknowledged.adds <= addRows && addRows <= storedByServer,
            "adds \(acknowledged.adds) ≤ \(addRows) ≤ \(storedByServer)")
        var unaudited = storedByServer - addRows
        for (id, history) in histories where history.first?.author == "dr.okafor" {
            let told = acknowledged.actions[id] ?? [:]
            let stored = [
                "amend": history.dropFirst().filter(\.isDraft).count, "sign": history.filter(\.isSigned).count,
                "retract": history.filter(\.isRetracted).count,
            ]
            for (action, storedCount) in stored {
                let audited = rows.filter {
                    $0.action == "POST /api/annotations/{annotationID}/\(action)" && $0.resourceIDs == [id]
                }.count
                let toldCount = told[action] ?? 0
                #expect(
                    toldCount <= audited && audited <= storedCount,
                    "\(id) \(action): \(toldCount) ≤ \(audited) ≤ \(storedCount)")
                unaudited += storedCount - audited
            }
        }
        return unaudited
    }

    // MARK: - SIGTERM under load

    @Test("SIGTERM under 32 keep-alive clients: exit 0 within 10 s, no response cut short, the store intact")
    func sigtermUnderLoad() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-term-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        let data = DataFolder(path: root.path + "/data")
        let store = try await ServerFixture.prepare(data)
        var paths = ["/api/studies"]
        for study in try store.studies() {
            paths.append("/api/studies/\(study.studyInstanceUID)/annotations")
            for series in try store.series(ofStudy: study.studyInstanceUID).prefix(2) {
                guard let instance = try store.instances(ofSeries: series.seriesInstanceUID).first else { continue }
                paths.append("/api/instances/\(instance.sopInstanceUID)/thumbnail")
                for size in [192, 256, 384] {
                    paths.append("/api/instances/\(instance.sopInstanceUID)/frames/0/rendered?size=\(size)")
                }
            }
        }
        let server = try SpawnedServer(data: data.path)
        let (cookie, _) = try server.signIn("reader")
        let outcome = Shared(LoadOutcome())
        let terminated = Flag()
        let requestPaths = paths
        let port = server.port
        async let clients: Void = Threads.run(32) { index in
            Self.reader(
                index, port: port, paths: requestPaths, cookie: cookie, outcome: outcome, terminated: terminated)
        }
        for _ in 0..<600 where outcome.value.completeBefore < 64 { try await Task.sleep(for: .milliseconds(50)) }
        let signalled = ContinuousClock.now
        terminated.set()
        server.child.signal(SIGTERM)
        let status = server.child.wait(timeout: 10)
        let stopped = ContinuousClock.now - signalled
        await clients
        let result = outcome.value
        #expect(status.flatMap(ChildProcess.exitCode) == 0, "exit status \(String(describing: status)): \(server.log)")
        #expect(stopped < .seconds(10))
        #expect(result.problems.isEmpty, "\(result.problems.prefix(10))")
        #expect(result.completeBefore >= 64, "the load must have been served before the signal")
        let check = try SpawnedServer.checkStore(data.path)
        #expect(check.code == 0, "annulus check --full: \(check.output)")
        print(
            "SIGTERM under load: exit after \(stopped); \(result.completeBefore) responses before the signal,"
                + " \(result.completeAfter) after it (in flight then), \(result.busy) 503s, \(result.closedBefore) closed"
                + " before a response, \(result.refused) refused")
    }

    struct LoadOutcome: Sendable {
        var completeBefore = 0
        var completeAfter = 0
        var busy = 0
        var closedBefore = 0
        var refused = 0
        var problems: [String] = []
    }

    /// Requests `paths` in turn on one keep-alive connection (a new one when the server closes it) until the
    /// server is gone: each response must be whole and valid (a PNG to its IEND chunk, JSON that parses), or the
    /// connection must end before any byte of it, and only after SIGTERM.
    static func reader(
        _ index: Int, port: Int, paths: [String], cookie: String, outcome: Shared<LoadOutcome>, terminated: Flag
    ) {
        var connection: RawHTTPConnection?
        let deadline = Date().addingTimeInterval(60)
        var turn = index
        while Date() < deadline {
            turn += 1
            do {
                let open = try connection ?? RawHTTPConnection(port: port)
                connection = open
                let path = paths[turn % paths.count]
                let response = try open.request("GET", path, headers: ["Cookie": cookie])
                if !response.keepAlive { connection = nil }
                let problem = Self.problem(in: response, path: path)
                let after = terminated.isSet
                outcome.update {
                    if let problem {
                        $0.problems.append(problem)
                    } else if response.status == 503 {
                        $0.busy += 1
                    } else if after {
                        $0.completeAfter += 1
                    } else {
                        $0.completeBefore += 1
                    }
                }
            } catch RawHTTPConnection.Failure.refused {
                let after = terminated.isSet
                outcome.update {
                    if after { $0.refused += 1 } else { $0.problems.append("refused before SIGTERM") }
                }
                return
            } catch RawHTTPConnection.Failure.closedBeforeResponse {
                connection = nil
                let after = terminated.isSet
                outcome.update {
                    if after { $0.closedBefore += 1 } else { $0.problems.append("closed before SIGTERM") }
                }
            } catch {
                connection = nil
                let after = terminated.isSet
                outcome.update { $0.problems.append("\(error) (\(after ? "after" : "before") SIGTERM)") }
            }
        }
    }

    /// What is wrong with a response, or nil when it is whole and valid.
    static func problem(in response: RawHTTPConnection.Response, path: String) -> String? {
        if response.status == 503 {
            return response.headers["retry-after"] == nil ? "503 without Retry-After" : nil
        }
        guard response.status == 200 else { return "\(path): status \(response.status)" }
        if response.headers["content-type"] == "image/png" {
            let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
            let end: [UInt8] = [0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82]
            guard response.body.prefix(8).elementsEqual(signature), response.body.suffix(8).elementsEqual(end) else {
                return "\(path): not a whole PNG (\(response.body.count) bytes)"
            }
            return nil
        }
        return response.json == nil ? "\(path): not a JSON object (\(response.body.count) bytes)" : nil
    }
}

/// A flag set once by one thread and read by others.
final class Flag: Sendable {
    private let raised = Atomic(false)

    /// Sets the flag.
    func set() { raised.store(true, ordering: .sequentiallyConsistent) }

    /// Whether it is set.
    var isSet: Bool { raised.load(ordering: .sequentiallyConsistent) }
}

/// A value threads update under a lock.
final class Shared<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) { mutex = Mutex(value) }

    /// Changes the value under the lock.
    func update(_ change: (inout Value) -> Void) { mutex.withLock { change(&$0) } }

    /// A copy of the value.
    var value: Value { mutex.withLock { $0 } }
}
