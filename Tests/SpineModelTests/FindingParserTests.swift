import SpineModel
import Foundation
import Testing

@Suite("Reading findings from name=value assignments")
struct FindingParserTests {
    @Test("an annular fissure reads every field; paracentral becomes central+subarticular")
    func annularFissure() throws {
        let finding = try Finding.parse(
            kind: "annular-fissure",
            assignments: [
                "type=radial", "zones=central,subarticular", "side=left", "craniocaudal=discal", "thickness=full",
            ]
        )
        let expected = AnnularFissure(
            type: .radial, zones: [.central, .subarticular], side: .left, craniocaudal: .discal, thickness: .full
        )
        #expect(finding == .annularFissure(expected))
        #expect(finding.kind == .annularFissure)
        #expect(finding.summary == "radial full fissure, central+subarticular left, discal")
        #expect(finding.fields.map(\.name) == ["type", "zones", "side", "craniocaudal", "thickness"])
        #expect(finding.fields.map(\.value) == ["radial", "central,subarticular", "left", "discal", "full"])

        let paracentral = try Finding.parse(
            kind: "Annular Fissure", assignments: ["TYPE=Radial", "zones=paracentral", "side=right"])
        #expect(
            paracentral
                == .annularFissure(AnnularFissure(type: .radial, zones: [.central, .subarticular], side: .right)))
        #expect(paracentral.summary == "radial fissure, central+subarticular right")

