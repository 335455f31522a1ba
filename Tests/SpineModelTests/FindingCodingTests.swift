import Foundation
import SpineModel
import Testing

@Suite("Findings as JSON: stable shape, round trip, checks on decoding")
struct FindingCodingTests {
    /// One finding of every kind with every field set, and one with only the required fields.
    static let examples: [Finding] = [
        .annularFissure(
            AnnularFissure(
                type: .radial, zones: [.subarticular, .central], side: .left, craniocaudal: .discal, thickness: .full
            )
        ),
        .annularFissure(AnnularFissure(type: .concentric)),
        .hiz(HighIntensityZone(present: true, position: .posterior, side: .midline)),
        .hiz(HighIntensityZone(present: false)),
        .pfirrmann(Pfirrmann(grade: .IV)),
        .modic(Modic(upper: .type1, lower: .mixed1And2)),
        .modic(Modic(lower: .type0)),
        .contour(DiscContour(type: .extrusion, contained: false, migration: true)),
        .contour(DiscContour(type: .normal)),
        .schmorl(SchmorlNode(present: true, endplate: .both)),
        .spondylolisthesis(Spondylolisthesis(grade: .II)),
        .spondylolisthesis(Spondylolisthesis(grade: .grade0)),
        .instability(Instability(present: true, translation: 4.5, angulation: 6)),
        .stenosis(Stenosis(location: .foraminal, side: .left, grade: .moderate)),
        .stenosis(Stenosis(location: .canal, grade: .normalMild)),
        .heightLoss(HeightLoss(percent: 35)),
        .discography(
            Discography(grade: .grade3, response: .concordant, pain: 8, pressure: 15.5, controlNegative: true)),
        .discography(Discography(grade: .grade0, response: .noResponse)),
        .annulargram(
            Annulargram(pattern: .radial, tear: true, tearSide: .right, epiduralLeak: false, fibrinVolume: 2.5)
        ),
        .annulargram(Annulargram(tear: false)),
    ]

