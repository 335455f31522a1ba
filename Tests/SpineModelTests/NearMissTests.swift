import SpineModel
import Testing

@Suite("Near-miss suggestions")
struct NearMissTests {
    @Test("typos one or two edits away are found")
    func typos() {
        #expect(NearMiss.suggest("radail", among: ["concentric", "radial", "transverse"]) == "radial")
        #expect(NearMiss.suggest("tpye", among: ["type", "zones", "side"]) == "type")
        #expect(NearMiss.suggest("annular-fisure", among: FindingKind.allCases.map(\.rawValue)) == "annular-fissure")
        #expect(NearMiss.suggest("RIGTH", among: ["left", "right"]) == "right")
        #expect(NearMiss.suggest("Pfirman", among: FindingKind.allCases.map(\.rawValue)) == "pfirrmann")
        #expect(NearMiss.suggest("discograhpy", among: FindingKind.allCases.map(\.rawValue)) == "discography")
    }

    @Test("separators do not count: l5s1 finds L5-S1, controlnegative finds control-negative")
    func separators() {
        #expect(NearMiss.suggest("l5s1", among: DiscLevel.all.map(\.name)) == "L5-S1")
        #expect(NearMiss.suggest("L4 L5", among: DiscLevel.all.map(\.name)) == "L4-L5")
        #expect(NearMiss.suggest("controlnegative", among: ["pain", "control-negative"]) == "control-negative")
        #expect(NearMiss.suggest("height loss", among: FindingKind.allCases.map(\.rawValue)) == "height-loss")
    }

    @Test("a unique prefix of three or more characters is suggested")
    func prefixes() {
        #expect(NearMiss.suggest("disco", among: FindingKind.allCases.map(\.rawValue)) == "discography")
        #expect(NearMiss.suggest("spondylo", among: FindingKind.allCases.map(\.rawValue)) == "spondylolisthesis")
        // "an" begins annular-fissure and annulargram, and is too short anyway.
        #expect(NearMiss.suggest("an", among: FindingKind.allCases.map(\.rawValue)) == nil)
        #expect(NearMiss.suggest("annul", among: FindingKind.allCases.map(\.rawValue)) == nil)
    }

    @Test("garbage gets no suggestion")
    func garbage() {
        let kinds = FindingKind.allCases.map(\.rawValue)
        for input in ["xyzzy", "qqqqqqqq", "x", "12345", "", "   ", "banana", "foo", "?", "zz-top"] {
            #expect(NearMiss.suggest(input, among: kinds) == nil, "\(input)")
        }
        #expect(NearMiss.suggest("x", among: ["y", "z"]) == nil)
        #expect(NearMiss.suggest("ab", among: ["yes", "no"]) == nil)
        #expect(NearMiss.suggest("hx", among: ["hiz"]) == nil)
        #expect(NearMiss.suggest("left", among: []) == nil)
    }

    @Test("the threshold grows with the word and ties go to the earlier candidate")
    func threshold() {
        #expect(NearMiss.maximumDistance(forLength: 4) == 1)
        #expect(NearMiss.maximumDistance(forLength: 7) == 2)
        #expect(NearMiss.maximumDistance(forLength: 14) == 3)
        #expect(NearMiss.suggest("lfet", among: ["left", "right"]) == "left")
        #expect(NearMiss.suggest("lxxt", among: ["left"]) == nil)
        #expect(NearMiss.suggest("concentrc", among: ["concentric"]) == "concentric")
        #expect(NearMiss.suggest("cncntrc", among: ["concentric"]) == nil)
        #expect(NearMiss.suggest("L3-L5", among: ["L3-L4", "L4-L5"]) == "L3-L4")
        #expect(NearMiss.editDistance("kitten", "sitting") == 3)
        #expect(NearMiss.editDistance("ab", "ba") == 1)
        #expect(NearMiss.editDistance("", "abc") == 3)
    }
}
