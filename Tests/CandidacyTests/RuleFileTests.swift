import Candidacy
import Foundation
import SpineModel
import Testing

@Suite("Rule file: the default set and validation errors")
struct RuleFileTests {
    @Test func defaultRulesLoadWithEveryRuleOfTheIssue() throws {
        let rules = try RuleSet.bundled()
        #expect(rules.version == "2026.2")
        #expect(rules.format == 1)
        let expected: [String: Rule.Kind] = [
            "M1": .required, "M2": .required, "M3": .required, "M4": .required, "M6": .required,
            "M8": .exclusion, "X-spondylolisthesis": .exclusion, "X-herniation": .exclusion, "X-stenosis": .exclusion,
            "M7": .redFlag, "R-tumour": .redFlag, "R-acute-fracture": .redFlag, "R-cauda-equina": .redFlag,
            "C-advanced-degeneration": .caution, "C-modic-3": .caution, "C-multilevel": .caution,
            "C-radicular-dominant": .caution, "C-low-axial-pain": .caution, "X-no-abnormality": .exclusion,
            "X-prior-fusion": .exclusion,
            "S-hiz": .supportive, "S-dallas": .supportive, "S-control": .supportive, "M9": .flag, "M5": .flag,
        ]
        #expect(Set(rules.rules.map(\.id)) == Set(expected.keys))
        for rule in rules.rules {
            #expect(rule.kind == expected[rule.id], "\(rule.id)")
            #expect(!rule.source.isEmpty && !rule.text.isEmpty)
            #expect(rule.facts == rule.condition.facts, "\(rule.id) lists exactly the facts it reads")
        }
        #expect(rules.rules.filter { $0.kind == .redFlag }.allSatisfy { $0.scope == .patient })
        #expect(rules.rule(id: "M3")?.scope == .level)
        #expect(RuleSet.default == rules)
    }

    @Test func everyFactIsComputedFromSomeInput() {
        // A full intake and every finding kind at two levels: every fact in the vocabulary must get a value.
        var intake = Fixture.candidateIntake
        intake.conservativeCare?.append(CareAttempt(kind: .epiduralSteroid, weeks: 4, lastingRelief: false))
        intake.rmdq = 12
        intake.ndi = 20
        intake.neckPain = PainScore(scale: .nrs, value: 4)
        intake.armPain = PainScore(scale: .nrs, value: 2)
        intake.armPainRadicular = false
        intake.priorSurgery = PriorSurgery(had: true, procedures: [PriorProcedure(kind: .fusion, level: .L5S1)])
        let findings = Fixture.candidateFindings + Generated.findingPool.flatMap { $0 } + Generated.exclusions
        let catalogue = Set(FactCatalog.names)
        let rules = RuleSet(
            version: "coverage",
            rules: FactCatalog.all.map { fact in
                Rule(
                    id: fact.name, kind: .flag, scope: fact.scope, text: fact.name, facts: [fact.name], source: "test",
                    condition: .compare(fact: fact.name, op: .known, value: nil))
            })
        let evaluation = CandidacyEngine.evaluate(
            intake: intake,
            levels: [
                .L4L5: findings,
                .L5S1: Fixture.candidateFindings + [
                    .contour(DiscContour(type: .protrusion, contained: true)),
                    .stenosis(Stenosis(location: .subarticular, side: .left, grade: .moderate)),
                ],
            ], rules: rules, includesDrafts: false)
        let reasons = evaluation.patientReasons + evaluation.levels.flatMap(\.reasons)
        let known = reasons.filter { $0.status == .met }.map(\.ruleID)
        #expect(Set(known) == catalogue)
    }

