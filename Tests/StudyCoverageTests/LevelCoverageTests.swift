import SpineModel
import Testing

@testable import StudyCoverage

/// Whether a level agrees with what the study shows: the decision from body part, descriptions and geometry.
@Suite("Level coverage: the study's evidence against a finding's level")
struct LevelCoverageTests {
    /// A lumbar MR as SampleStudies makes it: LSPINE on every series, neutral series descriptions.
    static let lumbarMR = CoverageFacts(
        studyDescription: "MR LUMBAR SPINE WO CONTRAST",
        series: [
            SeriesFacts(
                seriesInstanceUID: "1.1", seriesNumber: 1, bodyPartExamined: "LSPINE", seriesDescription: "T2 TSE SAG"),
            SeriesFacts(
                seriesInstanceUID: "1.2", seriesNumber: 2, bodyPartExamined: "LSPINE", seriesDescription: "T1 TSE SAG"),
            SeriesFacts(
                seriesInstanceUID: "1.3", seriesNumber: 3, bodyPartExamined: "LSPINE", seriesDescription: "T2 TSE AX"),
        ])

    @Test("a lumbar MR covers the lumbar levels, the thoracolumbar junction and the transitional levels")
    func lumbarCovers() {
        for level in [DiscLevel.T11T12, .T12L1, .L1L2, .L3L4, .L4L5, .L5L6, .L5S1, .S1S2] {
            let decision = LevelCoverage.check(level: level, facts: Self.lumbarMR)
            #expect(decision.verdict == .covered && !decision.disagrees && decision.problem == nil, "\(level)")
        }
    }

