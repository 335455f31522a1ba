import Foundation
import Testing

@Suite("annulus intake, triage and worklist, end to end")
struct TriageCommandTests {
    static let intake = [
        "age=45", "pain-months=14", "back-pain=vas:70", "leg-pain=nrs:3", "leg-radicular=no",
        "care=physical-therapy:12:no", "care=nsaids:8:no", "fit=yes", "infection=no", "tumour=no", "fracture=no",
        "cauda-equina=no", "prior-surgery=no", "prefers-non-surgical=yes",
    ]

    /// Adds a finding and returns its id.
    static func add(_ fixture: AnnotatedStore, _ study: String, _ arguments: [String]) throws -> String {
        let result = try fixture.run(["annotate", "add", study] + arguments + ["--json"])
        guard result.status == 0, let id = AnnotatedStore.object(result)["id"] as? String else {
            Issue.record("add failed: \(result.stdout) \(result.stderr)")
            return ""
        }
        return id
    }

    @Test("the annotated, signed sample patient is a candidate at L4-L5 and needs discography at L5-S1")
    func triageOfTheSamplePatient() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        #expect(try fixture.run(["intake", "set", "ACC-MR-0001"] + Self.intake).status == 0)
        var ids: [String] = []
        ids.append(
            try Self.add(
                fixture, "ACC-MR-0001",
                ["--level", "L4-L5", "--finding", "annular-fissure", "type=radial", "zones=central", "side=midline"]))
        ids.append(try Self.add(fixture, "ACC-MR-0001", ["--level", "L4-L5", "--finding", "pfirrmann", "grade=III"]))
        ids.append(try Self.add(fixture, "ACC-MR-0001", ["--level", "L5-S1", "--finding", "pfirrmann", "grade=II"]))
        ids.append(
            try Self.add(
                fixture, "ACC-RF-0001",
                ["--level", "L4-L5", "--finding", "discography", "grade=3", "response=concordant", "pain=7"]))

        // Drafts do not count: nothing is decided yet, and the worklist says sign-off is what is needed.
        let unsigned = try fixture.run(["triage", "ACC-MR-0001", "--json"])
        #expect(AnnotatedStore.object(unsigned)["outcome"] as? String == "needs-more-information")
        let previewed = try fixture.run(["triage", "ACC-MR-0001", "--include-drafts", "--json"])
        let previewObject = AnnotatedStore.object(previewed)
        #expect(previewObject["outcome"] as? String == "candidate")
        #expect(previewObject["includesDrafts"] as? Bool == true)
        let worklistBefore = try fixture.run(["worklist", "--json"])
        let before = worklistBefore.lines.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(before.map { $0["attention"] as? String } == ["needs more information", "candidate awaiting sign-off"])

        for id in ids { #expect(try fixture.run(["annotate", "sign", id], user: "dr.okafor").status == 0) }
        let triage = try fixture.run(["triage", "ACC-MR-0001", "--json"])
        let evaluation = AnnotatedStore.object(triage)
        #expect(evaluation["outcome"] as? String == "candidate")
        let levels = (evaluation["levels"] as? [[String: Any]]) ?? []
        let byLevel = Dictionary(
            uniqueKeysWithValues: levels.compactMap { level -> (String, [String: Any])? in
                guard let name = level["level"] as? String else { return nil }
                return (name, level)
            })
        #expect(byLevel["L4-L5"]?["outcome"] as? String == "candidate")
        #expect(byLevel["L5-S1"]?["outcome"] as? String == "needs-more-information")
        #expect((byLevel["L5-S1"]?["missingFacts"] as? [String])?.contains("level.discography.response") == true)
        let text = try fixture.run(["triage", "ACC-MR-0001"])
        #expect(text.stdout.contains("L4-L5: candidate"))
        #expect(text.stdout.contains("Decision support only"))

        // A red flag makes the patient urgent, first on the worklist.
        #expect(try fixture.run(["intake", "set", "ACC-MR-0001", "cauda-equina=yes", "--reason", "new"]).status == 0)
        let urgent = try fixture.run(["worklist", "--json"])
        let after = urgent.lines.compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(after.first?["attention"] as? String == "urgent review")
        #expect((after.first?["accessions"] as? [String])?.contains("ACC-MR-0001") == true)
        let history = try fixture.run(["intake", "history", "ACC-MR-0001"])
        #expect(history.stdout.contains("new"))
    }

    @Test("the normal control patient, once annotated and signed, is not a candidate: M4 is known unmet")
    func normalControl() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        #expect(try fixture.run(["intake", "set", "ACC-MR-0002"] + Self.intake).status == 0)
        let ids = [
            try Self.add(fixture, "ACC-MR-0002", ["--level", "L4-L5", "--finding", "pfirrmann", "grade=II"]),
            try Self.add(
                fixture, "ACC-MR-0002",
                ["--level", "L4-L5", "--finding", "discography", "grade=0", "response=none", "pain=0"]),
        ]
        for id in ids { #expect(try fixture.run(["annotate", "sign", id], user: "dr.okafor").status == 0) }
        let evaluation = AnnotatedStore.object(try fixture.run(["triage", "ACC-MR-0002", "--json"]))
        #expect(evaluation["outcome"] as? String == "not-candidate")
        let level = (evaluation["levels"] as? [[String: Any]])?.first
        let reasons = (level?["reasons"] as? [[String: Any]]) ?? []
        #expect(reasons.contains { $0["ruleID"] as? String == "M4" && $0["status"] as? String == "unmet" })
    }

    @Test("intake mistakes and rule-file mistakes are answered clearly")
    func errors() throws {
        let fixture = try AnnotatedStore()
        defer { fixture.remove() }
        let bad = try fixture.run(["intake", "set", "ACC-MR-0001", "pain-mnths=14"])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("pain-months"), "\(bad.stderr)")
        let rules = fixture.folder + "/rules.json"
        try Data(#"{"version": "1", "rules": [{"id": "M1"}]}"#.utf8).write(to: URL(fileURLWithPath: rules))
        let badRules = try fixture.run(["triage", "ACC-MR-0001", "--rules", rules])
        #expect(badRules.status == 2)
        #expect(badRules.stderr.contains("rules.json"), "\(badRules.stderr)")
    }
}