    static func json(_ finding: Finding) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(finding), as: UTF8.self)
    }

    @Test("every kind has an example", arguments: FindingKind.allCases)
    func coverage(kind: FindingKind) {
        #expect(Self.examples.contains { $0.kind == kind })
    }

    @Test(
        "encode → decode gives the same finding, and encoding again the same bytes",
        arguments: FindingCodingTests.examples)
    func roundTrip(finding: Finding) throws {
        let first = try JSONEncoder.sorted.encode(finding)
        let decoded = try JSONDecoder().decode(Finding.self, from: first)
        #expect(decoded == finding)
        #expect(try JSONEncoder.sorted.encode(decoded) == first)
        let object = try #require(try JSONSerialization.jsonObject(with: first) as? [String: Any])
        #expect(object["kind"] as? String == finding.kind.rawValue)
        // Every key is "kind" or the JSON key of one of the kind's fields, and every recorded field has its key.
        let keys = Set(finding.kind.fieldSpecs.map(\.jsonKey))
        #expect(Set(object.keys).subtracting(["kind"]).isSubset(of: keys))
        for field in finding.fields {
            let spec = try #require(finding.kind.fieldSpecs.first { $0.name == field.name })
            #expect(object[spec.jsonKey] != nil, "\(spec.jsonKey)")
        }
    }

    @Test("the JSON shape is exactly as documented")
    func shapes() throws {
        #expect(
            try Self.json(Self.examples[0])
                == #"{"craniocaudal":"discal","kind":"annular-fissure","side":"left","thickness":"full","type":"radial","zones":["central","subarticular"]}"#
        )
        #expect(try Self.json(Self.examples[1]) == #"{"kind":"annular-fissure","type":"concentric"}"#)
        #expect(try Self.json(.pfirrmann(Pfirrmann(grade: .IV))) == #"{"grade":4,"kind":"pfirrmann"}"#)
        #expect(try Self.json(Self.examples[5]) == #"{"kind":"modic","lower":"1/2","upper":"1"}"#)
        #expect(
            try Self.json(Self.examples[13])
                == #"{"grade":"moderate","kind":"stenosis","location":"foraminal","side":"left"}"#)
        #expect(
            try Self.json(Self.examples[16])
                == #"{"controlNegative":true,"grade":3,"kind":"discography","pain":8,"pressure":15.5,"response":"concordant"}"#
        )
        #expect(
            try Self.json(Self.examples[18])
                == #"{"epiduralLeak":false,"fibrinVolume":2.5,"kind":"annulargram","pattern":"radial","tear":true,"tearSide":"right"}"#
        )
        #expect(
            try Self.json(.spondylolisthesis(Spondylolisthesis(grade: .grade0)))
                == #"{"grade":0,"kind":"spondylolisthesis"}"#)
        #expect(try Self.json(.heightLoss(HeightLoss(percent: 35))) == #"{"kind":"height-loss","percent":35}"#)
    }

    @Test("decoding checks values as parsing does")
    func decodingChecks() throws {
        func decodeError(_ json: String) -> (any Error)? {
            do {
                _ = try JSONDecoder().decode(Finding.self, from: Data(json.utf8))
                return nil
            } catch {
                return error
            }
        }
        let pain = try #require(
            decodeError(#"{"kind":"discography","grade":2,"response":"none","pain":11}"#) as? SpineValidationError)
        #expect(pain.message == "pain is 0–10, got 11")
        let dallas = try #require(
            decodeError(#"{"kind":"discography","grade":5,"response":"none"}"#) as? SpineValidationError)
        #expect(dallas.problem == .unconfirmed)
        let kind = try #require(decodeError(#"{"kind":"annular-fisure","type":"radial"}"#) as? SpineValidationError)
        #expect(kind.suggestion == "annular-fissure")
        let conflict = try #require(
            decodeError(#"{"kind":"hiz","present":false,"side":"left"}"#) as? SpineValidationError)
        #expect(conflict.problem == .conflict)
        let canal = try #require(
            decodeError(#"{"kind":"stenosis","location":"canal","side":"left","grade":"severe"}"#)
                as? SpineValidationError)
        #expect(canal.problem == .conflict)
        #expect(decodeError(#"{"kind":"modic"}"#) is SpineValidationError)
        #expect(decodeError(#"{"kind":"annular-fissure","type":"radail"}"#) is DecodingError)
        #expect(decodeError(#"{"kind":"height-loss","percent":101}"#) is SpineValidationError)
    }

    @Test("validate() catches values built in code")
    func validateInCode() {
        #expect(
            validationError { () throws(SpineValidationError) in
                try Finding.heightLoss(HeightLoss(percent: -1)).validate()
            }?.problem == .outOfRange)
        #expect(
            validationError { () throws(SpineValidationError) in
                try Finding.instability(Instability(present: true, translation: .nan)).validate()
            } != nil)
        #expect(
            validationError { () throws(SpineValidationError) in
                try Finding.stenosis(Stenosis(location: .foraminal, grade: .severe)).validate()
            }?.problem == .missingField)
        #expect(
            validationError { () throws(SpineValidationError) in
                try Finding.discography(Discography(grade: .grade1, response: .noResponse, pain: 3)).validate()
            } == nil)
    }

    @Test("summaries of findings built in code")
    func summaries() {
        #expect(Self.examples[0].summary == "radial full fissure, central+subarticular left, discal")
        #expect(Self.examples[2].summary == "HIZ posterior midline")
        #expect(Self.examples[6].summary == "Modic lower 0")
        #expect(Self.examples[9].summary == "Schmorl nodes (both endplates)")
        #expect(Self.examples[12].summary == "unstable: 4.5 mm translation, 6° angulation")
        #expect(Self.examples[14].summary == "normal/mild canal stenosis")
        #expect(Self.examples[18].summary == "annulargram radial, tear right, no epidural leak, fibrin 2.5 mL")
        #expect(Self.examples[16].fields.map(\.value) == ["concordant", "3", "8", "15.5 psi", "yes"])
    }
}

extension JSONEncoder {
    /// An encoder with sorted keys.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
