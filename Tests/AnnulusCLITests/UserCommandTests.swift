import Foundation
import Testing

/// A data folder for the account commands, run with bcrypt cost 4 as the command-line user "ops".
struct AccountsFolder {
    let folder: String
    var store: String { folder + "/annulus.sqlite" }

    init() {
        folder =
            FileManager.default.temporaryDirectory.appendingPathComponent("annulus-users-\(UUID().uuidString)").path
    }

    func remove() { try? FileManager.default.removeItem(atPath: folder) }

    static let environment = ["ANNULUS_BCRYPT_COST": "4", "ANNULUS_USER": "ops"]

    /// Runs `annulus ARGS --data FOLDER`, with `input` on standard input (closed after it).
    func run(_ arguments: [String], input: String = "", user: String = "ops") throws -> CLI.Result {
        try Self.run(arguments + ["--data", folder], input: input, environment: ["ANNULUS_USER": user])
    }

    /// Runs the built `annulus` with `input` on standard input.
    static func run(_ arguments: [String], input: String, environment: [String: String] = [:]) throws -> CLI.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.executable)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.removeValue(forKey: "ANNULUS_LOG_LEVEL")
        for (key, value) in Self.environment.merging(environment, uniquingKeysWith: { $1 }) { merged[key] = value }
        process.environment = merged
        let typed = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = typed
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        typed.fileHandleForWriting.write(Data(input.utf8))
        try typed.fileHandleForWriting.close()
        nonisolated(unsafe) var errorData = Data()
        let reader = Thread { errorData = errors.fileHandleForReading.readDataToEndOfFile() }
        reader.start()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !reader.isFinished { usleep(1000) }
        return CLI.Result(
            status: process.terminationStatus, signaled: process.terminationReason == .uncaughtSignal,
            stdout: String(decoding: outputData, as: UTF8.self), stderr: String(decoding: errorData, as: UTF8.self))
    }

    /// Adds an account with `password` through --password-stdin; requires success.
    func add(_ name: String, role: String, password: String = "correct horse battery") throws {
        let result = try run(["user", "add", name, "--role", role, "--password-stdin"], input: password + "\n")
        try #require(result.status == 0, "\(result.stdout) \(result.stderr)")
    }

    /// The JSON objects printed one per line.
    static func objects(_ result: CLI.Result) -> [[String: Any]] {
        result.lines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }

    /// Runs SQL through the sqlite3 shell on the store; returns its exit status and stderr.
    func sqlite(_ sql: String) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [store, sql]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = errors
        try process.run()
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}

@Suite("annulus user and annulus audit, end to end")
struct UserCommandTests {
    @Test("user add with --password-stdin, list, disable and enable; names unique ignoring case")
    func accounts() throws {
        let fixture = AccountsFolder()
        defer { fixture.remove() }
        try fixture.add("Admin", role: "admin")  // creates the store: the first admin comes before any ingest
        let file = fixture.folder + "/pw"
        try "a clinician password\n".write(toFile: file, atomically: true, encoding: .utf8)
        let viaFile = try fixture.run([
            "user", "add", "dr.rivera", "--role", "clinician", "--display-name", "Dr Ana Rivera", "--password-file",
            file,
        ])
        #expect(viaFile.status == 0 && viaFile.stdout == "added account dr.rivera (clinician)\n", "\(viaFile.stderr)")

        let again = try fixture.run(
            ["user", "add", "ADMIN", "--role", "reader", "--password-stdin"], input: "another long password\n")
        #expect(again.status == 2)
        #expect(again.stderr.contains("an account named admin already exists"), "\(again.stderr)")
        let short = try fixture.run(["user", "add", "x1", "--role", "reader", "--password-stdin"], input: "Zq9short\n")
        #expect(short.status == 2 && short.stderr.contains("too short (8 characters)"), "\(short.stderr)")
        #expect(!short.stderr.contains("Zq9short") && !short.stdout.contains("Zq9short"), "the password is not echoed")
        let noTerminal = try fixture.run(["user", "add", "x2", "--role", "reader"])
        #expect(noTerminal.status == 2 && noTerminal.stderr.contains("no terminal to ask for the password"))
        let asArgument = try fixture.run(["user", "add", "x3", "--role", "reader", "--password", "in the clear!!"])
        #expect(asArgument.status == 2, "a password is never an argument")
        let badRole = try fixture.run(
            ["user", "add", "x4", "--role", "doctor", "--password-stdin"], input: "long enough password\n")
        #expect(
            badRole.status == 2
                && badRole.stderr.contains("use one of: reader, clinician, coordinator, integrator, admin"))

