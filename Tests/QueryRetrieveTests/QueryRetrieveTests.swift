import Testing

import QueryWire
@testable import QueryRetrieve

/// What Annulus sends to a PACS is checked before it leaves, and what a PACS answers is validated before anyone
/// sees it (pure: no network).
@Suite("Query/Retrieve values")
struct QueryRetrieveTests {
    @Test("UIDs, dates, ranges, times and codes as DICOM defines them")
    func values() {
        #expect(DicomValues.isUID("2.25.88656785103808057249997699264727020521"))
        #expect(DicomValues.isUID("1.2.0.3"))
        for bad in ["", "1..2", "1.02", ".1", "1.2.", "1.2.a", String(repeating: "1", count: 65), "1.2\u{0}"] {
            #expect(!DicomValues.isUID(bad), "\(bad)")
        }
        #expect(DicomValues.isDate("20200229") && !DicomValues.isDate("20201301") && !DicomValues.isDate("2020-01-01"))
        for range in ["20200101", "20200101-", "-20201231", "20200101-20201231"] {
            #expect(DicomValues.isDateRange(range), "\(range)")
        }
        for range in ["-", "20201231-20200101", "2020", "20200101-2020", "20200101--20201231"] {
            #expect(!DicomValues.isDateRange(range), "\(range)")
        }
        #expect(DicomValues.isTime("093000") && DicomValues.isTime("0930") && DicomValues.isTime("093000.123"))
        #expect(!DicomValues.isTime("9:30") && !DicomValues.isTime("093000.") && !DicomValues.isTime("0930000"))
        #expect(DicomValues.isCode("MR") && DicomValues.isCode("OT") && !DicomValues.isCode("mr"))
        #expect(!DicomValues.isCode("MR\\CT") && !DicomValues.isCode(""))
    }

    @Test("a query needs a patient ID, an accession number or study UIDs, and sends nothing malformed")
    func queries() {
        #expect(PACSStudyQuery(patientID: "P1", studyDate: "20200101-", modalities: ["MR"]).problems().isEmpty)
        #expect(PACSStudyQuery(patientName: "DOE^*").problems().map(\.field) == ["patientID"])
        #expect(PACSStudyQuery(patientID: "P*").problems().map(\.field) == ["patientID"])
        #expect(PACSStudyQuery(patientID: "P1\\P2").problems().map(\.field) == ["patientID"])
        #expect(PACSStudyQuery(patientID: "P1\u{1b}[2J").problems().map(\.field) == ["patientID"])
        #expect(PACSStudyQuery(patientID: "P1", studyDate: "2020-01-01").problems().map(\.field) == ["studyDate"])
        #expect(PACSStudyQuery(patientID: "P1", modalities: ["M R!"]).problems().map(\.field) == ["modalities"])
        #expect(PACSStudyQuery(studyInstanceUIDs: ["1.2.x"]).problems().map(\.field) == ["studyUIDs"])
        let many = (0...PACSStudyQuery.maximumStudyUIDs).map { "1.2.\($0 + 1)" }
        #expect(PACSStudyQuery(studyInstanceUIDs: many).problems().map(\.field) == ["studyUIDs"])
        #expect(PACSStudyQuery(accessionNumber: String(repeating: "A", count: 17)).problems().count == 1)
        let keys = PACSStudyQuery(patientID: "P1", modalities: ["MR", "RF"], studyInstanceUIDs: ["1.2", "1.3"]).keys
        #expect(keys.first { $0.name == "modalities" }?.value == "MR\\RF")
        #expect(keys.first { $0.name == "study-uid" }?.value == "1.2\\1.3")
    }

    @Test("a match from a PACS: an invalid UID drops it; invalid fields are left out, never passed on")
    func matches() throws {
        let good = try #require(
            FoundStudy(fields: [
                "1.2.3 ", "20260212", "093000", "MR LUMBAR SPINE", "MR\\SR", "ACC-1", "P1", "DOE^JANE", "30",
            ]))
        #expect(good.studyInstanceUID == "1.2.3" && good.modalities == ["MR", "SR"] && good.numberOfInstances == 30)
        #expect(FoundStudy(fields: ["1.2.x", "", "", "", "", "", "", "", ""]) == nil)
        #expect(FoundStudy(fields: ["1.2.3"]) == nil)
        let hostile = try #require(
            FoundStudy(fields: [
                "1.2.3", "2026-02-12", "25:00:00", String(repeating: "X", count: 65), "mr", "A\\B",
                String(repeating: "P", count: 65), String(repeating: "N", count: 200), "-4",
            ]))
        #expect(hostile.studyDate == nil && hostile.studyTime == nil && hostile.studyDescription == nil)
        #expect(hostile.modalities.isEmpty && hostile.accessionNumber == nil && hostile.patientID == nil)
        #expect(hostile.patientName == nil && hostile.numberOfInstances == nil)
    }

    @Test("the wire: any byte survives the line protocol, and no value can split a line or a field")
    func wire() {
        let text = "a\tb\nc%d\u{1b}[31m é \u{7f}"
        let encoded = QueryWire.encode(text)
        #expect(!encoded.contains("\t") && !encoded.contains("\n") && !encoded.contains("\u{1b}"))
        #expect(QueryWire.decode(Substring(encoded)) == text)
        #expect(QueryWire.fields(Substring(QueryWire.line(["x", text, ""]).dropLast())) == ["x", text, ""])
    }

    @Test("a peer is HOST:PORT with AE titles DICOM accepts")
    func peers() throws {
        let parsed = try #require(PACSPeer.parse(hostAndPort: "[::1]:104"))
        #expect(parsed.host == "::1" && parsed.port == 104)
        #expect(PACSPeer.parse(hostAndPort: "pacs:0") == nil && PACSPeer.parse(hostAndPort: "pacs") == nil)
        #expect(PACSPeer(host: "pacs.example.org", port: 104, calledAETitle: "PACS").problems().isEmpty)
        #expect(PACSPeer(host: "pacs;rm", port: 104, calledAETitle: "PACS").problems().count == 1)
        #expect(PACSPeer(host: "pacs", port: 104, calledAETitle: "A\\B").problems().count == 1)
        #expect(PACSPeer(host: "pacs", port: 104, calledAETitle: "PACS", callingAETitle: "").problems().count == 1)
    }

    @Test("move statuses in words; 0xA801 is the unknown destination")
    func statuses() {
        let unknown = StudyMove(
            studyInstanceUID: "1.2", status: 0xA801, completed: 0, failed: 0, warning: 0, errorComment: nil)
        #expect(unknown.destinationUnknown && unknown.statusText == "0xA801")
        #expect(unknown.meaning == "move destination unknown")
        let refused = StudyMove(
            studyInstanceUID: "1.2", status: 0xC000, completed: 0, failed: 0, warning: 0, errorComment: nil)
        #expect(refused.meaning == "unable to process" && refused.statusText == "0xC000")
    }
}
