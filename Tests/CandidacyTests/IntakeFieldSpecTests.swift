import Candidacy
import Foundation
import SpineModel
import Testing

/// The intake form's field descriptions (served by GET /api/vocabulary) must agree with the parser: every value a
/// form built from them can offer is accepted, every key is described, and the facts and document paths exist.
@Suite("Intake field descriptions")
struct IntakeFieldSpecTests {
    /// Every value a form offers for `spec`: each word, the range's ends, each scale's ends, a care attempt of each
    /// kind, an operation of each kind at a level.
    static func offered(_ spec: IntakeFieldSpec) -> [String] {
        switch spec.values {
        case .oneOf(let words): return words
        case .yesNo: return ["yes", "no"]
        case .number(let range, _, let whole):
            let format = { (value: Double) in whole ? String(Int(value)) : String(value) }
            return [format(range.lowerBound), format(range.upperBound)]
        case .painScore(let scales):
            return ["none"] + scales.flatMap { ["\($0.rawValue):0", "\($0.rawValue):\(Int($0.maximum))"] }
        case .questionnaire(let total, let items, let itemMaximum, _):
            return [
                String(total.lowerBound), String(total.upperBound),
                Array(repeating: String(itemMaximum), count: items - 1).joined(separator: ",") + ",-",
            ]
        case .care(let kinds, let weeks, _):
            return ["none"] + kinds.flatMap { ["\($0):\(weeks.upperBound):no", "\($0):?:?"] }
        case .priorSurgery(let kinds, let levels):
            return ["yes", "no"] + kinds.flatMap { ["\($0):\(levels[levels.count - 3])", $0] }
        }
    }

    @Test func everyOfferedValueIsAccepted() throws {
        for spec in Intake.fieldSpecs {
            for value in Self.offered(spec) {
                var intake = Intake()
                #expect(throws: Never.self, "\(spec.key)=\(value)") {
                    try intake.apply(assignments: ["\(spec.key)=\(value)"])
                }
            }
        }
    }

    @Test func valuesJustOutsideARangeAreRefusedNamingTheField() throws {
        for spec in Intake.fieldSpecs {
            guard case .number(let range, _, _) = spec.values else { continue }
            var intake = Intake()
            let error = #expect(throws: IntakeError.self) {
                try intake.apply(assignments: ["\(spec.key)=\(Int(range.upperBound) + 1)"])
            }
            #expect(error?.field == spec.key)
        }
    }

    @Test func everyKeyIsDescribedOnceAndFactsExist() {
        let keys = Intake.fieldSpecs.map(\.key)
        #expect(Set(keys).count == keys.count)
        #expect(Set(keys) == Set(Intake.assignmentKeys).subtracting(["prior-surgery-levels"]))
        for spec in Intake.fieldSpecs {
            #expect(!spec.facts.isEmpty, "\(spec.key)")
            for fact in spec.facts { #expect(FactCatalog.definition(named: fact) != nil, "\(spec.key): \(fact)") }
        }
        // Every intake fact a rule can miss leads to a field.
        let described = Set(Intake.fieldSpecs.flatMap(\.facts))
        for fact in FactCatalog.names where fact.hasPrefix("intake.") {
            #expect(described.contains(fact), "\(fact) has no intake field")
        }
    }

    @Test func documentPathsNameTheRecordedValue() throws {
        var intake = Intake()
        let assignments = Intake.fieldSpecs.compactMap { spec -> String? in
            spec.key == "odi" || spec.key == "ndi"
                ? "\(spec.key)=40" : Self.offered(spec).last.map { "\(spec.key)=\($0)" }
        }
        try intake.apply(assignments: assignments)
        let json = try JSONSerialization.jsonObject(with: JSONEncoder().encode(intake)) as? [String: Any]
        for spec in Intake.fieldSpecs {
            var value: Any? = json
            for key in spec.document.split(separator: ".") { value = (value as? [String: Any])?[String(key)] }
            #expect(value != nil, "\(spec.key) → \(spec.document)")
        }
    }

    @Test func levelFactsLeadToTheFindingKindsThatRecordThem() {
        #expect(FactCatalog.findingKinds(informing: "level.fissure.present") == [.annularFissure, .annulargram])
        #expect(FactCatalog.findingKinds(informing: "level.discography.response") == [.discography])
        #expect(FactCatalog.findingKinds(informing: "intake.age").isEmpty)
        #expect(FactCatalog.levelFacts(informedBy: .pfirrmann) == ["level.pfirrmann.grade"])
        for fact in FactCatalog.names where fact.hasPrefix("level.") {
            let kinds = FactCatalog.findingKinds(informing: fact)
            let recordedByIntake = ["level.name", "level.region", "level.priorSurgery.kinds"].contains(fact)
            #expect(kinds.isEmpty == recordedByIntake, "\(fact)")
        }
    }
}
