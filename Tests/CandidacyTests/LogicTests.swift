import Candidacy
import Testing

@Suite("Three-valued (Kleene) logic")
struct LogicTests {
    @Test func conjunctionDisjunctionNegation() {
        let all = Truth.allCases
        for a in all {
            for b in all {
                let and = Truth.all([a, b])
                let or = Truth.any([a, b])
                if a == .no || b == .no {
                    #expect(and == .no)
                } else if a == .unknown || b == .unknown {
                    #expect(and == .unknown)
                } else {
                    #expect(and == .yes)
                }
                if a == .yes || b == .yes {
                    #expect(or == .yes)
                } else if a == .unknown || b == .unknown {
                    #expect(or == .unknown)
                } else {
                    #expect(or == .no)
                }
                // De Morgan holds in Kleene logic.
                #expect(and.negated == Truth.any([a.negated, b.negated]))
            }
        }
        #expect(Truth.unknown.negated == .unknown)
        #expect(Truth.all([]) == .yes)
        #expect(Truth.any([]) == .no)
    }

    @Test func unknownFactMakesAComparisonUnknown() {
        let condition = Condition.compare(fact: "intake.age", op: .greaterOrEqual, value: .number(18))
        #expect(condition.evaluate { _ in nil } == .unknown)
        #expect(condition.evaluate { _ in .number(18) } == .yes)
        #expect(condition.evaluate { _ in .number(17) } == .no)
        #expect(Condition.not(condition).evaluate { _ in nil } == .unknown)
        let known = Condition.compare(fact: "intake.age", op: .known, value: nil)
        #expect(known.evaluate { _ in nil } == .no)
        #expect(known.evaluate { _ in .number(1) } == .yes)
    }

    @Test func combinatorsFollowKleene() {
        let yes = Condition.compare(fact: "a", op: .equal, value: .bool(true))
        let unknown = Condition.compare(fact: "missing", op: .equal, value: .bool(true))
        let no = Condition.compare(fact: "a", op: .equal, value: .bool(false))
        let facts: (String) -> FactValue? = { $0 == "a" ? .bool(true) : nil }
        #expect(Condition.any([unknown, yes]).evaluate(facts) == .yes)
        #expect(Condition.any([unknown, no]).evaluate(facts) == .unknown)
        #expect(Condition.all([unknown, no]).evaluate(facts) == .no)
        #expect(Condition.all([unknown, yes]).evaluate(facts) == .unknown)
        #expect(Condition.not(.all([yes, yes])).evaluate(facts) == .no)
    }

    @Test func lowerBoundSettlesOnlyWhatItCan() {
        func check(_ op: Condition.Operator, _ bound: Double, _ value: Double) -> Truth {
            Condition.compare(fact: "x", op: op, value: .number(value)).evaluate { _ in .atLeast(bound) }
        }
        #expect(check(.greaterOrEqual, 8, 6) == .yes)
        #expect(check(.greaterOrEqual, 4, 6) == .unknown)
        #expect(check(.greater, 3, 2) == .yes)
        #expect(check(.greater, 2, 2) == .unknown)
        #expect(check(.less, 6, 6) == .no)
        #expect(check(.less, 5, 6) == .unknown)
        #expect(check(.lessOrEqual, 7, 6) == .no)
        #expect(check(.equal, 7, 6) == .no)
        #expect(check(.equal, 6, 6) == .unknown)
    }

    @Test func setsAndLists() {
        let modic = Condition.compare(fact: "m", op: .containsAny, value: .list([.text("3"), .text("1/3")]))
        #expect(modic.evaluate { _ in .set(["1", "3"]) } == .yes)
        #expect(modic.evaluate { _ in .set(["1"]) } == .no)
        #expect(modic.evaluate { _ in nil } == .unknown)
        let contour = Condition.compare(fact: "c", op: .in, value: .list([.text("extrusion"), .text("sequestration")]))
        #expect(contour.evaluate { _ in .text("extrusion") } == .yes)
        #expect(contour.evaluate { _ in .text("bulge") } == .no)
        #expect(Condition.any([modic, contour]).facts == ["m", "c"])
    }
}