    @Test("a lumbar MR does not cover cervical or mid-thoracic levels; the problem names the evidence")
    func lumbarRefuses() throws {
        for level in [DiscLevel.C2C3, .C5C6, .C7T1, .T4T5, .T10T11] {
            #expect(LevelCoverage.check(level: level, facts: Self.lumbarMR).verdict == .outside, "\(level)")
        }
        let decision = LevelCoverage.check(level: .C5C6, facts: Self.lumbarMR)
        #expect(decision.disagrees && decision.regions == [.lumbar])
        let problem = try #require(decision.problem)
        #expect(
            problem
                == "C5-C6 is a cervical level, but the study shows the lumbar spine (T11-T12 to S1-S2): Body Part "
                + "Examined (0018,0015) \"LSPINE\" in series 1, 2, 3; Study Description (0008,1030) \"MR LUMBAR "
                + "SPINE WO CONTRAST\"")
    }

    @Test("a cervical study covers C2-C3 to T2-T3; a thoracic one C6-C7 to L2-L3")
    func otherRegions() {
        let cervical = CoverageFacts(
            studyDescription: nil, series: [SeriesFacts(seriesInstanceUID: "2.1", seriesDescription: "SAG T2 C-SPINE")])
        #expect(LevelCoverage.coveredLevels([.cervical]).first == .C2C3)
        #expect(LevelCoverage.coveredLevels([.cervical]).last == .T2T3)
        #expect(LevelCoverage.check(level: .C7T1, facts: cervical).verdict == .covered)
        #expect(LevelCoverage.check(level: .T1T2, facts: cervical).verdict == .covered)
        #expect(LevelCoverage.check(level: .L4L5, facts: cervical).verdict == .outside)
        #expect(LevelCoverage.check(level: .T5T6, facts: cervical).verdict == .outside)
        #expect(LevelCoverage.coveredLevels([.thoracic]).first == .C6C7)
        #expect(LevelCoverage.coveredLevels([.thoracic]).last == .L2L3)
        #expect(LevelCoverage.coveredLevels([]).isEmpty)
        #expect(LevelCoverage.coveredLevels(Set(SpineRegion.allCases)) == DiscLevel.allCases)
    }

    @Test("nothing said, nothing refused: no body part, neutral descriptions, non-spine body parts")
    func silentStudies() {
        let silent = CoverageFacts(
            studyDescription: "MRI",
            series: [
                SeriesFacts(seriesInstanceUID: "3.1", seriesDescription: "T2 TSE SAG"),
                SeriesFacts(seriesInstanceUID: "3.2", bodyPartExamined: "SPINE", seriesDescription: "AX T2"),
                SeriesFacts(seriesInstanceUID: "3.3", bodyPartExamined: "HEAD", protocolName: "\u{1B}[31mred"),
            ])
        for level in DiscLevel.allCases {
            let decision = LevelCoverage.check(level: level, facts: silent)
            #expect(decision.verdict == .unknown && !decision.disagrees && decision.evidence.isEmpty, "\(level)")
        }
        #expect(
            LevelCoverage.check(level: .C5C6, facts: CoverageFacts(studyDescription: nil, series: [])).verdict
                == .unknown)
    }

    @Test("mixed-region studies: a whole-spine study, cervical and lumbar series, conflicting evidence")
    func mixedStudies() {
        let wholeSpine = CoverageFacts(
            studyDescription: "MR WHOLE SPINE",
            series: [SeriesFacts(seriesInstanceUID: "4.1", seriesNumber: 1, bodyPartExamined: "WHOLESPINE")])
        #expect(DiscLevel.allCases.allSatisfy { LevelCoverage.check(level: $0, facts: wholeSpine).verdict == .covered })
        let twoStations = CoverageFacts(
            studyDescription: nil,
            series: [
                SeriesFacts(seriesInstanceUID: "5.1", seriesNumber: 1, bodyPartExamined: "CSPINE"),
                SeriesFacts(seriesInstanceUID: "5.2", seriesNumber: 2, bodyPartExamined: "LSPINE"),
            ])
        #expect(LevelCoverage.check(level: .C5C6, facts: twoStations).verdict == .covered)
        #expect(LevelCoverage.check(level: .L4L5, facts: twoStations).verdict == .covered)
        #expect(LevelCoverage.check(level: .T6T7, facts: twoStations).verdict == .outside)
        // Marked on the lumbar series, C5-C6 disagrees with that series even though the study has a cervical one.
        let marked = LevelCoverage.check(level: .C5C6, facts: twoStations, anchorSeriesUID: "5.2")
        #expect(marked.verdict == .outside && marked.scope == .anchorSeries(number: 2))
        #expect(marked.problem?.contains("the image it is marked on (series 2) shows the lumbar spine") == true)
        #expect(LevelCoverage.check(level: .C5C6, facts: twoStations, anchorSeriesUID: "5.1").verdict == .covered)
        // Body part and description disagree: both regions count.
        let conflicting = CoverageFacts(
            studyDescription: nil,
            series: [
                SeriesFacts(seriesInstanceUID: "6.1", bodyPartExamined: "LSPINE", seriesDescription: "C-SPINE SAG")
            ])
        #expect(LevelCoverage.check(level: .C5C6, facts: conflicting).verdict == .covered)
    }

    @Test("a marked image in a silent series falls back to the study's evidence")
    func silentAnchorSeries() {
        var facts = Self.lumbarMR
        facts.series.append(SeriesFacts(seriesInstanceUID: "1.9", seriesNumber: 99, seriesDescription: "LOCALIZER"))
        let decision = LevelCoverage.check(level: .C5C6, facts: facts, anchorSeriesUID: "1.9")
        #expect(decision.verdict == .outside && decision.scope == .study)
        #expect(LevelCoverage.check(level: .C5C6, facts: facts, anchorSeriesUID: "not-in-study").scope == .study)
    }

    @Test("geometry only widens: a series reaching 450 mm or more covers every level; a short one says nothing")
    func geometry() {
        var facts = Self.lumbarMR
        facts.series[0].craniocaudalExtent = 300
        #expect(LevelCoverage.check(level: .C5C6, facts: facts).verdict == .outside)
        facts.series[0].craniocaudalExtent = 620
        let widened = LevelCoverage.check(level: .C5C6, facts: facts)
        #expect(widened.verdict == .covered)
        #expect(widened.evidence.contains { $0.source == .geometry && $0.value == "620" })
        let onlyGeometry = CoverageFacts(
            studyDescription: nil, series: [SeriesFacts(seriesInstanceUID: "7.1", craniocaudalExtent: 200)])
        #expect(LevelCoverage.check(level: .C5C6, facts: onlyGeometry).verdict == .unknown)
        facts.series[0].craniocaudalExtent = .nan
        #expect(LevelCoverage.check(level: .C5C6, facts: facts).verdict == .outside, "NaN is no evidence")
    }

    @Test("the fluoroscopy study: a level in its descriptions names the region")
    func fluoroscopy() {
        let rf = CoverageFacts(
            studyDescription: "FLUORO L4-L5 DISCOGRAPHY AND ANNULARGRAM",
            series: [
                SeriesFacts(seriesInstanceUID: "8.1", seriesNumber: 1, seriesDescription: "L4-L5 ANNULARGRAM CINE LAT")
            ])
        #expect(LevelCoverage.check(level: .L3L4, facts: rf).verdict == .covered)
        #expect(LevelCoverage.check(level: .C6C7, facts: rf).verdict == .outside)
    }

    @Test("evidence text: long values shortened, several series said once, regions named in order")
    func evidenceText() {
        let long = String(repeating: "LUMBAR ", count: 40)
        let text = CoverageEvidence.describe([
            CoverageEvidence(
                source: .seriesDescription, seriesInstanceUID: "1", seriesNumber: 4, value: long, regions: [.lumbar]),
            CoverageEvidence(
                source: .geometry, seriesInstanceUID: "2", seriesNumber: 5, value: "700", regions: [.lumbar]),
        ])
        #expect(text.hasPrefix("Series Description (0008,103E) \"LUMBAR LUMBAR"))
        #expect(
            text.contains("…\" in series 4; the images reach 700 mm along the body (more than one region) in series 5"))
        #expect(text.count < 200)
        #expect(Set<SpineRegion>([.lumbar, .cervical]).spineText == "the cervical and lumbar spine")
        #expect(Set<SpineRegion>([.thoracic]).spineText == "the thoracic spine")
        #expect(Set(SpineRegion.allCases).spineText == "the whole spine")
    }
}
