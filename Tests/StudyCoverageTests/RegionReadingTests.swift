import SpineModel
import Testing

@testable import StudyCoverage

/// Which regions header texts name: Body Part Examined terms, descriptions, disc levels written out, garbage.
@Suite("Region reading: body part, descriptions, levels, hostile text")
struct RegionReadingTests {
    @Test(
        "Body Part Examined defined terms and common spellings",
        arguments: [
            ("LSPINE", [SpineRegion.lumbar]), ("lspine", [.lumbar]), ("L-SPINE", [.lumbar]), ("LSSPINE", [.lumbar]),
            ("SSPINE", [.lumbar]), ("SACRUM", [.lumbar]), ("COCCYX", [.lumbar]), ("LUMBAR SPINE", [.lumbar]),
            ("CSPINE", [.cervical]), ("C SPINE", [.cervical]), ("Cervical Spine", [.cervical]),
            ("TSPINE", [.thoracic]), ("DORSAL SPINE", [.thoracic]), ("CTSPINE", [.cervical, .thoracic]),
            ("TLSPINE", [.thoracic, .lumbar]), ("THORACOLUMBAR SPINE", [.thoracic, .lumbar]),
            ("WHOLESPINE", [.cervical, .thoracic, .lumbar]), ("WHOLE SPINE", [.cervical, .thoracic, .lumbar]),
            ("SPINE LUMBAR", [.lumbar]), ("CERVICAL", [.cervical]),
        ] as [(String, [SpineRegion])])
    func bodyParts(_ value: String, _ regions: [SpineRegion]) {
        #expect(RegionReading.bodyPart(value) == Set(regions), "\(value)")
    }

    @Test(
        "values that name no region say nothing",
        arguments: [
            "SPINE", "", "   ", "HEAD", "KNEE", "PELVIS", "CHEST", "ABDOMEN", "NECK", "XYZZY", "12345", "L", "C",
            "\u{0}\u{1B}[31m", "🦴🦴", "LUMBA", "CERVIX",
        ])
    func silentBodyParts(_ value: String) {
        #expect(RegionReading.bodyPart(value).isEmpty, "\(value)")
    }

    @Test(
        "descriptions: region words, abbreviations, pairs, other languages",
        arguments: [
            ("SAG T2 LUMBAR", [SpineRegion.lumbar]), ("MR LUMBAR SPINE WO CONTRAST", [.lumbar]),
            ("C-SPINE", [.cervical]), ("c-spine sag t2", [.cervical]), ("L SPINE AX", [.lumbar]),
            ("T-SPINE SAG STIR", [.thoracic]), ("MRT HWS", [.cervical]), ("MRT LWS NATIV", [.lumbar]),
            ("IRM RACHIS LOMBAIRE", [.lumbar]), ("SAG T2 WHOLE SPINE", [.cervical, .thoracic, .lumbar]),
            ("THORACOLUMBAR JUNCTION", [.thoracic, .lumbar]), ("CERVICAL SPINE", [.cervical]),
            ("THORACIC SPINE SAG", [.thoracic]), ("SAG CERVICAL AND LUMBAR SPINE", [.cervical, .lumbar]),
            ("L4-L5 ANNULARGRAM CINE LAT", [.lumbar]), ("FLUORO L4-L5 DISCOGRAPHY", [.lumbar]),
            ("AX T2 C5/6", [.cervical]), ("AX T2 L5S1", [.lumbar]), ("AX T2 C7-T1", [.cervical]),
            ("AX T2 T12/L1", [.thoracic]), ("AX L4 - L5", [.lumbar]), ("CERVICAL DISC C5-C6", [.cervical]),
        ] as [(String, [SpineRegion])])
    func descriptions(_ text: String, _ regions: [SpineRegion]) {
        #expect(RegionReading.description(text) == Set(regions), "\(text)")
    }

    @Test(
        "descriptions that name no region: weightings, planes, ambiguous words without spine context, garbage",
        arguments: [
            "T2 TSE SAG", "T1 TSE SAG", "SAG T1/T2", "T1-T2 MAP", "T2*", "STIR", "AX T2 FS", "3D T1-3D",
            "CERVICAL CANCER STAGING", "THORACIC AORTA", "DORSAL WRIST", "PELVIS T2", "SPINE", "",
            "\u{1B}]0;evil\u{7}", "L1", "C1-C2", "L6-S1 ??", "LUMBARX", "XLUMBAR",
            String(repeating: "A", count: 100_000),
        ])
    func silentDescriptions(_ text: String) {
        #expect(RegionReading.description(text).isEmpty, "\(text.prefix(40))")
    }

    @Test("ambiguous words count with spine context: from the text or from a spine body part")
    func ambiguousWords() {
        #expect(RegionReading.description("SAG T2 CERVICAL").isEmpty)
        #expect(RegionReading.description("SAG T2 CERVICAL", spineContext: true) == [.cervical])
        #expect(RegionReading.description("CERVICAL SPINE") == [.cervical])
        #expect(RegionReading.description("MYELO THORACIC") == [.thoracic])
        #expect(RegionReading.description("DORSAL C5-C6") == [.cervical, .thoracic], "a level gives spine context")
    }

    @Test("disc levels written out: every separator, short forms, and what is not a level")
    func levels() {
        #expect(RegionReading.levels(in: "L4-L5 L4/5 L5S1 C5 / C6 T10-11") == [.L4L5, .L4L5, .L5S1, .C5C6, .T10T11])
        #expect(RegionReading.levels(in: "T1/T2 T1-T2 T2-T1 C1-C2 L6-S1 L4,L5 L4 L5 T2-FLAIR").isEmpty)
        #expect(RegionReading.levels(in: "S1-S2 L5-L6") == [.S1S2, .L5L6])
    }

    @Test("hostile text: only the first 256 characters are read, whatever the length or content")
    func bounded() {
        let late = String(repeating: "X ", count: 200) + "LUMBAR"
        #expect(RegionReading.description(late).isEmpty, "a word past the first 256 characters is not read")
        let control = "\u{0}LUMBAR\u{1B}[2J"
        #expect(RegionReading.description(control) == [.lumbar], "control characters separate words")
        let bidi = "\u{202E}RABMUL"
        #expect(RegionReading.description(bidi).isEmpty)
        let huge = String(repeating: "L4-L5 ", count: 1_000_000)
        #expect(RegionReading.description(huge) == [.lumbar])
        #expect(RegionReading.bodyPart(String(repeating: "Z", count: 1_000_000)).isEmpty)
        #expect(RegionReading.description("ＬＵＭＢＡＲ").isEmpty, "full-width letters are not ASCII words")
    }
}
