import Candidacy
import Foundation
import SpineModel
import Testing

@Suite("Intake: ODI, key=value parsing, JSON")
struct IntakeTests {
    static let example = [
        "age=45", "pain-months=14", "back-pain=vas:70", "leg-pain=nrs:3", "leg-radicular=no",
        "care=physical-therapy:12:no", "care=nsaids:8:no", "fit=yes", "infection=no", "tumour=no", "fracture=no",
        "cauda-equina=no", "prior-surgery=no", "prefers-non-surgical=yes", "odi=2,3,2,1,3,2,2,1,0,2",
    ]

    @Test func parsesTheDocumentedExample() throws {
        var intake = Intake()
        try intake.apply(assignments: Self.example)
        #expect(intake.age == 45)
        #expect(intake.painDurationMonths == 14)
        #expect(intake.backPain == PainScore(scale: .vas, value: 70))
        #expect(intake.legPain?.normalized == 30)
        #expect(intake.legPainRadicular == false)
        #expect(
            intake.conservativeCare == [
                CareAttempt(kind: .physicalTherapy, weeks: 12, lastingRelief: false),
                CareAttempt(kind: .nsaids, weeks: 8, lastingRelief: false),
            ])
        #expect(intake.fitForOutpatientProcedure == true)
        #expect(
            intake.redFlags
                == RedFlags(activeInfection: false, tumour: false, acuteFracture: false, caudaEquinaSigns: false))
        #expect(intake.priorSurgery.had == false)
        #expect(intake.prefersNonSurgical == true)
        #expect(intake.odi == DisabilityScore(percent: 36, itemsAnswered: 10, itemCount: 10))
        let evaluation = Fixture.evaluate(intake)
        #expect(evaluation.outcome == .candidate)
        #expect(
            Fixture.reason("M2", in: evaluation)?.facts.first?.value == .number(20), "12 + 8 weeks without relief")
    }

    @Test func odiComputation() {
        #expect(DisabilityScore.oswestry(items: Array(repeating: 5, count: 10))?.percent == 100)
        #expect(DisabilityScore.oswestry(items: Array(repeating: 0, count: 10))?.percent == 0)
        // 9 answered, sum 18: 18 / 45 × 100 = 40.
        let partial = DisabilityScore.oswestry(items: [2, 3, 2, 1, 3, 2, 2, 1, 2, nil])
        #expect(partial?.percent == 40)
        #expect(partial?.itemsAnswered == 9)
        #expect(partial?.display(name: "ODI") == "ODI 40 (9 of 10 items answered)")
        #expect(DisabilityScore.oswestry(items: Array(repeating: nil, count: 10)) == nil)
        #expect(Intake(odiItems: Array(repeating: nil, count: 10)).odi == nil)
        #expect(Intake().odi == nil)
    }

    @Test func odiParsingWithUnansweredItems() throws {
        var intake = Intake()
        try intake.apply(assignments: ["odi=5,5,-,5,5,?,5,5,5,5"])
        #expect(intake.odi?.itemsAnswered == 8)
        #expect(intake.odi?.percent == 100)
    }

    @Test func unknownResetsAField() throws {
        var intake = Fixture.candidateIntake
        try intake.apply(assignments: ["age=unknown", "fit=?", "care=unknown", "infection=unknown"])
        #expect(intake.age == nil)
        #expect(intake.fitForOutpatientProcedure == nil)
        #expect(intake.conservativeCare == nil)
        #expect(intake.redFlags.activeInfection == nil)
        try intake.apply(assignments: ["care=none"])
        #expect(intake.conservativeCare == [])
        try intake.apply(assignments: ["care=esi:?:?"])
        #expect(intake.conservativeCare == [CareAttempt(kind: .epiduralSteroid)])
    }

    @Test func priorSurgeryLevels() throws {
        var intake = Intake()
        try intake.apply(assignments: ["prior-surgery=L5/S1,l4l5"])
        #expect(intake.priorSurgery == PriorSurgery(had: true, levels: [.L4L5, .L5S1]))
        try intake.apply(assignments: ["prior-surgery=no"])
        #expect(intake.priorSurgery == PriorSurgery(had: false))
        var conflicting = Intake(priorSurgery: PriorSurgery(had: false, levels: [.L4L5]))
        #expect(throws: IntakeError.self) { try conflicting.validate() }
        #expect(throws: IntakeError.self) { try conflicting.apply(assignments: []) }
    }

    static let errorCases: [(assignment: String, field: String, contains: [String])] = [
        ("pain-month=14", "pain-month", ["not an intake field", "did you mean pain-months?"]),
        ("agee=4", "agee", ["did you mean age?"]),
        ("fit=yse", "fit", ["answer yes or no", "did you mean yes?"]),
        ("care=physio-therapy:12:no", "care", ["did you mean physical-therapy?", "allowed: physical-therapy, nsaids"]),
        ("care=pt:twelve:no", "care", ["expected a number"]),
        ("care=pt:1:2:3", "care", ["KIND:WEEKS:RELIEF"]),
        ("back-pain=vas:120", "back-pain", ["VAS runs from 0 to 100"]),
        ("leg-pain=nrs:11", "leg-pain", ["NRS runs from 0 to 10"]),
        ("back-pain=70", "back-pain", ["vas:70"]),
        ("back-pain=vsa:70", "back-pain", ["did you mean vas?"]),
        ("odi=1,2,3", "odi", ["all 10 ODI item scores", "got 3"]),
        ("odi=1,2,3,4,5,6,0,0,0,0", "odi", ["ODI item 6 is scored 0 to 5"]),
        ("region=lumber", "region", ["did you mean lumbar?"]),
        ("medial-branch-block=negitive", "medial-branch-block", ["did you mean negative?"]),
        ("prior-surgery=L6-S1", "prior-surgery", ["did you mean L5-S1?"]),
        ("prior-surgery=maybe", "prior-surgery", ["yes or no"]),
        ("prior-surgery-levels=L6-S1", "prior-surgery-levels", ["did you mean L5-S1?"]),
        ("age", "age", ["expected key=value"]),
        ("age=200", "age", ["0 to 120"]),
        ("rmdq=30", "rmdq", ["0 to 24"]),
    ]

    @Test(arguments: errorCases.indices)
    func errorsSayWhatIsAllowed(_ index: Int) {
        let (assignment, field, fragments) = Self.errorCases[index]
        var intake = Intake()
        do {
            try intake.apply(assignments: [assignment])
            Issue.record("\(assignment) was accepted")
        } catch {
            #expect(error.field == field, "\(assignment)")
            for fragment in fragments {
                #expect(error.description.contains(fragment), "\(assignment): \(error.description)")
            }
        }
    }

    @Test func jsonRoundTripAndShape() throws {
        var intake = Fixture.candidateIntake
        intake.odiItems = [2, 3, 2, 1, 3, 2, 2, 1, 2, nil]
        intake.priorSurgery = PriorSurgery(had: true, levels: [.L5S1])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(intake)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(#""odi":{"itemCount":10,"itemsAnswered":9,"percent":40}"#))
        #expect(text.contains(#""backPain":{"scale":"vas","value":70}"#))
        #expect(text.contains(#""priorSurgery":{"had":true,"procedures":[{"level":"L5-S1"}]}"#))
        #expect(text.contains(#""kind":"physical-therapy""#))
        #expect(try JSONDecoder().decode(Intake.self, from: data) == intake)
        #expect(String(decoding: try encoder.encode(Intake()), as: UTF8.self) == "{}")
        #expect(try JSONDecoder().decode(Intake.self, from: Data("{}".utf8)) == Intake())
    }

    @Test func jsonDecodingValidates() {
        let bad = [
            #"{"age": 200}"#, #"{"backPain": {"scale": "nrs", "value": 40}}"#, #"{"odiItems": [1, 2]}"#,
            #"{"region": "thoracic"}"#, #"{"conservativeCare": [{"kind": "yoga"}]}"#,
        ]
        for json in bad {
            #expect(throws: (any Error).self, "\(json)") {
                try JSONDecoder().decode(Intake.self, from: Data(json.utf8))
            }
        }
    }
}
