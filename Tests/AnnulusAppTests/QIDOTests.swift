import AnnulusApp
import AnnulusRecords
import Foundation
import Store
import Testing

@Suite("QIDO-RS query parsing and matching")
struct QIDOMatcherTests {
    private func key(_ name: String, _ value: String, level: QIDOLevel = .instance) throws -> QIDOKey {
        try #require(try QIDOQuery.parse(level: level, parameters: [(name, value)]).keys.first)
    }

    private func error(_ level: QIDOLevel = .study, _ parameters: [(String, String)]) -> AppError? {
        do {
            _ = try QIDOQuery.parse(level: level, parameters: parameters.map { (name: $0.0, value: $0.1) })
            return nil
        } catch { return error }
    }

    @Test("wildcards: * any run, ? one character, literal otherwise; no exponential backtracking")
    func wildcards() {
        #expect(QIDOMatcher.wildcard("DOE*", matches: "DOE^JOHN"))
        #expect(QIDOMatcher.wildcard("*JOHN", matches: "DOE^JOHN"))
        #expect(QIDOMatcher.wildcard("D?E^*", matches: "DOE^J"))
        #expect(!QIDOMatcher.wildcard("D?E", matches: "DE"))
        #expect(QIDOMatcher.wildcard("*", matches: ""))
        #expect(QIDOMatcher.wildcard("a*b*c", matches: "aXbYbZc"))
        #expect(!QIDOMatcher.wildcard("a*b*c", matches: "aXbYbZ"))
        #expect(!QIDOMatcher.wildcard("DOE", matches: "DOE^JOHN"))
        #expect(QIDOMatcher.wildcard("DOE", matches: "DOE"))
        #expect(!QIDOMatcher.wildcard("doe*", matches: "DOE^JOHN"))
        let long = String(repeating: "a", count: 4000)
        #expect(!QIDOMatcher.wildcard(String(repeating: "*a", count: 200) + "b", matches: long))
    }

    @Test("keys by keyword or tag; unknown, misspelt, unheld, return-only and lower-level keys are refused")
    func keys() throws {
        #expect(try key("PatientID", "P1").attribute.tag == "00100020")
        #expect(try key("00100020", "P1").attribute.keyword == "PatientID")
        #expect(try key("0020000d", "1.2.3").attribute.keyword == "StudyInstanceUID")
        let misspelt = try #require(error(.study, [("patientid", "P1")]))
        #expect(misspelt.code == "bad-query" && misspelt.suggestion == "PatientID" && misspelt.kind == .invalidInput)
        #expect(error(.study, [("Colour", "red")])?.message.contains("unknown query parameter") == true)
        #expect(error(.study, [("ReferringPhysicianName", "X")])?.message.contains("does not hold") == true)
        #expect(error(.study, [("NumberOfStudyRelatedSeries", "3")])?.message.contains("only returned") == true)
        #expect(error(.study, [("Modality", "MR")])?.message.contains("series searches") == true)
        #expect(error(.study, [("PatientID", "A"), ("PatientID", "B")])?.message.contains("more than once") == true)
        #expect(error(.study, [("00100010.00100020", "A")])?.message.contains("sequences") == true)
        #expect(error(.study, [("limit", "0")])?.field == "limit")
        #expect(error(.study, [("offset", "-1")])?.field == "offset")
        #expect(error(.study, [("fuzzymatching", "yes")])?.field == "fuzzymatching")
        #expect(error(.study, [("includefield", "NoSuchKeyword")])?.field == "includefield")
    }

    @Test("values are checked by VR: UIDs, dates and date ranges, times, integers")
    func values() throws {
        #expect(try key("StudyInstanceUID", "1.2.3,1.2.4").condition == .uids(["1.2.3", "1.2.4"]))
        #expect(try key("StudyInstanceUID", "1.2.3\\1.2.4").condition == .uids(["1.2.3", "1.2.4"]))
        #expect(error(.study, [("StudyInstanceUID", "1.2.*")])?.field == "StudyInstanceUID")
        #expect(try key("StudyDate", "20240101").condition == .dates(from: "20240101", to: "20240101"))
        #expect(try key("StudyDate", "20240101-").condition == .dates(from: "20240101", to: nil))
        #expect(try key("StudyDate", "-20240101").condition == .dates(from: nil, to: "20240101"))
        #expect(error(.study, [("StudyDate", "2024-01-01")]) != nil)
        #expect(error(.study, [("StudyDate", "20240201-20240101")]) != nil)
        #expect(error(.study, [("StudyDate", "2024*")]) != nil)
        #expect(try key("SeriesNumber", "7").condition == .integer(7))
        #expect(error(.series, [("SeriesNumber", "x")]) != nil)
        #expect(try key("PatientID", "").condition == .universal)
        #expect(try key("PatientID", "*").condition == .universal)
        #expect(try key("ModalitiesInStudy", "MR,CT").condition == .patterns(["MR", "CT"]))
        #expect(error(.study, [("PatientID", "a\u{7}b")]) != nil)
    }

