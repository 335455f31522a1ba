import Foundation
import SpineModel
import Testing

@Suite("Disc levels: names, spellings, order, codes")
struct DiscLevelTests {
    /// The 25 names, cranial to caudal, as DOMAIN.md §2 lists them (transitional L5-L6 and S1-S2 included).
    static let names = [
        "C2-C3", "C3-C4", "C4-C5", "C5-C6", "C6-C7", "C7-T1", "T1-T2", "T2-T3", "T3-T4", "T4-T5", "T5-T6", "T6-T7",
        "T7-T8", "T8-T9", "T9-T10", "T10-T11", "T11-T12", "T12-L1", "L1-L2", "L2-L3", "L3-L4", "L4-L5", "L5-L6",
        "L5-S1", "S1-S2",
    ]

    @Test("there are 25 levels, 23 mobile, cranial to caudal, with canonical names")
    func catalogue() {
        #expect(DiscLevel.all.map(\.name) == Self.names)
        #expect(DiscLevel.all.count == 25)
        #expect(DiscLevel.mobile.count == 23)
        #expect(DiscLevel.mobile.first == .C2C3)
        #expect(DiscLevel.mobile.last == .L5S1)
        #expect(DiscLevel.all == DiscLevel.all.sorted())
        #expect(DiscLevel.C7T1 < .T1T2)
        #expect(DiscLevel.L4L5 < .L5L6)
        #expect(DiscLevel.L5L6 < .L5S1)
        #expect(DiscLevel.L5S1 < .S1S2)
        #expect(!(DiscLevel.L5S1 < .L5S1))
        #expect(DiscLevel.all.filter(\.isTransitional) == [.L5L6, .S1S2])
    }

    @Test("every accepted spelling of every level reads as that level", arguments: DiscLevelTests.names)
    func spellings(name: String) throws {
        let parts = name.split(separator: "-").map(String.init)
        let (upper, lower) = (parts[0], parts[1])
        var spellings = [
            name, name.lowercased(), "\(upper)/\(lower)", "\(upper)\(lower)".lowercased(), "\(upper) \(lower)",
            "  \(upper.lowercased()) - \(lower)  ", "\(upper)\u{2013}\(lower)", "\(upper)_\(lower)",
        ]
        if upper.first == lower.first {
            let lowerNumber = lower.dropFirst()
            spellings += ["\(upper)-\(lowerNumber)", "\(upper)/\(lowerNumber)", "\(upper)\(lowerNumber)".lowercased()]
        }
        if upper.first == "T" {
            spellings.append("Th" + name.dropFirst())
        }
        for spelling in spellings {
            let level = try DiscLevel.parse(spelling)
            #expect(level.name == name, "\(spelling)")
            #expect(level.description == name)
        }
    }

    @Test("the examples of the brief read as L4-L5")
    func briefExamples() throws {
        for spelling in ["L4-L5", "L4/L5", "l4l5", "L4-5", "L4 L5", "l4 / l5", "L45"] {
            #expect(try DiscLevel.parse(spelling) == .L4L5)
        }
        #expect(try DiscLevel.parse("l5s1") == .L5S1)
        #expect(try DiscLevel.parse("T1011") == .T10T11)
        #expect(try DiscLevel.parse("t12/l1") == .T12L1)
    }

    @Test("regions follow the vertebra above the disc")
    func regions() {
        #expect(DiscLevel.C2C3.region == .cervical)
        #expect(DiscLevel.C7T1.region == .cervical)
        #expect(DiscLevel.T1T2.region == .thoracic)
        #expect(DiscLevel.T12L1.region == .thoracic)
        #expect(DiscLevel.L1L2.region == .lumbar)
        #expect(DiscLevel.L5S1.region == .lumbar)
        #expect(DiscLevel.S1S2.region == .lumbar)
        #expect(DiscLevel.all.filter { $0.region == .cervical }.count == 6)
        #expect(DiscLevel.all.filter { $0.region == .thoracic }.count == 12)
        #expect(DiscLevel.L4L5.upperVertebra == "L4")
        #expect(DiscLevel.T9T10.lowerVertebra == "T10")
    }

    @Test("SNOMED CT codes match DOMAIN.md (CID 7604); transitional levels have none")
    func snomedCodes() {
        let expected: [DiscLevel: String] = [
            .C2C3: "1078209008", .C5C6: "73959003", .C7T1: "37414007", .T2T3: "6004007", .T3T4: "2620004",
            .T8T9: "9188009", .T9T10: "113209001", .T11T12: "1537001", .T12L1: "76206002", .L1L2: "80064006",
            .L3L4: "62551000", .L4L5: "84020006", .L5S1: "715056000",
        ]
        for (level, code) in expected {
            #expect(level.snomedCode == code, "\(level)")
        }
        #expect(DiscLevel.L5L6.snomedCode == nil)
        #expect(DiscLevel.S1S2.snomedCode == nil)
        let codes = DiscLevel.mobile.compactMap(\.snomedCode)
        #expect(codes.count == 23)
        #expect(Set(codes).count == 23)
        #expect(codes.allSatisfy { $0.allSatisfy(\.isNumber) })
    }

    @Test("L6-S1 is refused with the transitional-anatomy advice, however it is written")
    func l6s1() throws {
        let expected =
            "L6-S1 is not a disc level; did you mean L5-S1? For transitional anatomy use L5-L6 with the numbering basis."
        for spelling in ["L6-S1", "l6s1", "L6/S1", "L6 S1"] {
            let error = try #require(levelError(spelling))
            #expect(error.message == expected)
            #expect(error.problem == .unknownLevel)
            #expect(error.field == "level")
            #expect(error.value == spelling)
            #expect(error.suggestion == "L5-S1")
            #expect(error.allowed == Self.names)
        }
    }

