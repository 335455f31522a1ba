import AnnulusApp
import AnnulusRecords
import Candidacy
import Foundation
import SpineModel
import Testing

@Suite("Use cases: intake, triage and the worklist, in process")
struct TriageUseCaseTests {
    /// The sample patient's findings: a fissure and Pfirrmann III at L4-L5, Pfirrmann II at L5-S1 (MR), and a
    /// concordant discography at L4-L5 (fluoroscopy).
    static func annotate(_ fixture: AppFixture) async throws -> [AnnotationVersion] {
        [
            try await fixture.add(
                "ACC-MR-0001", "L4-L5", "annular-fissure", ["type=radial", "zones=central", "side=midline"]),
            try await fixture.add("ACC-MR-0001", "L4-L5", "pfirrmann", ["grade=III"]),
            try await fixture.add("ACC-MR-0001", "L5-S1", "pfirrmann", ["grade=II"]),
            try await fixture.add(
                "ACC-RF-0001", "L4-L5", "discography", ["grade=3", "response=concordant", "pain=7"]),
        ]
    }

    @Test("intake set, show and history: versions by their authors, facts applied to the latest")
    func intake() async throws {
        let fixture = try await AppFixture()
        let first = try await fixture.useCases.setIntake(
            IntakeUpdate(study: "ACC-MR-0001", assignments: candidateIntake), by: AppFixture.clinician)
        #expect(first.latest?.version == 1 && first.latest?.author == "dr.okafor")
        let second = try await fixture.useCases.setIntake(
            IntakeUpdate(study: "ACC-RF-0001", assignments: ["cauda-equina=yes"], reason: "new"),
            by: AppFixture.colleague)
        #expect(second.latest?.version == 2, "intake is the patient's: the fluoroscopy study shares it")
        let shown = try await fixture.useCases.intake(ofStudy: "ACC-MR-0001", by: AppFixture.clinician)
        let intake = try IntakeCoding.decode(try #require(shown.latest?.payload), origin: "test")
        #expect(intake.redFlags.caudaEquinaSigns == .yes && intake.age == 45, "the earlier facts are kept")
        let history = try await fixture.useCases.intakeHistory(ofStudy: "ACC-MR-0001", by: .watcher)
        #expect(history.map(\.author) == ["dr.okafor", "dr.lindqvist"] && history.last?.reason == "new")
        let none = try await fixture.useCases.intake(ofStudy: "ACC-MR-0002", by: .watcher)
        #expect(none.latest == nil && none.study.accessionNumber == "ACC-MR-0002")
    }

    @Test("intake mistakes are invalid input naming the field and the likely one; nothing given is refused")
    func intakeMistakes() async throws {
        let fixture = try await AppFixture()
        let misspelt = await AppFixture.error {
            try await fixture.useCases.setIntake(
                IntakeUpdate(study: "ACC-MR-0001", assignments: ["pain-mnths=14"]), by: AppFixture.clinician)
        }
        #expect(
            misspelt?.kind == .invalidInput && misspelt?.suggestion == "pain-months", "\(String(describing: misspelt))")
        let nothing = await AppFixture.error {
            try await fixture.useCases.setIntake(
                IntakeUpdate(study: "ACC-MR-0001", assignments: []), by: AppFixture.clinician)
        }
        #expect(nothing?.code == "no-intake-facts")
        let json = await AppFixture.error {
            try await fixture.useCases.setIntake(
                IntakeUpdate(
                    study: "ACC-MR-0001", base: .json(Data("[1]".utf8), origin: "the request body"),
                    assignments: []), by: AppFixture.clinician)
        }
        #expect(
            json?.code == "invalid-intake" && json?.message.hasPrefix("the request body is not a valid intake") == true)
        #expect(try await fixture.useCases.intakeHistory(ofStudy: "ACC-MR-0001", by: .watcher).isEmpty)
    }

    @Test("signed findings of both studies make L4-L5 a candidate; drafts only with includeDrafts, and counted so")
    func triage() async throws {
        let fixture = try await AppFixture()
        _ = try await fixture.useCases.setIntake(
            IntakeUpdate(study: "ACC-MR-0001", assignments: candidateIntake), by: AppFixture.clinician)
        let findings = try await Self.annotate(fixture)
        let drafts = try await fixture.useCases.triage(study: "ACC-MR-0001", includeDrafts: false, by: .watcher)
        #expect(drafts.evaluation.outcome == .needsMoreInformation && drafts.pendingDrafts == 4)
        let preview = try await fixture.useCases.triage(study: "ACC-MR-0001", includeDrafts: true, by: .watcher)
        #expect(preview.evaluation.outcome == .candidate && preview.evaluation.includesDrafts)

        _ = try await fixture.useCases.sign(findings.map(\.annotationID), by: AppFixture.clinician)
        let report = try await fixture.useCases.triage(study: "ACC-MR-0001", includeDrafts: false, by: .watcher)
        #expect(report.evaluation.outcome == .candidate && report.pendingDrafts == 0 && report.unreadable.isEmpty)
        let byLevel = Dictionary(uniqueKeysWithValues: report.evaluation.levels.map { ($0.level, $0) })
        #expect(byLevel[.L4L5]?.outcome == .candidate)
        #expect(byLevel[.L5S1]?.missingFacts.contains("level.discography.response") == true)
    }

    @Test("the worklist puts a red flag first, then missing information, with each patient's studies")
    func worklist() async throws {
        let fixture = try await AppFixture()
        _ = try await fixture.useCases.setIntake(
            IntakeUpdate(study: "ACC-MR-0001", assignments: candidateIntake), by: AppFixture.clinician)
        let findings = try await Self.annotate(fixture)
        let before = try await fixture.useCases.worklist(by: .watcher)
        #expect(before.map(\.attention) == ["needs more information", "candidate awaiting sign-off"])
        _ = try await fixture.useCases.sign(findings.map(\.annotationID), by: AppFixture.clinician)
        _ = try await fixture.useCases.setIntake(
            IntakeUpdate(study: "ACC-MR-0001", assignments: ["cauda-equina=yes"]), by: AppFixture.clinician)
        let after = try await fixture.useCases.worklist(by: .watcher)
        #expect(after.first?.attention == "urgent review" && after.first?.priority == 1)
        #expect(after.first?.accessions.sorted() == ["ACC-MR-0001", "ACC-RF-0001"])
        #expect(after.allSatisfy { $0.unreadableFindings.isEmpty && $0.imagingProblems.isEmpty })
    }

    @Test("a rule file that cannot be used is invalid input naming the file and each problem")
    func badRules() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-rules-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/rules.json"
        try Data(#"{"version": "1", "rules": [{"id": "M1"}]}"#.utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: AppError.self) { try AppEnvironment.loadRules(path: path) }
        do {
            _ = try AppEnvironment.loadRules(path: path)
        } catch {
            #expect(error.kind == .invalidInput && error.field == "rules" && error.code == "invalid-rule-file")
            #expect(error.message.contains("rules.json") && !error.problems.isEmpty)
        }
        #expect(try AppEnvironment.loadRules(path: nil).rules.isEmpty == false)
    }
}