    @Test("matching: exact and case-sensitive text, dates and times in ranges, absent values fail all but universal")
    func matching() throws {
        #expect(QIDOMatcher.matches(["P1"], try key("PatientID", "P1"), fuzzy: false))
        #expect(!QIDOMatcher.matches(["p1"], try key("PatientID", "P1"), fuzzy: false))
        #expect(QIDOMatcher.matches(["PX-17"], try key("PatientID", "PX-*"), fuzzy: false))
        #expect(!QIDOMatcher.matches([""], try key("PatientID", "PX-*"), fuzzy: false))
        #expect(QIDOMatcher.matches([""], try key("PatientID", ""), fuzzy: false))
        #expect(QIDOMatcher.matches(["20240115"], try key("StudyDate", "20240101-20240131"), fuzzy: false))
        #expect(!QIDOMatcher.matches(["20240201"], try key("StudyDate", "20240101-20240131"), fuzzy: false))
        #expect(!QIDOMatcher.matches([""], try key("StudyDate", "-20240131"), fuzzy: false))
        #expect(QIDOMatcher.matches(["123015.5"], try key("StudyTime", "12-13"), fuzzy: false))
        #expect(QIDOMatcher.matches(["135959"], try key("StudyTime", "12-13"), fuzzy: false))
        #expect(!QIDOMatcher.matches(["140000"], try key("StudyTime", "12-13"), fuzzy: false))
        #expect(QIDOMatcher.matches(["CT", "MR"], try key("ModalitiesInStudy", "MR"), fuzzy: false))
        #expect(QIDOMatcher.matches(["CT"], try key("ModalitiesInStudy", "MR\\CT"), fuzzy: false))
        #expect(QIDOMatcher.matches(["7"], try key("SeriesNumber", "7"), fuzzy: false))
        #expect(QIDOMatcher.matches([" 7"], try key("SeriesNumber", "07"), fuzzy: false))
        #expect(QIDOMatcher.matches(["1.2.4"], try key("SOPInstanceUID", "1.2.3,1.2.4"), fuzzy: false))
    }

    @Test("person names: component groups, trailing separators; fuzzy ignores case and accents, matches a component")
    func personNames() throws {
        let name = try key("PatientName", "Doe^John")
        #expect(QIDOMatcher.matches(["Doe^John^^^"], name, fuzzy: false))
        #expect(QIDOMatcher.matches(["Doe^John=ドウ^ジョン"], name, fuzzy: false))
        #expect(!QIDOMatcher.matches(["DOE^JOHN"], name, fuzzy: false))
        #expect(QIDOMatcher.matches(["DOE^JOHN"], name, fuzzy: true))
        #expect(QIDOMatcher.matches(["Müller^Zoë"], try key("PatientName", "muller^zoe"), fuzzy: true))
        #expect(!QIDOMatcher.matches(["Müller^Zoë"], try key("PatientName", "muller^zoe"), fuzzy: false))
        #expect(QIDOMatcher.matches(["Doe^John"], try key("PatientName", "john"), fuzzy: true))
        #expect(!QIDOMatcher.matches(["Doe^John"], try key("PatientName", "john"), fuzzy: false))
        #expect(QIDOMatcher.matches(["Doe^John"], try key("PatientName", "d*"), fuzzy: true))
        #expect(QIDOMatcher.matches(["Doe^John"], try key("PatientName", "Doe^J*"), fuzzy: false))
    }

    @Test("limit is capped at the maximum and says so; includefield takes keywords, tags and all")
    func paging() throws {
        let query = try QIDOQuery.parse(
            level: .study,
            parameters: [
                ("limit", "5000"), ("offset", "20"), ("includefield", "StudyDescription,00181030"),
                ("includefield", "all"), ("includefield", "7FE00010"),
            ])
        #expect(query.limit == QIDOQuery.maximumLimit && query.limitCapped && query.offset == 20)
        #expect(query.includeAll && query.included == ["00081030", "00181030"])
    }
}

@Suite("QIDO-RS search use case")
struct QIDOSearchUseCaseTests {
    static let reader = Principal.cliUser("reader")
    static let base = "http://example.test/dicomweb"

