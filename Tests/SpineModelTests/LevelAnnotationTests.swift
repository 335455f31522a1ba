import Foundation
import SpineModel
import Testing

@Suite("Level annotations: stable JSON, round trip, uncertain levels")
struct LevelAnnotationTests {
    static let example = LevelAnnotation(
        level: .L4L5, numberingBasis: .fromSacrum,
        finding: .annularFissure(
            AnnularFissure(
                type: .radial, zones: [.central, .subarticular], side: .left, craniocaudal: .discal, thickness: .full)
        ),
        anchor: ImageAnchor(
            studyInstanceUID: "1.2.3", seriesInstanceUID: "1.2.3.4", sopInstanceUID: "1.2.3.4.5", frame: 1,
            points: [PixelPoint(x: 256.5, y: 300.25)]
        ),
        note: "posterior annulus, see T2/STIR"
    )

    @Test("the JSON is compact, with sorted keys and unescaped slashes")
    func exactBytes() {
        let json = String(decoding: Self.example.encodedJSON(), as: UTF8.self)
        #expect(
            json
                == #"{"anchor":{"frame":1,"points":[{"x":256.5,"y":300.25}],"seriesInstanceUID":"1.2.3.4","#
                + #""sopInstanceUID":"1.2.3.4.5","studyInstanceUID":"1.2.3"},"finding":{"craniocaudal":"discal","#
                + #""kind":"annular-fissure","side":"left","thickness":"full","type":"radial","#
                + #""zones":["central","subarticular"]},"level":"L4-L5","levelUncertain":false,"#
                + #""note":"posterior annulus, see T2/STIR","numberingBasis":"from-sacrum"}"#
        )
    }

    @Test(
        "encode → decode → equal, and the same bytes again, for every finding kind",
        arguments: FindingCodingTests.examples)
    func roundTrip(finding: Finding) throws {
        for level in [DiscLevel.C5C6, .L5S1, .L5L6] {
            let annotation = LevelAnnotation(level: level, numberingBasis: .fromC2, finding: finding)
            let data = annotation.encodedJSON()
            let decoded = try LevelAnnotation.decode(data)
            #expect(decoded == annotation)
            #expect(decoded.encodedJSON() == data)
        }
        var anchored = Self.example
        anchored.finding = finding
        anchored.anchor?.patientPositions = [[-10, -75.5, 0.25]]
        #expect(try LevelAnnotation.decode(anchored.encodedJSON()) == anchored)
    }

    @Test("transitional levels are uncertain, whatever the numbering basis")
    func uncertainty() throws {
        for basis in LevelNumberingBasis.allCases {
            #expect(
                LevelAnnotation(level: .L5L6, numberingBasis: basis, finding: .pfirrmann(Pfirrmann(grade: .II)))
                    .isLevelUncertain)
            #expect(
                LevelAnnotation(level: .S1S2, numberingBasis: basis, finding: .pfirrmann(Pfirrmann(grade: .II)))
                    .isLevelUncertain)
            #expect(
                !LevelAnnotation(level: .L5S1, numberingBasis: basis, finding: .pfirrmann(Pfirrmann(grade: .II)))
                    .isLevelUncertain)
        }
        let annotation = LevelAnnotation(level: .L5L6, finding: .heightLoss(HeightLoss(percent: 10)))
        #expect(annotation.numberingBasis == .unknown)
        let json = String(decoding: annotation.encodedJSON(), as: UTF8.self)
        #expect(
            json
                == #"{"finding":{"kind":"height-loss","percent":10},"level":"L5-L6","levelUncertain":true,"numberingBasis":"unknown"}"#
        )
        // levelUncertain is recomputed, not trusted.
        let forged = Data(
            json.replacingOccurrences(of: #""levelUncertain":true"#, with: #""levelUncertain":false"#).utf8)
        #expect(try LevelAnnotation.decode(forged).isLevelUncertain)
    }

    @Test("decoding refuses bad JSON with a vocabulary error or the path of the problem")
    func decodingErrors() throws {
        func error(_ json: String) -> SpineValidationError? {
            validationError { () throws(SpineValidationError) in try LevelAnnotation.decode(Data(json.utf8)) }
        }
        let level = try #require(
            error(#"{"level":"L6-S1","numberingBasis":"from-C2","finding":{"kind":"pfirrmann","grade":2}}"#))
        #expect(level.problem == .unknownLevel)
        #expect(level.suggestion == "L5-S1")
        let pain = try #require(
            error(
                #"{"level":"L4-L5","numberingBasis":"from-C2","finding":{"kind":"discography","grade":2,"response":"none","pain":12}}"#
            ))
        #expect(pain.message == "pain is 0–10, got 12")
        let missing = try #require(error(#"{"level":"L4-L5","finding":{"kind":"pfirrmann","grade":2}}"#))
        #expect(missing.problem == .malformedData)
        #expect(missing.field == "numberingBasis")
        #expect(missing.message == "annotation JSON is not valid at numberingBasis: missing")
        let badValue = try #require(
            error(#"{"level":"L4-L5","numberingBasis":"from-C2","finding":{"kind":"annular-fissure","type":"radail"}}"#)
        )
        #expect(badValue.problem == .malformedData)
        #expect(badValue.field == "finding.type")
        let anchor = try #require(
            error(
                #"{"level":"L4-L5","numberingBasis":"from-C2","finding":{"kind":"pfirrmann","grade":2},"anchor":{"studyInstanceUID":"1.2","seriesInstanceUID":"1.3","sopInstanceUID":"1.4","frame":0,"points":[{"x":1,"y":1}]}}"#
            ))
        #expect(anchor.problem == .invalidAnchor)
        #expect(error("not json")?.problem == .malformedData)
    }
}