        let mixed = try Finding.parse(
            kind: "annular-tear", assignments: ["type=concentric", "zones=foraminal+paracentral", "side=bilateral"])
        #expect(
            mixed
                == .annularFissure(
                    AnnularFissure(type: .concentric, zones: [.central, .subarticular, .foraminal], side: .bilateral)))

        let bare = try Finding.parse(kind: "fissure", assignments: ["type=transverse"])
        #expect(bare.summary == "transverse fissure")
        #expect(bare.fields.count == 1)
    }

    @Test(
        "every kind reads its typical fields",
        arguments: [
            ("hiz", ["present=yes", "position=posterior", "side=left"], "HIZ posterior left"),
            ("hiz", ["present=no"], "no HIZ"),
            ("pfirrmann", ["grade=3"], "Pfirrmann III"),
            ("pfirrmann", ["grade=iv"], "Pfirrmann IV"),
            ("modic", ["upper=1", "lower=2/1"], "Modic upper 1, lower 1/2"),
            ("modic", ["lower=mixed"], "Modic lower mixed"),
            ("contour", ["type=extrusion", "contained=no", "migration=yes"], "extrusion, not contained, migrated"),
            ("contour", ["type=bulge"], "bulge"),
            ("schmorl", ["present=yes", "endplate=upper"], "Schmorl node (upper endplate)"),
            ("schmorl", ["present=no"], "no Schmorl node"),
            ("spondylolisthesis", ["grade=2"], "spondylolisthesis Meyerding II"),
            ("spondylolisthesis", ["grade=none"], "no spondylolisthesis"),
            (
                "instability", ["present=yes", "translation=4mm", "angulation=6"],
                "unstable: 4 mm translation, 6° angulation"
            ),
            ("instability", ["present=no"], "stable"),
            ("stenosis", ["location=foraminal-left", "grade=moderate"], "moderate left foraminal stenosis"),
            ("stenosis", ["location=foraminal", "side=right", "grade=severe"], "severe right foraminal stenosis"),
            ("stenosis", ["location=canal", "grade=Normal/Mild"], "normal/mild canal stenosis"),
            ("stenosis", ["location=subarticular-right", "grade=mild"], "normal/mild right subarticular stenosis"),
            ("height-loss", ["percent=40%"], "height loss 40%"),
            (
                "discography", ["grade=3", "response=concordant", "pain=7", "pressure=20", "volume=1.5"],
                "concordant, pain 7/10, 20 psi above opening, 1.5 mL, Dallas 3"
            ),
            ("discography", ["grade=0", "response=none"], "negative (no pain), Dallas 0"),
            (
                "annulargram",
                ["pattern=radial", "tear=yes", "tear-side=left", "epidural-leak=no", "fibrin-volume=2.5 mL"],
                "annulargram radial, tear left, no epidural leak, fibrin 2.5 mL"
            ),
            ("annulargram", ["tear=no"], "annulargram, no tear"),
        ])
    func kinds(kind: String, assignments: [String], summary: String) throws {
        let finding = try Finding.parse(kind: kind, assignments: assignments)
        #expect(finding.kind.rawValue == kind)
        #expect(finding.summary == summary)
        let names = finding.kind.fieldSpecs.map(\.name)
        #expect(finding.fields.allSatisfy { names.contains($0.name) })
        #expect(finding.fields.count >= assignments.count)
    }

    @Test("typed values land in the structs")
    func typedValues() throws {
        #expect(
            try Finding.parse(
                kind: "discography",
                assignments: ["grade=4", "response=discordant", "pain=5", "pressure=12.5psi", "volume=2cc"])
                == .discography(Discography(grade: .grade4, response: .discordant, pain: 5, pressure: 12.5, volume: 2))
        )
        #expect(
            try Finding.parse(kind: "stenosis", assignments: ["location=foraminal_left", "grade=severe"])
                == .stenosis(Stenosis(location: .foraminal, side: .left, grade: .severe))
        )
        #expect(
            try Finding.parse(kind: "modic", assignments: ["upper=0", "lower=type 1"])
                == .modic(Modic(upper: .type0, lower: .type1)))
        #expect(try Finding.parse(kind: "pfirrmann", assignments: ["grade=V"]) == .pfirrmann(Pfirrmann(grade: .V)))
        #expect(
            try Finding.parse(kind: "height-loss", assignments: ["percent=33.5"])
                == .heightLoss(HeightLoss(percent: 33.5)))
        #expect(
            try Finding.parse(kind: "high-intensity-zone", assignments: ["present=true", "position=anterior"])
                == .hiz(HighIntensityZone(present: true, position: .anterior))
        )
        let fields = try Finding.parse(kind: "instability", assignments: ["present=yes", "translation=3.5"]).fields
        #expect(fields.map(\.value) == ["yes", "3.5 mm"])
    }

    @Test("an unknown kind lists the kinds and suggests the near miss")
    func unknownKind() throws {
        let error = try #require(parseError("annular-fisure", ["type=radial"]))
        #expect(error.problem == .unknownKind)
        #expect(error.field == "kind")
        #expect(error.value == "annular-fisure")
        #expect(error.suggestion == "annular-fissure")
        #expect(error.allowed == FindingKind.allCases.map(\.rawValue))
        #expect(
            error.message
                == "unknown finding kind \"annular-fisure\"; did you mean annular-fissure? kinds: annular-fissure, "
                + "hiz, pfirrmann, modic, contour, schmorl, spondylolisthesis, instability, stenosis, height-loss, "
                + "discography, annulargram"
        )
        let garbage = try #require(parseError("xyzzy", []))
        #expect(garbage.suggestion == nil)
        #expect(garbage.message.hasPrefix("unknown finding kind \"xyzzy\"; kinds: annular-fissure, hiz"))
    }

    @Test("an unknown field lists the kind's fields and suggests the near miss")
    func unknownField() throws {
        let error = try #require(parseError("annular-fissure", ["tpye=radial"]))
        #expect(error.problem == .unknownField)
        #expect(error.field == "tpye")
        #expect(error.suggestion == "type")
        #expect(error.allowed == ["type", "zones", "side", "craniocaudal", "thickness", "present"])
        #expect(
            error.message == "annular-fissure has no field \"tpye\"; did you mean type? "
                + "fields of annular-fissure: type, zones, side, craniocaudal, thickness, present"
        )
        #expect(parseError("annulargram", ["tear=yes", "tearside=left"]) == nil)
        #expect(
            parseError("discography", ["grade=1", "response=none", "control=yes"])?.suggestion == "control-negative")
        #expect(parseError("hiz", ["present=yes", "qqqq=1"])?.suggestion == nil)
        #expect(parseError("annulargram", ["tear=yes", "fibrin=2"])?.suggestion == "fibrin-volume")
    }

    @Test("a bad value lists the allowed values and suggests the near miss")
    func badValue() throws {
        let error = try #require(parseError("annular-fissure", ["type=radail"]))
        #expect(error.problem == .badValue)
        #expect(error.field == "type")
        #expect(error.value == "radail")
        #expect(error.suggestion == "radial")
        #expect(error.allowed == ["concentric", "radial", "transverse"])
        #expect(
            error.message
                == "\"radail\" is not a valid type for annular-fissure; did you mean radial? allowed: concentric, radial, transverse"
        )
        let zone = try #require(parseError("annular-fissure", ["type=radial", "zones=central,foraminl"]))
        #expect(zone.value == "foraminl")
        #expect(zone.suggestion == "foraminal")
        let flag = try #require(parseError("hiz", ["present=maybe"]))
        #expect(flag.message == "\"maybe\" is not a valid present for hiz; allowed: yes, no")
        let number = try #require(parseError("discography", ["grade=2", "response=none", "pain=ten"]))
        #expect(number.problem == .badValue)
        #expect(number.message == "pain must be a whole number 0–10, got \"ten\"")
        let fraction = try #require(parseError("discography", ["grade=2", "response=none", "pain=6.5"]))
        #expect(fraction.message == "pain must be a whole number 0–10, got \"6.5\"")
        let empty = try #require(parseError("contour", ["type="]))
        #expect(empty.message.hasPrefix("type has no value; allowed: normal, bulge"))
        let location = try #require(parseError("stenosis", ["location=foraminal-lef", "grade=mild"]))
        #expect(location.suggestion == "foraminal-left")
        #expect(parseError("stenosis", ["location=canal", "grade=sever"])?.suggestion == "severe")
    }

    @Test("numbers outside their range say the range")
    func outOfRange() throws {
        let pain = try #require(parseError("discography", ["grade=3", "response=concordant", "pain=11"]))
        #expect(pain.problem == .outOfRange)
        #expect(pain.field == "pain")
        #expect(pain.value == "11")
        #expect(pain.allowed == ["0–10"])
        #expect(pain.message == "pain is 0–10, got 11")
        #expect(parseError("height-loss", ["percent=120"])?.message == "percent is 0–100%, got 120")
        #expect(
            parseError("discography", ["grade=1", "response=none", "pressure=-3"])?.message
                == "pressure is 0–200 psi, got -3")
        #expect(
            parseError("annulargram", ["tear=yes", "fibrin-volume=-1ml"])?.message
                == "fibrin-volume is 0–20 mL, got -1ml")
        #expect(
            parseError("instability", ["present=yes", "angulation=120"])?.message == "angulation is 0–90°, got 120")
        let pfirrmann = try #require(parseError("pfirrmann", ["grade=6"]))
        #expect(pfirrmann.problem == .outOfRange)
        #expect(pfirrmann.message == "grade is I–V (1–5), got 6")
        #expect(parseError("spondylolisthesis", ["grade=VI"])?.message == "grade is 0–V (0–5), got VI")
        #expect(parseError("discography", ["grade=7", "response=none"])?.message == "grade is 0–4, got 7")
    }

    @Test("modified Dallas grade 5 is refused as unconfirmed")
    func dallasGrade5() throws {
        for spelling in ["5", "V"] {
            let error = try #require(parseError("discography", ["grade=\(spelling)", "response=concordant"]))
            #expect(error.problem == .unconfirmed)
            #expect(error.field == "grade")
            #expect(error.allowed == ["0", "1", "2", "3", "4"])
            #expect(
                error.message
                    == "modified Dallas grade 5 (contrast leaking outside the annulus) is unconfirmed and not "
                    + "accepted; record the deepest confirmed grade (0–4) and the leak on the annulargram (epidural-leak=yes)"
            )
        }
    }

    @Test("a missing required field says how to add it")
    func missing() throws {
        let error = try #require(parseError("annular-fissure", ["side=left"]))
        #expect(error.problem == .missingField)
        #expect(error.field == "type")
        #expect(error.value == nil)
        #expect(error.message == "annular-fissure needs type: add type=<concentric|radial|transverse>")
        #expect(parseError("height-loss", [])?.message == "height-loss needs percent: add percent=<0–100%>")
        #expect(
            parseError("discography", ["grade=2"])?.message
                == "discography needs response: add response=<concordant|discordant|non-concordant|none>")
        #expect(parseError("hiz", [])?.message == "hiz needs present: add present=<yes|no>")
        let modic = try #require(parseError("modic", []))
        #expect(
            modic.message
                == "modic needs upper (grade the upper endplate, the lower one, or both): add upper=<0|1|2|3|1/2|1/3|2/3|mixed>"
        )
        let side = try #require(parseError("stenosis", ["location=foraminal", "grade=moderate"]))
        #expect(side.field == "side")
        #expect(
            side.message
                == "stenosis needs side (foraminal stenosis is on one side or both): add side=<left|right|bilateral>")
        let paracentral = try #require(parseError("annular-fissure", ["type=radial", "zones=paracentral"]))
        #expect(paracentral.field == "side")
        #expect(
            paracentral.message == "annular-fissure needs side (paracentral means central+subarticular on one side): "
                + "add side=<left|right|bilateral>"
        )
        #expect(paracentral.allowed == ["left", "right", "bilateral"])
    }

    @Test("a field given twice is refused")
    func duplicate() throws {
        let error = try #require(parseError("annular-fissure", ["type=radial", "side=left", "Type=concentric"]))
        #expect(error.problem == .duplicateField)
        #expect(error.field == "type")
        #expect(error.message == "type is given twice (type=radial, type=concentric); give each field once")
        #expect(parseError("annulargram", ["tear=yes", "tear-side=left", "tearSide=left"])?.problem == .duplicateField)
    }

    @Test("an assignment without = is refused, with the likely field")
    func malformed() throws {
        let error = try #require(parseError("annular-fissure", ["radial"]))
        #expect(error.problem == .malformedAssignment)
        #expect(error.suggestion == "type=radial")
        #expect(
            error.message
                == "\"radial\" is not a field assignment; did you mean type=radial? write name=value, e.g. type=radial")
        let bareField = try #require(parseError("annular-fissure", ["type"]))
        #expect(bareField.message == "\"type\" has no value: write type=<concentric|radial|transverse>")
        let noName = try #require(parseError("hiz", ["=yes"]))
        #expect(noName.problem == .malformedAssignment)
        #expect(noName.message == "\"=yes\" is not a field assignment; write name=value, e.g. present=yes")
    }

    @Test("contradictory fields are refused")
    func conflicts() throws {
        let hiz = try #require(parseError("hiz", ["present=no", "side=left"]))
        #expect(hiz.problem == .conflict)
        #expect(hiz.message == "side describes a present HIZ: drop it or set present=yes")
        #expect(parseError("schmorl", ["present=no", "endplate=upper"])?.problem == .conflict)
        #expect(parseError("annulargram", ["tear=no", "tear-side=left"])?.problem == .conflict)
        #expect(parseError("annulargram", ["tear=yes", "pattern=epidural", "epidural-leak=no"])?.problem == .conflict)
        let canal = try #require(parseError("stenosis", ["location=canal", "side=left", "grade=severe"]))
        #expect(
            canal.message == "canal stenosis has no side: drop side=left, or use location=subarticular or foraminal")
        #expect(
            parseError("stenosis", ["location=foraminal-left", "side=right", "grade=severe"])?.problem == .conflict)
        #expect(parseError("stenosis", ["location=foraminal-left", "side=left", "grade=severe"]) == nil)
        #expect(
            parseError("annular-fissure", ["type=radial", "zones=paracentral", "side=midline"])?.problem == .conflict)
    }

    @Test("present=no records that the reader saw no fissure; anything else with it is a contradiction")
    func absentFissure() throws {
        let finding = try Finding.parse(kind: "annular-fissure", assignments: ["present=no"])
        guard case .annularFissure(let fissure) = finding else {
            Issue.record("not a fissure: \(finding)")
            return
        }
        #expect(!fissure.present && fissure.type == nil && fissure.summary == "no annular fissure")
        #expect(fissure.fields.map(\.name) == ["present"])
        let encoded = String(decoding: try JSONEncoder().encode(fissure), as: UTF8.self)
        #expect(encoded == #"{"present":false}"#)
        #expect(try JSONDecoder().decode(AnnularFissure.self, from: Data(encoded.utf8)) == fissure)
        // A present fissure encodes as it always did: no `present` key.
        let radial = AnnularFissure(type: .radial)
        #expect(String(decoding: try JSONEncoder().encode(radial), as: UTF8.self) == #"{"type":"radial"}"#)
        let conflict = try #require(parseError("annular-fissure", ["present=no", "type=radial"]))
        #expect(conflict.problem == .conflict && conflict.field == "type")
        #expect(parseError("annular-fissure", ["present=yes"])?.problem == .missingField)
    }

    @Test("field specs describe every field: names, allowed values, ranges, required, help")
    func fieldSpecs() throws {
        let names = Dictionary(uniqueKeysWithValues: FindingKind.allCases.map { ($0, $0.fieldSpecs.map(\.name)) })
        #expect(names[.annularFissure] == ["type", "zones", "side", "craniocaudal", "thickness", "present"])
        #expect(
            names[.discography] == [
                "response", "grade", "pain", "pressure", "volume", "description", "control-negative",
            ])
        #expect(names[.annulargram] == ["tear", "pattern", "tear-side", "epidural-leak", "fibrin-volume"])
        for kind in FindingKind.allCases {
            #expect(!kind.fieldSpecs.isEmpty)
            #expect(Set(kind.fieldSpecs.map(\.name)).count == kind.fieldSpecs.count)
            for spec in kind.fieldSpecs {
                #expect(!spec.help.isEmpty)
                #expect(!spec.allowed.isEmpty)
            }
            #expect(try FindingKind.parse(kind.rawValue) == kind)
        }
        let pain = FindingKind.discography.fieldSpecs[2]
        #expect(pain.range == 0...10)
        #expect(pain.rangeText == "0–10")
        #expect(!pain.isRequired)
        #expect(FindingKind.discography.fieldSpecs[0].isRequired)
        #expect(!FindingKind.discography.fieldSpecs[1].isRequired)
        #expect(FindingKind.annulargram.fieldSpecs[4].jsonKey == "fibrinVolume")
        #expect(FindingKind.annulargram.fieldSpecs[4].unit == "mL")
        #expect(FindingKind.stenosis.fieldSpecs[2].allowed == ["normal-mild", "moderate", "severe"])
        #expect(FindingKind.hiz.fieldSpecs[0].allowed == ["yes", "no"])
    }
}