    /// Indexes one instance of `study` (series `study.<series>`, instance `study.<series>.<number>`).
    private func index(
        _ store: AnnulusStore, study: String, series: Int = 1, instance: Int = 1, patient: String = "SYNTH-0001",
        name: String = "Phantom^Lumbar", date: String = "20240101", modality: String = "MR",
        description: String = "MR LUMBAR SPINE", seed: Int
    ) throws {
        let hex = String(seed, radix: 16)
        _ = try store.ingest(
            InstanceRecord(
                sopInstanceUID: "\(study).\(series).\(instance)", sopClassUID: "1.2.840.10008.5.1.4.1.1.4",
                studyInstanceUID: study, seriesInstanceUID: "\(study).\(series)", patientID: patient,
                patientName: name, studyDate: date, studyTime: "101500", accessionNumber: "ACC\(seed)",
                studyDescription: description, modality: modality, seriesNumber: series,
                seriesDescription: "SAG T2", instanceNumber: instance, rows: 64, columns: 64,
                path: "/exports/\(seed).dcm", fileSize: 1024,
                contentSHA256: String(repeating: "0", count: 64 - hex.count) + hex))
    }

    private func search(
        _ app: UseCases, _ level: QIDOLevel, _ parameters: [(String, String)], scope: QIDOScope = QIDOScope()
    ) async throws -> QIDOResult {
        let query = try QIDOQuery.parse(level: level, parameters: parameters.map { (name: $0.0, value: $0.1) })
        return try await app.searchDICOMweb(query, in: scope, baseURL: Self.base, by: Self.reader)
    }

    private func uids(_ result: QIDOResult, _ tag: String = "0020000D") -> [String] {
        result.objects.compactMap { object -> String? in
            guard case .string(let uid) = object[tag]?.values.first else { return nil }
            return uid
        }
    }

    @Test("studies: the standard return attributes with counts, Retrieve URL and PN as Alphabetic")
    func studyAttributes() async throws {
        let fixture = try await AppFixture(ingest: false)
        try index(fixture.store, study: "1.2.10", series: 1, seed: 1)
        try index(fixture.store, study: "1.2.10", series: 2, modality: "CT", seed: 2)
        try index(fixture.store, study: "1.2.10", series: 2, instance: 2, modality: "CT", seed: 3)
        let result = try await search(fixture.useCases, .study, [])
        let object = try #require(result.objects.first)
        #expect(object["00201206"] == DICOMJSONAttribute(vr: "IS", values: [.number(2)]))
        #expect(object["00201208"] == DICOMJSONAttribute(vr: "IS", values: [.number(3)]))
        #expect(object["00080061"] == DICOMJSONAttribute(vr: "CS", values: [.string("CT"), .string("MR")]))
        #expect(object["00081190"] == DICOMJSONAttribute(vr: "UR", values: [.string(Self.base + "/studies/1.2.10")]))
        #expect(object["00100010"] == DICOMJSONAttribute(vr: "PN", values: [.personName("Phantom^Lumbar")]))
        #expect(object["00080056"] == DICOMJSONAttribute(vr: "CS", values: [.string("ONLINE")]))
        #expect(object["00081030"] == nil, "Study Description only with includefield")
        let included = try await search(fixture.useCases, .study, [("includefield", "StudyDescription")])
        #expect(included.objects.first?["00081030"]?.values == [.string("MR LUMBAR SPINE")])
        let data = try JSONEncoder().encode(included.objects)
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        let name = (json[0]["00100010"] as? [String: Any])?["Value"] as? [[String: String]]
        #expect(name == [["Alphabetic": "Phantom^Lumbar"]])
    }

    @Test("paging by offset visits every match once and ends with an empty page (get_remaining's loop)")
    func paging() async throws {
        let fixture = try await AppFixture(ingest: false)
        for n in 0..<23 {
            try index(fixture.store, study: "1.2.\(100 + n)", date: String(20240101 + n), seed: n + 1)
        }
        var seen: [String] = []
        var offset = 0
        var pages = 0
        while pages < 20 {
            let page = try await search(
                fixture.useCases, .study, [("limit", "5"), ("offset", String(offset)), ("PatientID", "SYNTH-0001")])
            pages += 1
            if page.objects.isEmpty { break }
            #expect(page.hasMore == (offset + 5 < 23))
            seen += uids(page)
            offset += page.objects.count
        }
        #expect(pages == 6)
        #expect(seen.count == 23 && Set(seen).count == 23)
        #expect(seen.first == "1.2.122", "newest first")
    }