    /// The default file with one rule replaced by `rule` (JSON text), or appended when `replacing` is nil.
    static func file(rule: String, replacing id: String? = "M1", format: String = "1", version: String = "\"t\"")
        -> Data
    {
        let base = #"""
            {"id": "M1", "kind": "required", "scope": "patient", "text": "pain", "facts": ["intake.painDurationMonths"],
             "source": "clinic", "condition": {"fact": "intake.painDurationMonths", "op": ">=", "value": 6}}
            """#
        let rules = id == nil ? [base, rule] : [rule]
        return Data(
            #"{"format": \#(format), "version": \#(version), "rules": [\#(rules.joined(separator: ","))]}"#.utf8)
    }

    static func rule(
        id: String = "T1", kind: String = "required", scope: String = "patient", facts: String = #"["intake.age"]"#,
        source: String? = "clinic", condition: String = #"{"fact": "intake.age", "op": ">=", "value": 18}"#,
        extra: String = ""
    ) -> String {
        let sourceField = source.map { #""source": "\#($0)","# } ?? ""
        return
            #"{"id": "\#(id)", "kind": "\#(kind)", "scope": "\#(scope)", "text": "t", "facts": \#(facts), \#(sourceField) \#(extra) "condition": \#(condition)}"#
    }

    static let errorCases: [(name: String, data: Data, rule: String?, contains: [String])] = [
        (
            "unknown fact with a suggestion",
            file(
                rule: rule(
                    facts: #"["intake.painDuratonMonths"]"#,
                    condition: #"{"fact": "intake.painDuratonMonths", "op": ">=", "value": 6}"#)),
            "T1", ["unknown fact intake.painDuratonMonths", "did you mean intake.painDurationMonths?"]
        ),
        (
            "unknown kind", file(rule: rule(kind: "requried")), "T1",
            ["unknown kind \"requried\"", "did you mean required?"]
        ),
        ("unknown scope", file(rule: rule(scope: "levle")), "T1", ["unknown scope", "did you mean level?"]),
        (
            "bad op", file(rule: rule(condition: #"{"fact": "intake.age", "op": "=>", "value": 18}"#)), "T1",
            ["bad op \"=>\"", "did you mean >=?"]
        ),
        (
            "duplicate id", file(rule: rule(id: "M1"), replacing: nil), "M1",
            ["duplicate id", "each id must be unique"]
        ),
        ("missing source", file(rule: rule(source: nil)), "T1", ["missing source", "cites where it comes from"]),
        ("empty source", file(rule: rule(source: " ")), "T1", ["missing source"]),
        (
            "level fact in a patient rule",
            file(
                rule: rule(
                    facts: #"["level.pfirrmann.grade"]"#,
                    condition: #"{"fact": "level.pfirrmann.grade", "op": ">=", "value": 2}"#)),
            "T1", ["level fact level.pfirrmann.grade", "scope is patient"]
        ),
        (
            "unsupported format", file(rule: rule(), format: "2"), nil,
            ["unsupported rule-file format 2", "reads format 1"]
        ),
        ("missing version", file(rule: rule(), version: "\"\""), nil, ["missing version"]),
        ("not JSON", Data("{\"format\": 1,".utf8), nil, ["not valid JSON"]),
        ("no rules", Data(#"{"format": 1, "version": "x", "rules": []}"#.utf8), nil, ["missing rules"]),
        (
            "word outside the fact's vocabulary",
            file(
                rule: rule(
                    scope: "level", facts: #"["level.discography.response"]"#,
                    condition: #"{"fact": "level.discography.response", "op": "==", "value": "concordnt"}"#)),
            "T1", ["\"concordnt\" is not a value of level.discography.response", "did you mean concordant?"]
        ),
        (
            "value of the wrong type",
            file(rule: rule(condition: #"{"fact": "intake.age", "op": ">=", "value": "18"}"#)), "T1",
            ["intake.age is number, but the value is a string"]
        ),
        (
            "order comparison on a yes/no fact",
            file(
                rule: rule(
                    facts: #"["intake.fitForOutpatientProcedure"]"#,
                    condition: #"{"fact": "intake.fitForOutpatientProcedure", "op": ">", "value": 1}"#)),
            "T1", ["> compares numbers"]
        ),
        (
            "condition reads an unlisted fact",
            file(
                rule: rule(
                    condition:
                        #"{"all": [{"fact": "intake.age", "op": ">=", "value": 18}, {"fact": "intake.rmdq", "op": ">=", "value": 9}]}"#
                )),
            "T1", ["reads intake.rmdq, which is not listed in facts"]
        ),
        (
            "listed fact not read", file(rule: rule(facts: #"["intake.age", "intake.rmdq"]"#)), "T1",
            ["facts lists intake.rmdq, which the condition does not read"]
        ),
        (
            "unknown key", file(rule: rule(extra: #""souce": "x","#)), "T1",
            ["unknown key \"souce\"", "did you mean source?"]
        ),
        (
            "mixed condition forms",
            file(
                rule: rule(
                    condition:
                        #"{"fact": "intake.age", "op": ">=", "value": 18, "not": {"fact": "intake.age", "op": "known"}}"#
                )),
            "T1", ["mixes not and fact"]
        ),
        ("empty any", file(rule: rule(condition: #"{"any": []}"#)), "T1", ["condition.any must be a non-empty list"]),
        (
            "missing value", file(rule: rule(condition: #"{"fact": "intake.age", "op": ">="}"#)), "T1",
            ["intake.age >= needs a value"]
        ),
        (
            "== on a set fact",
            file(
                rule: rule(
                    scope: "level", facts: #"["level.modic.types"]"#,
                    condition: #"{"fact": "level.modic.types", "op": "==", "value": "3"}"#)),
            "T1", ["is a set; use contains-any"]
        ),
        ("bad id", file(rule: rule(id: "M 1")), "M 1", ["letters, digits"]),
    ]

    @Test(arguments: errorCases.indices)
    func validationErrorsNameTheRuleAndTheProblem(_ index: Int) {
        let (name, data, rule, fragments) = Self.errorCases[index]
        do {
            _ = try RuleSet.decode(data: data, source: "clinic.json")
            Issue.record("\(name): accepted")
        } catch {
            #expect(error.source == "clinic.json")
            let problem = error.problems.first { problem in fragments.allSatisfy { problem.message.contains($0) } }
            #expect(problem != nil, "\(name): \(error.description)")
            #expect(problem?.rule == rule, "\(name)")
            #expect(error.description.hasPrefix("rule file clinic.json is not valid:"))
        }
    }

    @Test func everyProblemIsReportedAtOnce() {
        let data = Self.file(rule: Self.rule(kind: "requried", source: nil), format: "3")
        #expect(throws: RuleFileError.self) { try RuleSet.decode(data: data, source: "x") }
        do {
            _ = try RuleSet.decode(data: data, source: "x")
        } catch {
            #expect(error.problems.count == 3)
            #expect(error.description.contains("rule T1: unknown kind"))
        }
    }

    @Test func loadReadsAFileAndReportsAMissingOne() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cand-rules-\(UUID().uuidString).json")
        try Self.file(rule: Self.rule()).write(to: url)
        defer { try? FileManager.default.removeItem(at: url) }
        let rules = try RuleSet.load(path: url.path)
        #expect(rules.rules.map(\.id) == ["T1"])
        #expect(throws: RuleFileError.self) { try RuleSet.load(path: url.path + ".missing") }
    }

    @Test func aClinicRuleChangesTheOutcome() throws {
        // A clinic that also requires an age of 18–75 (pilot NCT00693784).
        let age = Self.rule(
            id: "A-age", facts: #"["intake.age"]"#,
            condition:
                #"{"all": [{"fact": "intake.age", "op": ">=", "value": 18}, {"fact": "intake.age", "op": "<=", "value": 75}]}"#
        )
        let rules = try RuleSet.decode(data: Self.file(rule: age, replacing: nil), source: "clinic")
        var intake = Fixture.candidateIntake
        intake.age = 80
        let evaluation = CandidacyEngine.evaluate(
            intake: intake, levels: [.L4L5: Fixture.candidateFindings], rules: rules, includesDrafts: false)
        #expect(evaluation.outcome == .notCandidate)
        #expect(evaluation.levels[0].excluding.map(\.ruleID) == ["A-age"])
    }
}

extension RuleFileTests {
    @Test func anUnknownFactIsReportedOnce() {
        let data = Self.file(
            rule: Self.rule(
                facts: #"["intake.agee"]"#, condition: #"{"fact": "intake.agee", "op": ">=", "value": 18}"#))
        do {
            _ = try RuleSet.decode(data: data, source: "x")
            Issue.record("accepted")
        } catch {
            #expect(error.problems.filter { $0.message.contains("unknown fact intake.agee") }.count == 1)
            #expect(error.description.contains("did you mean intake.age?"))
        }
        let unlisted = Self.file(
            rule: Self.rule(
                condition:
                    #"{"all": [{"fact": "intake.age", "op": ">=", "value": 18}, {"fact": "intake.rmdqq", "op": ">=", "value": 9}]}"#
            ))
        #expect(throws: RuleFileError.self) { try RuleSet.decode(data: unlisted, source: "x") }
    }
}

@Suite("docs/rules.md shows the default rules")
struct RulesDocTests {
    @Test("every default rule's id and text (parameters resolved) is in docs/rules.md")
    func tableMatchesTheRuleFile() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/rules.md")
        let text = try String(contentsOf: path, encoding: .utf8)
        #expect(text.contains("## The default rules (version \(RuleSet.default.version))"))
        for rule in RuleSet.default.rules {
            #expect(
                text.contains("| `\(rule.id)` | \(rule.kind.rawValue) | \(rule.scope.rawValue) | \(rule.text) |"),
                "\(rule.id)")
        }
    }
}