    @Test("non-adjacent, reversed, C1-C2 and unknown levels are refused with a way forward")
    func refusals() throws {
        let nonAdjacent = try #require(levelError("L3-L5"))
        #expect(
            nonAdjacent.message
                == "L3-L5 is not a disc level: a disc lies between two adjacent vertebrae; did you mean L3-L4?"
        )
        #expect(nonAdjacent.suggestion == "L3-L4")

        let reversed = try #require(levelError("L5-L4"))
        #expect(reversed.message == "L5-L4 is not a disc level; did you mean L4-L5? Write the upper vertebra first")
        #expect(reversed.suggestion == "L4-L5")

        let atlas = try #require(levelError("C1-C2"))
        #expect(atlas.message.hasPrefix("C1-C2 has no intervertebral disc"))
        #expect(atlas.suggestion == "C2-C3")

        let garbage = try #require(levelError("banana"))
        #expect(garbage.suggestion == nil)
        #expect(garbage.message.hasPrefix("\"banana\" is not a disc level. Write two adjacent vertebrae such as L4-L5"))
        #expect(garbage.allowed.count == 25)

        let typo = try #require(levelError("L4-LS"))
        #expect(typo.suggestion == "L4-L5")
        #expect(typo.message.hasPrefix("\"L4-LS\" is not a disc level; did you mean L4-L5?"))

        let noVertebra = try #require(levelError("L7-L8"))
        #expect(noVertebra.message.contains("levels run from C2-C3 to L5-S1"))

        let empty = try #require(levelError("  "))
        #expect(empty.message == "a disc level is needed, such as L4-L5")
        #expect(levelError("S2-S3") != nil)
        #expect(levelError("T12-1")?.suggestion == "T12-L1")
    }

    @Test("SPIDER numbers discs from the bottom: 1 = L5-S1, 2 = L4-L5, …")
    func fromBottom() throws {
        #expect(try DiscLevel.fromBottom(1) == .L5S1)
        #expect(try DiscLevel.fromBottom(2) == .L4L5)
        #expect(try DiscLevel.fromBottom(5) == .L1L2)
        #expect(try DiscLevel.fromBottom(6) == .T12L1)
        #expect(try DiscLevel.fromBottom(23) == .C2C3)
        #expect(try DiscLevel.fromBottom(1, lowest: .S1S2) == .S1S2)
        #expect(try DiscLevel.fromBottom(2, lowest: .S1S2) == .L5S1)
        #expect(try DiscLevel.fromBottom(1, lowest: .L5L6) == .L5L6)
        #expect(try DiscLevel.fromBottom(2, lowest: .L5L6) == .L4L5)
        #expect(try DiscLevel.fromBottom(1, lowest: .L4L5) == .L4L5)
        let zero = try #require(validationError { () throws(SpineValidationError) in try DiscLevel.fromBottom(0) })
        #expect(zero.problem == .outOfRange)
        #expect(zero.message == "disc number 0 counted from the bottom is outside 1–23 (1 = L5-S1, 23 = C2-C3)")
        #expect(validationError { () throws(SpineValidationError) in try DiscLevel.fromBottom(24) } != nil)
        #expect(
            validationError { () throws(SpineValidationError) in try DiscLevel.fromBottom(24, lowest: .S1S2) } == nil)
    }

    @Test("levels encode as their canonical name and decode any accepted spelling")
    func coding() throws {
        let data = try JSONEncoder().encode([DiscLevel.L4L5, .T12L1, .S1S2])
        #expect(String(decoding: data, as: UTF8.self) == #"["L4-L5","T12-L1","S1-S2"]"#)
        let decoded = try JSONDecoder().decode([DiscLevel].self, from: Data(#"["l4/l5","C7 T1"]"#.utf8))
        #expect(decoded == [.L4L5, .C7T1])
        #expect(throws: SpineValidationError.self) {
            try JSONDecoder().decode([DiscLevel].self, from: Data(#"["L6-S1"]"#.utf8))
        }
    }

    @Test("numbering basis reads its raw strings and common spellings")
    func numberingBasis() throws {
        #expect(LevelNumberingBasis.allCases.map(\.rawValue) == ["from-C2", "from-sacrum", "unknown"])
        #expect(try LevelNumberingBasis.parse("from-C2") == .fromC2)
        #expect(try LevelNumberingBasis.parse("from c2") == .fromC2)
        #expect(try LevelNumberingBasis.parse("sacrum") == .fromSacrum)
        #expect(try LevelNumberingBasis.parse("From-Sacrum") == .fromSacrum)
        #expect(try LevelNumberingBasis.parse("unknown") == .unknown)
        let error = try #require(
            validationError { () throws(SpineValidationError) in try LevelNumberingBasis.parse("from-sacrun") }
        )
        #expect(error.suggestion == "from-sacrum")
        #expect(
            error.message
                == "\"from-sacrun\" is not a numbering basis; did you mean from-sacrum? allowed: from-C2, from-sacrum, unknown"
        )
        let data = try JSONEncoder().encode(LevelNumberingBasis.fromC2)
        #expect(String(decoding: data, as: UTF8.self) == #""from-C2""#)
    }
}
