import Candidacy
import SpineModel
import Testing

@Suite("Plain-text explanation")
struct ExplanationTests {
    @Test func candidateExplanation() {
        var intake = Fixture.candidateIntake
        intake.priorSurgery = PriorSurgery(had: true)
        let text = Fixture.evaluate(intake, Fixture.candidateFindings + [.hiz(HighIntensityZone(present: true))])
            .explanation()
        #expect(text.hasPrefix("Candidacy for intra-annular fibrin injection: candidate (rules 2026.2)"))
        #expect(text.contains("L4-L5: candidate"))
        #expect(text.contains("M1 met: back or neck pain for 6 months or longer [intake.painDurationMonths = 14]"))
        #expect(text.contains("S-hiz holds"))
        #expect(text.contains("M9 holds: prior spine surgery"))
        #expect(text.contains("Red flags: none holds"))
        #expect(text.hasSuffix(CandidacyWording.disclaimer + "\n"))
    }

    @Test func missingAndExcludingAreNamed() {
        var intake = Fixture.candidateIntake
        intake.painDurationMonths = nil
        intake.redFlags.tumour = nil
        let missing = Fixture.evaluate(intake).explanation()
        #expect(missing.contains("L4-L5: needs-more-information"))
        #expect(missing.contains("Missing: intake.painDurationMonths"))
        #expect(missing.contains("M1 UNKNOWN"))
        #expect(missing.contains("intake.painDurationMonths = unknown"))
        #expect(missing.contains("not answered: R-tumour tumour"))
        let excluded = Fixture.evaluate(
            Fixture.candidateIntake, Fixture.candidateFindings + [.contour(DiscContour(type: .extrusion))]
        )
        .explanation()
        #expect(excluded.contains("Excludes:"))
        #expect(excluded.contains("X-herniation holds: extrusion, sequestration or a non-contained herniation"))
        #expect(excluded.contains("level.contour.type = extrusion"))
    }

    @Test func urgentReviewComesFirst() {
        var intake = Fixture.candidateIntake
        intake.redFlags.activeInfection = true
        let text = Fixture.evaluate(intake).explanation()
        #expect(text.hasPrefix("Candidacy for intra-annular fibrin injection: urgent-review"))
        #expect(text.contains("URGENT REVIEW: red flag"))
        #expect(text.contains("M7 holds: active infection"))
    }
}