        let list = try fixture.run(["user", "list", "--json"])
        #expect(list.status == 0)
        let accounts = AccountsFolder.objects(list)
        #expect(accounts.map { $0["name"] as? String } == ["admin", "dr.rivera"])
        #expect(
            accounts[1]["displayName"] as? String == "Dr Ana Rivera" && accounts[1]["role"] as? String == "clinician")
        #expect((accounts[1]["permissions"] as? [String])?.contains("sign") == true)
        #expect(!list.stdout.contains("$2b$"), "no password hash is printed")

        #expect(try fixture.run(["user", "disable", "Dr.Rivera"]).status == 0)
        let table = try fixture.run(["user", "list"])
        #expect(table.lines.first { $0.hasPrefix("dr.rivera") }?.contains("disabled") == true, "\(table.stdout)")
        #expect(try fixture.run(["user", "enable", "dr.rivera"]).status == 0)
        #expect(AccountsFolder.objects(try fixture.run(["user", "list", "--json"]))[1]["disabled"] as? Bool == false)
        let unknown = try fixture.run(["user", "disable", "nobody"])
        #expect(unknown.status == 2 && unknown.stderr.contains("no account named nobody"))
        let reset = try fixture.run(
            ["user", "reset-password", "dr.rivera", "--password-stdin"], input: "a new clinician pass\n")
        #expect(reset.status == 0, "\(reset.stderr)")

        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture.store))
        for password in ["correct horse battery", "a clinician password", "a new clinician pass"] {
            #expect(bytes.range(of: Data(password.utf8)) == nil, "no password in the store file")
        }
    }

    @Test("on a terminal the password is asked twice without echo; passwords that differ are refused")
    func terminalPrompt() throws {
        let fixture = AccountsFolder()
        defer { fixture.remove() }
        let environment = AccountsFolder.environment
        let typed = try CLI.runPrompted(
            ["user", "add", "dr.rivera", "--role", "clinician", "--data", fixture.folder],
            answers: [
                ("Password for dr.rivera: ", "Typed Secret 4711"), ("Repeat the password: ", "Typed Secret 4711"),
            ],
            environment: environment)
        #expect(typed.status == 0, "\(typed.stdout)")
        #expect(typed.stdout.contains("added account dr.rivera (clinician)"))
        #expect(!typed.stdout.contains("Typed Secret"), "the password is not echoed: \(typed.stdout)")
        let differ = try CLI.runPrompted(
            ["user", "reset-password", "dr.rivera", "--data", fixture.folder],
            answers: [
                ("Password for dr.rivera: ", "Another Secret 0815"), ("Repeat the password: ", "Another Secret 0816"),
            ],
            environment: environment)
        #expect(differ.status == 2 && differ.stdout.contains("the two passwords differ"), "\(differ.stdout)")
        #expect(!differ.stdout.contains("Another Secret"), "\(differ.stdout)")
    }

    @Test("token create prints the token once; list shows its state, never the token; revoke; only integrators")
    func tokens() throws {
        let fixture = AccountsFolder()
        defer { fixture.remove() }
        try fixture.add("ehr", role: "integrator")
        try fixture.add("dr.rivera", role: "clinician")
        let created = try fixture.run([
            "user", "token", "create", "ehr", "--name", "EHR interface", "--expires-days", "30",
        ])
        #expect(created.status == 0, "\(created.stderr)")
        #expect(created.lines.count == 1)
        let token = created.lines[0]
        #expect(token.hasPrefix("ann_") && token.count == 47)
        #expect(created.stderr.contains("token 1 for ehr (EHR interface)") && created.stderr.contains("shown only now"))

        let list = try fixture.run(["user", "token", "list", "ehr", "--json"])
        let tokens = AccountsFolder.objects(list)
        #expect(
            tokens.count == 1 && tokens[0]["state"] as? String == "active"
                && tokens[0]["name"] as? String == "EHR interface")
        #expect(tokens[0]["lastUsedAt"] is NSNull && tokens[0]["revokedAt"] is NSNull)
        #expect(!list.stdout.contains(token) && !list.stdout.contains(String(token.dropFirst(4))))

        let revoked = try fixture.run(["user", "token", "revoke", "1"])
        #expect(revoked.status == 0 && revoked.stdout.contains("revoked token 1 (EHR interface) of ehr"))
        #expect(
            AccountsFolder.objects(try fixture.run(["user", "token", "list", "ehr", "--json"]))[0]["state"] as? String
                == "revoked")
        #expect(try fixture.run(["user", "token", "revoke", "7"]).status == 2)

        let clinician = try fixture.run(["user", "token", "create", "dr.rivera", "--name", "laptop"])
        #expect(clinician.status == 2 && clinician.stderr.contains("only integrator accounts hold API tokens"))
        #expect(clinician.stdout.isEmpty)
        let tooLong = try fixture.run(["user", "token", "create", "ehr", "--name", "x", "--expires-days", "5000"])
        #expect(tooLong.status == 2 && tooLong.stderr.contains("outside 1…3650"))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: fixture.store))
        #expect(bytes.range(of: Data(token.dropFirst(4).utf8)) == nil, "the token is not stored")
    }

    @Test("every user action writes an audit row; audit filters them and archives them as JSON Lines")
    func auditRows() throws {
        let fixture = AccountsFolder()
        defer { fixture.remove() }
        try fixture.add("admin", role: "admin")
        try fixture.add("ehr", role: "integrator")
        _ = try fixture.run(["user", "token", "create", "ehr", "--name", "interface"], user: "dr.admin")
        _ = try fixture.run(["user", "disable", "nobody"])
        _ = try fixture.run(["user", "list"])

        let all = AccountsFolder.objects(try fixture.run(["audit", "--json"]))
        #expect(
            all.map { $0["action"] as? String } == [
                "user.add", "user.add", "token.create", "user.disable", "user.list",
            ])
        #expect(all.map { $0["outcome"] as? String } == ["ok", "ok", "ok", "refused", "ok"])
        #expect(all[2]["actor"] as? String == "cli-user:dr.admin" && all[0]["actor"] as? String == "cli-user:ops")
        #expect(all[0]["resourceType"] as? String == "account" && all[0]["resourceIDs"] as? [String] == ["admin"])
        #expect(all[3]["detail"] as? String == "no account named nobody; see `annulus user list`")
        #expect(all.allSatisfy { $0.keys.contains("clientAddress") && $0.keys.contains("statusCode") })
        let tokenRow = try #require(all[2]["detail"] as? String)
        #expect(tokenRow.hasPrefix("token 1 (interface), expires ") && !tokenRow.contains("ann_"))

        let users = AccountsFolder.objects(
            try fixture.run(["audit", "--json", "--action", "user.*", "--account", "CLI-USER:OPS"]))
        #expect(users.map { $0["action"] as? String } == ["user.add", "user.add", "user.disable", "user.list"])
        let future = try fixture.run(["audit", "--since", "2999-01-01"])
        #expect(future.status == 0 && future.stdout.hasPrefix("no audit rows match since 2999-01-01"))
        let table = try fixture.run(["audit", "--limit", "2"])
        #expect(table.lines.first?.hasPrefix("TIME") == true && table.lines.count == 3, "\(table.stdout)")

        let archive = fixture.folder + "/audit-2026.jsonl"
        let written = try fixture.run(["audit", "--out", archive])
        #expect(written.status == 0 && written.stdout.contains("wrote "))
        let lines = try String(contentsOfFile: archive, encoding: .utf8).split(separator: "\n")
        #expect(lines.count >= 8, "every row so far, reads of the trail included")
        let mode = try FileManager.default.attributesOfItem(atPath: archive)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let reads = AccountsFolder.objects(try fixture.run(["audit", "--json", "--action", "audit.*"]))
        #expect(reads.map { $0["action"] as? String }.last == "audit.export")
    }

    @Test("the audit trail refuses UPDATE and DELETE at the SQL level")
    func appendOnly() throws {
        let fixture = AccountsFolder()
        defer { fixture.remove() }
        try fixture.add("admin", role: "admin")
        for sql in ["UPDATE audit_log SET actor = 'nobody';", "DELETE FROM audit_log;", "DELETE FROM accounts;"] {
            let result = try fixture.sqlite(sql)
            #expect(result.status != 0, "\(sql)")
            #expect(
                result.output.contains("append-only") || result.output.contains("never deleted"), "\(result.output)")
        }
        let rows = AccountsFolder.objects(try fixture.run(["audit", "--json", "--action", "user.add"]))
        #expect(rows.count == 1 && rows[0]["actor"] as? String == "cli-user:ops")
    }

    @Test("with accounts, only an enabled clinician account signs; a reader's sign is refused and audited")
    func signing() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        func run(_ arguments: [String], user: String, input: String = "") throws -> CLI.Result {
            try AccountsFolder.run(
                arguments + ["--data", fixture.folder], input: input, environment: ["ANNULUS_USER": user])
        }
        let first = try SignCommandTests.draft(fixture, "L4-L5")
        let second = try SignCommandTests.draft(fixture, "L5-S1")
        // No accounts yet: a single-user installation signs as ANNULUS_USER.
        #expect(try run(["annotate", "sign", first], user: "dr.solo").status == 0)

        for (name, role) in [("reader1", "reader"), ("dr.okafor", "clinician"), ("admin", "admin")] {
            let added = try run(
                ["user", "add", name, "--role", role, "--password-stdin"], user: "ops", input: "correct horse battery\n"
            )
            try #require(added.status == 0, "\(added.stderr)")
        }
        let reader = try run(["annotate", "sign", second], user: "reader1")
        #expect(reader.status == 2)
        #expect(reader.stderr.contains("reader1 is a reader account: only clinician accounts sign findings"))
        let admin = try run(["annotate", "sign", second], user: "admin")
        #expect(admin.status == 2 && admin.stderr.contains("only clinician accounts sign"))
        let stranger = try run(["annotate", "sign", second], user: "dr.solo")
        #expect(stranger.status == 2 && stranger.stderr.contains("dr.solo is not an account of this installation"))
        let addSigned = try run(
            ["annotate", "add", "ACC-MR-0001", "--level", "L3-L4", "--finding", "pfirrmann", "grade=II", "--sign"],
            user: "reader1")
        #expect(addSigned.status == 2)
        #expect(try SignCommandTests.latest(fixture).count == 2, "add --sign refused: nothing was added")
        #expect(try SignCommandTests.latest(fixture)[second]?["status"] as? String == "draft")

        _ = try run(["user", "disable", "dr.okafor"], user: "ops")
        #expect(try run(["annotate", "sign", second], user: "dr.okafor").status == 2)
        _ = try run(["user", "enable", "dr.okafor"], user: "ops")
        let clinician = try run(["annotate", "sign", second], user: "Dr.Okafor")
        #expect(clinician.status == 0, "\(clinician.stderr)")
        #expect(
            try SignCommandTests.latest(fixture)[second]?["signedBy"] as? String == "dr.okafor", "the account's name")

        let refusals = AccountsFolder.objects(try run(["audit", "--json", "--action", "annotation.sign"], user: "ops"))
        #expect(
            refusals.map { $0["actor"] as? String } == [
                "cli-user:reader1", "cli-user:admin", "cli-user:dr.solo", "cli-user:reader1", "cli-user:dr.okafor",
            ])
        #expect(refusals.allSatisfy { $0["outcome"] as? String == "forbidden" })
    }
}