    @Test("criteria: wildcards, fuzzy names, UID lists, date ranges and modality combine")
    func criteria() async throws {
        let fixture = try await AppFixture(ingest: false)
        try index(fixture.store, study: "1.3.1", patient: "PX-1", name: "Doe^John", date: "20230105", seed: 1)
        try index(fixture.store, study: "1.3.2", patient: "PX-2", name: "Müller^Zoë", date: "20240105", seed: 2)
        try index(
            fixture.store, study: "1.3.3", patient: "QY-3", name: "Roe^Jane", date: "20240305", modality: "CR",
            description: "XR LUMBAR", seed: 3)
        let app = fixture.useCases
        #expect(Set(uids(try await search(app, .study, [("PatientID", "PX-*")]))) == ["1.3.1", "1.3.2"])
        #expect(
            uids(try await search(app, .study, [("PatientName", "muller*"), ("fuzzymatching", "true")])) == ["1.3.2"])
        #expect(uids(try await search(app, .study, [("PatientName", "muller*")])).isEmpty)
        #expect(uids(try await search(app, .study, [("StudyDate", "20240101-")])) == ["1.3.3", "1.3.2"])
        #expect(uids(try await search(app, .study, [("StudyInstanceUID", "1.3.1,1.3.3")])) == ["1.3.3", "1.3.1"])
        #expect(uids(try await search(app, .study, [("ModalitiesInStudy", "CR")])) == ["1.3.3"])
        #expect(uids(try await search(app, .study, [("StudyDescription", "XR*")])) == ["1.3.3"])
        #expect(uids(try await search(app, .study, [("AccessionNumber", "ACC2")])) == ["1.3.2"])
        #expect(uids(try await search(app, .study, [("00100020", "QY-3"), ("StudyDate", "-20231231")])).isEmpty)
        #expect(uids(try await search(app, .study, [("00100020", "QY-3"), ("StudyDate", "20240305")])) == ["1.3.3"])
    }

    @Test("series and instances: within a study or series, with series and instance keys; unknown study is empty")
    func lowerLevels() async throws {
        let fixture = try await AppFixture(ingest: false)
        try index(fixture.store, study: "1.4.1", series: 1, instance: 1, seed: 1)
        try index(fixture.store, study: "1.4.1", series: 1, instance: 2, seed: 2)
        try index(fixture.store, study: "1.4.1", series: 2, instance: 1, modality: "CT", seed: 3)
        try index(fixture.store, study: "1.4.2", series: 1, instance: 1, seed: 4)
        let app = fixture.useCases
        let series = try await search(app, .series, [], scope: QIDOScope(studyUID: "1.4.1"))
        #expect(uids(series, "0020000E") == ["1.4.1.1", "1.4.1.2"])
        #expect(series.objects[0]["00201209"]?.values == [.number(2)])
        #expect(series.objects[0]["00100020"] == nil, "study attributes only when the study is not fixed")
        #expect(
            series.objects[1]["00081190"]?.values == [.string(Self.base + "/studies/1.4.1/series/1.4.1.2")])
        #expect(
            uids(try await search(app, .series, [("Modality", "CT")], scope: QIDOScope(studyUID: "1.4.1")), "0020000E")
                == ["1.4.1.2"])
        let all = try await search(app, .series, [("Modality", "MR")])
        #expect(Set(uids(all, "0020000E")) == ["1.4.1.1", "1.4.2.1"])
        #expect(all.objects.allSatisfy { $0["00100020"] != nil && $0["00201206"] != nil })
        let instances = try await search(app, .instance, [], scope: QIDOScope(studyUID: "1.4.1"))
        #expect(uids(instances, "00080018") == ["1.4.1.1.1", "1.4.1.1.2", "1.4.1.2.1"])
        #expect(instances.objects[0]["00080060"]?.values == [.string("MR")], "series attributes in a study search")
        #expect(instances.objects[0]["00280010"]?.values == [.number(64)])
        let one = try await search(
            app, .instance, [("InstanceNumber", "2")], scope: QIDOScope(studyUID: "1.4.1", seriesUID: "1.4.1.1"))
        #expect(uids(one, "00080018") == ["1.4.1.1.2"])
        #expect(one.objects[0]["00080060"] == nil)
        #expect(
            one.objects[0]["00081190"]?.values
                == [.string(Self.base + "/studies/1.4.1/series/1.4.1.1/instances/1.4.1.1.2")])
        #expect(try await search(app, .series, [], scope: QIDOScope(studyUID: "9.9.9")).objects.isEmpty)
        let paged = try await search(
            app, .instance, [("limit", "2"), ("offset", "2")], scope: QIDOScope(studyUID: "1.4.1"))
        #expect(uids(paged, "00080018") == ["1.4.1.2.1"] && !paged.hasMore)
    }
}
