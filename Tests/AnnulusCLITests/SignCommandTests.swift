import Foundation
import Testing

@Suite("annulus annotate sign: several findings at once, every draft of a study, add --sign")
struct SignCommandTests {
    /// Adds a draft Pfirrmann finding at `level` of ACC-MR-0001 as dr.rivera; returns its id.
    static func draft(_ fixture: AnnotatedStore, _ level: String, study: String = "ACC-MR-0001") throws -> String {
        let result = try fixture.run([
            "annotate", "add", study, "--level", level, "--finding", "pfirrmann", "grade=III", "--json",
        ])
        return try #require(AnnotatedStore.object(result)["id"] as? String, "\(result.stdout) \(result.stderr)")
    }

    /// The latest version of each finding of ACC-MR-0001, by id.
    static func latest(_ fixture: AnnotatedStore) throws -> [String: [String: Any]] {
        let list = try fixture.run(["annotate", "list", "ACC-MR-0001", "--json"])
        var byID: [String: [String: Any]] = [:]
        for line in list.lines {
            let object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] ?? [:]
            if let id = object["id"] as? String { byID[id] = object }
        }
        return byID
    }

    @Test("several ids or prefixes are signed in one command by the signer")
    func severalIDs() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let ids = try ["L3-L4", "L4-L5", "L5-S1"].map { try Self.draft(fixture, $0) }
        let result = try fixture.run(
            ["annotate", "sign", String(ids[0].prefix(6)), ids[1], String(ids[0].prefix(8))], user: "dr.okafor")
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.lines.filter { $0.hasPrefix("signed ") }.count == 2, "a finding named twice is signed once")
        #expect(result.stdout.contains("2 finding(s) signed by dr.okafor"))
        let latest = try Self.latest(fixture)
        for id in ids[0...1] {
            #expect(latest[id]?["status"] as? String == "signed")
            #expect(latest[id]?["signedBy"] as? String == "dr.okafor")
            #expect(latest[id]?["version"] as? Int == 2)
        }
        #expect(latest[ids[2]]?["status"] as? String == "draft", "the finding not named stays a draft")
    }

    @Test("when one finding cannot be signed none is, and every refusal is named (exit 2)")
    func allOrNothing() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let draft = try Self.draft(fixture, "L4-L5")
        let signed = try Self.draft(fixture, "L5-S1")
        #expect(try fixture.run(["annotate", "sign", signed], user: "dr.okafor").status == 0)
        let retracted = try Self.draft(fixture, "L3-L4")
        #expect(try fixture.run(["annotate", "retract", retracted, "--reason", "duplicate"]).status == 0)

        let result = try fixture.run(
            ["annotate", "sign", draft, signed, retracted, "ffffffff", "ab"], user: "dr.okafor")
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty, "nothing reported as signed: \(result.stdout)")
        #expect(result.stderr.contains("nothing was signed: 4 of 5 finding(s) cannot be signed"), "\(result.stderr)")
        #expect(result.stderr.contains("\(signed): already signed (version 2 by dr.okafor"))
        #expect(result.stderr.contains("\(retracted): retracted (version 2 by dr.rivera"))
        #expect(result.stderr.contains("ffffffff: no annotation with id 'ffffffff'"))
        #expect(result.stderr.contains("ab: annotation id 'ab' is too short"))
        #expect(!result.stderr.contains("\(draft):"), "the signable finding is not listed as a problem")
        #expect(try Self.latest(fixture)[draft]?["status"] as? String == "draft", "the draft was not signed")
    }

    @Test("--all-drafts without a terminal lists the drafts and refuses; --yes signs exactly the drafts")
    func allDraftsWithoutTerminal() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let drafts = try ["L4-L5", "L5-S1"].map { try Self.draft(fixture, $0) }
        let alreadySigned = try Self.draft(fixture, "L3-L4")
        #expect(try fixture.run(["annotate", "sign", alreadySigned], user: "dr.okafor").status == 0)
        let otherStudy = try Self.draft(fixture, "L4-L5", study: "ACC-MR-0002")

        let refused = try fixture.run(
            ["annotate", "sign", "--study", "ACC-MR-0001", "--all-drafts"], user: "dr.okafor")
        #expect(refused.status == 2)
        #expect(refused.stderr.contains("2 draft finding(s) of study ACC-MR-0001 to sign:"), "\(refused.stderr)")
        for id in drafts { #expect(refused.stderr.contains(String(id.prefix(8)))) }
        #expect(!refused.stderr.contains(String(alreadySigned.prefix(8))), "a signed finding is not listed")
        #expect(refused.stderr.contains("standard input is not a terminal"))
        #expect(refused.stderr.contains("--yes"))
        #expect(try Self.latest(fixture).values.filter { $0["status"] as? String == "signed" }.count == 1)

        let yes = try fixture.run(
            ["annotate", "sign", "--study", "ACC-MR-0001", "--all-drafts", "--yes", "--json"], user: "dr.okafor")
        #expect(yes.status == 0, "\(yes.stdout) \(yes.stderr)")
        #expect(yes.lines.count == 2, "one JSON object per signed finding: \(yes.stdout)")
        let latest = try Self.latest(fixture)
        for id in drafts { #expect(latest[id]?["status"] as? String == "signed") }
        #expect(latest[alreadySigned]?["version"] as? Int == 2, "the signed finding got no new version")
        let other = try fixture.run(["annotate", "show", otherStudy, "--json"])
        #expect(AnnotatedStore.object(other)["status"] as? String == "draft", "another study's draft is untouched")

        let nothing = try fixture.run(
            ["annotate", "sign", "--study", "ACC-MR-0001", "--all-drafts", "--yes"], user: "dr.okafor")
        #expect(nothing.status == 0)
        #expect(nothing.stdout.contains("no draft findings in study ACC-MR-0001: nothing to sign"))
    }

    @Test("--all-drafts on a terminal asks 'Sign these N findings as NAME? [y/N]': no signs nothing, y signs")
    func allDraftsOnTerminal() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let drafts = try ["L4-L5", "L5-S1"].map { try Self.draft(fixture, $0) }
        let arguments = ["annotate", "sign", "--study", "ACC-MR-0001", "--all-drafts", "--data", fixture.folder]
        let environment = ["ANNULUS_USER": "dr.okafor"]

        let declined = try CLI.runInTerminal(arguments, input: "n\n", environment: environment)
        #expect(declined.status == 2, "\(declined.stdout)")
        #expect(declined.stdout.contains("Sign these 2 findings as dr.okafor? [y/N]"), "\(declined.stdout)")
        #expect(declined.stdout.contains("nothing was signed (not confirmed)"))
        #expect(try Self.latest(fixture).values.allSatisfy { $0["status"] as? String == "draft" })

        let confirmed = try CLI.runInTerminal(arguments, input: "y\n", environment: environment)
        #expect(confirmed.status == 0, "\(confirmed.stdout)")
        #expect(confirmed.stdout.contains("2 finding(s) signed by dr.okafor"))
        let latest = try Self.latest(fixture)
        for id in drafts { #expect(latest[id]?["signedBy"] as? String == "dr.okafor") }
    }

    @Test("add --sign records the finding and its signature by the author in one step")
    func addAndSign() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let added = try fixture.run(
            ["annotate", "add", "ACC-MR-0001", "--level", "L4-L5", "--finding", "hiz", "present=yes", "--sign"],
            user: "dr.okafor")
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.hasPrefix("added and signed "), "\(added.stdout)")
        #expect(!added.stdout.contains("preliminary"))
        let id = try #require(Self.latest(fixture).keys.first)
        let history = try fixture.run(["annotate", "history", id, "--json"])
        let versions = history.lines.compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }
        #expect(versions.map { $0["status"] as? String } == ["draft", "signed"])
        #expect(versions.last?["signedBy"] as? String == "dr.okafor")

        let anonymous = try fixture.run(
            ["annotate", "add", "ACC-MR-0001", "--level", "L4-L5", "--finding", "hiz", "present=yes", "--sign"],
            user: nil)
        #expect(anonymous.status == 2)
        #expect(anonymous.stderr.contains("an author is required"))
        #expect(try Self.latest(fixture).count == 1, "nothing was added without a signer")
    }
}
