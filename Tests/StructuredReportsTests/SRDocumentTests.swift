import DicomIO
import Findings
import Foundation
import ProcessTestSupport
import StructuredReports
import Testing

/// The SR writer and reader through DCMTK, checked by independent tools: dciodvfy (dicom3tools) for the IOD,
/// dsrdump for DCMTK's own reading, highdicom (Python) for the TID 1500 content.
@Suite struct SRDocumentTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let slice = packageRoot + "/SampleStudies/patient2-lumbar-mr/series-01-sag-t2/IM0006.dcm"
    static let cine = packageRoot + "/SampleStudies/patient1-fluoroscopy/series-01-rf-cine/IM0001.dcm"

    /// The study, series, class and instance of a sample file.
    struct Sample {
        var study: String
        var series: String
        var sopClass: String
        var instance: String

        init(_ path: String) throws {
            let dataset = try DicomFile(path: path).dataset
            study = dataset.string(.studyInstanceUID) ?? ""
            series = dataset.string(.seriesInstanceUID) ?? ""
            sopClass = dataset.string(.sopClassUID) ?? ""
            instance = dataset.string(.sopInstanceUID) ?? ""
        }

        func image(frame: Int? = nil) -> SRImageReference {
            SRImageReference(seriesInstanceUID: series, sopClassUID: sopClass, sopInstanceUID: instance, frame: frame)
        }
    }

    static func identity(_ sample: Sample, instance: String = "2.25.1001", predecessors: [SRImageReference] = [])
        -> SRDocumentIdentity
    {
        SRDocumentIdentity(
            studyInstanceUID: sample.study, seriesInstanceUID: "2.25.2002", sopInstanceUID: instance,
            seriesNumber: 9001,
            instanceNumber: 1 + predecessors.count, seriesDescription: "Annulus findings", contentDate: "20261206",
            contentTime: "120000", predecessors: predecessors)
    }

    static func report(_ sample: Sample, verified: Bool, predecessors: [SRImageReference] = []) -> SRFindingsReport {
        let fissure = SRFindingGroup(
            trackingIdentifier: "L4-L5 annular fissure", trackingUID: "2.25.3003",
            finding: SRCode("annular-fissure", "99ANNULUS", "Annular fissure"),
            site: SRCode("84020006", "SCT", "L4-L5 intervertebral disc"),
            region: SRImageRegion(image: sample.image(), points: [(x: 120.5, y: 200.25)]),
            evaluations: [
                SREvaluation(
                    SRCode("annular-fissure.type", "99ANNULUS", "type"),
                    .code(SRCode("annular-fissure.type.radial", "99ANNULUS", "radial"))),
                SREvaluation(SRCode("note", "99ANNULUS", "Reader note"), .text("posterior annulus — ünïcode")),
            ])
        let contour = SRFindingGroup(
            trackingIdentifier: "L5-S1 disc contour", trackingUID: "2.25.3004",
            finding: SRCode("contour", "99ANNULUS", "Disc contour"),
            site: SRCode("715056000", "SCT", "L5-S1 intervertebral disc"),
            region: SRImageRegion(
                image: sample.image(), points: [(x: 100, y: 150), (x: 110, y: 160.5), (x: 120, y: 150)]),
            evaluations: [])
        let grade = SRFindingGroup(
            trackingIdentifier: "L3-L4 pfirrmann grade", trackingUID: "2.25.3005",
            finding: SRCode("pfirrmann", "99ANNULUS", "Pfirrmann grade"),
            site: SRCode("62551000", "SCT", "L3-L4 intervertebral disc"), region: nil,
            evaluations: [
                SREvaluation(
                    SRCode("RDES281", "RADELEMENT", "Pfirrmann classification"),
                    .code(SRCode("pfirrmann.grade.3", "99ANNULUS", "3")))
            ])
        return SRFindingsReport(
            identity: identity(sample, predecessors: predecessors), observers: ["Reader^Rita"], organization: "Clinic",
            deviceUID: "2.25.4004", deviceName: "Annulus", softwareVersion: "0.9.0",
            procedure: SRCode("18748-4", "LN", "Diagnostic imaging study"), groups: [fissure, contour, grade],
            evaluations: [
                SREvaluation(SRCode("candidacy", "99ANNULUS", "Candidacy"), .text("candidate at L4-L5")),
                SREvaluation(SRCode("disclaimer", "99ANNULUS", "Disclaimer"), .text("Decision support only.")),
            ],
            verifiers: verified
                ? [SRVerifier(name: "Reader^Rita", organization: "Clinic", dateTime: "20261206115900")] : [],
            completionDescription: "All signed",
            schemes: [
                SRCodingScheme(
                    designator: "99ANNULUS", name: "Annulus",
                    url: "https://annulus.example/fhir/CodeSystem/spine-findings",
                    responsibleOrganization: "Annulus")
            ])
    }

    static func temporaryFolder() -> String {
        let path = NSTemporaryDirectory() + "annulus-sr-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Runs a tool, returning its exit code and output (stdout and stderr).
    static func run(_ tool: String, _ arguments: [String]) throws -> (Int32, String) {
        let log = temporaryFolder() + "/out.txt"
        let status = try ChildProcess.run(tool, arguments, output: log, timeout: 120)
        return (status, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
    }

    static func which(_ tool: String) -> String? {
        ["/usr/bin/", "/usr/local/bin/"].map { $0 + tool }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    @Test func verifiedReportPassesDciodvfyAndReadsBack() throws {
        let sample = try Sample(Self.slice)
        let folder = Self.temporaryFolder()
        let path = folder + "/report.dcm"
        try SRDocumentEncoder.encode(Self.report(sample, verified: true), studyFile: Self.slice).write(
            to: URL(fileURLWithPath: path))

        if let dciodvfy = Self.which("dciodvfy") {
            let (_, output) = try Self.run(dciodvfy, [path])
            let errors = output.split(separator: "\n").filter { $0.hasPrefix("Error") }
            #expect(errors.isEmpty, "dciodvfy: \(errors)")
            #expect(output.contains("EnhancedSR"))
        } else {
            Issue.record("dciodvfy is missing: install dicom3tools (scripts/install-deps)")
        }
        let (status, dump) = try Self.run(Self.which("dsrdump") ?? "/usr/bin/dsrdump", [path])
        #expect(status == 0)
        #expect(dump.contains("Verification Flag   : VERIFIED"))
        #expect(dump.contains("Tracking Identifier\")=\"L4-L5 annular fissure\""))

        let tree = try SRDocumentReader().read(path: path)
        #expect(tree.sopClassUID == "1.2.840.10008.5.1.4.1.1.88.22")
        #expect(tree.studyInstanceUID == sample.study)
        #expect(tree.sopInstanceUID == "2.25.1001")
        #expect(tree.verification == "VERIFIED" && tree.completion == "COMPLETE")
        #expect(tree.root.template == "1500")
        let groups = tree.root.descendants(named: SRCode("125007", "DCM", ""))
        #expect(groups.map(\.template) == ["1410", "1410", "1501"])
        let fissure = try #require(groups.first)
        #expect(fissure.children(named: SRCode("112039", "DCM", "")).first?.string == "L4-L5 annular fissure")
        #expect(fissure.children(named: SRCode("112040", "DCM", "")).first?.string == "2.25.3003")
        let region = try #require(fissure.children(named: SRCode("111030", "DCM", "")).first)
        #expect(region.value == .coordinates(graphicType: "POINT", points: [(x: 120.5, y: 200.25)]))
        #expect(
            region.children.first?.value
                == .reference(sopClassUID: sample.sopClass, sopInstanceUID: sample.instance, frames: []))
        #expect(fissure.children(named: SRCode("note", "99ANNULUS", "")).first?.string == "posterior annulus — ünïcode")
        // The patient came from the study's file, not from Annulus's values.
        let written = try DicomFile(path: path).dataset
        let source = try DicomFile(path: Self.slice).dataset
        #expect(written.string(DicomTag(0x0010, 0x0020)) == source.string(DicomTag(0x0010, 0x0020)))
        #expect(written.string(DicomTag(0x0010, 0x0010)) == source.string(DicomTag(0x0010, 0x0010)))
    }

    @Test func unverifiedReportIsPartialAndPreliminaryWithItsPredecessor() throws {
        let sample = try Sample(Self.slice)
        let old = SRImageReference(
            seriesInstanceUID: "2.25.2002", sopClassUID: "1.2.840.10008.5.1.4.1.1.88.22", sopInstanceUID: "2.25.999")
        let path = Self.temporaryFolder() + "/report.dcm"
        try SRDocumentEncoder.encode(Self.report(sample, verified: false, predecessors: [old]), studyFile: Self.slice)
            .write(to: URL(fileURLWithPath: path))
        let tree = try SRDocumentReader().read(path: path)
        #expect(tree.verification == "UNVERIFIED" && tree.completion == "PARTIAL")
        let dataset = try DicomFile(path: path).dataset
        #expect(dataset.string(DicomTag(0x0040, 0xA496)) == "PRELIMINARY")
        let (_, dump) = try Self.run(Self.which("dsrdump") ?? "/usr/bin/dsrdump", [path])
        #expect(dump.contains("Predecessor Docs    : 1"))
    }

    @Test func keyObjectSelectionReferencesTheFrameOfACine() throws {
        let cine = try Sample(Self.cine)
        let keyObjects = SRKeyObjects(
            identity: Self.identity(cine, instance: "2.25.1002"), description: "Images with findings",
            images: [cine.image(frame: 7)], softwareVersion: "0.9.0")
        let path = Self.temporaryFolder() + "/kos.dcm"
        try SRDocumentEncoder.encode(keyObjects, studyFile: Self.cine).write(to: URL(fileURLWithPath: path))
        if let dciodvfy = Self.which("dciodvfy") {
            let (_, output) = try Self.run(dciodvfy, [path])
            #expect(!output.contains("\nError") && !output.hasPrefix("Error"), "dciodvfy: \(output)")
            #expect(output.contains("KeyObjectSelectionDocument"))
        }
        let tree = try SRDocumentReader().read(path: path)
        #expect(tree.sopClassUID == "1.2.840.10008.5.1.4.1.1.88.59")
        #expect(tree.root.concept == SRCode("113000", "DCM", "Of Interest"))
        #expect(
            tree.root.children.last?.value
                == .reference(sopClassUID: cine.sopClass, sopInstanceUID: cine.instance, frames: [7]))
    }

    @Test func highdicomReadsTheReportAsAMeasurementReport() throws {
        guard let python = Self.peersPython() else {
            print("skipped: highdicom is not available (scripts/peers-venv could not install it from PyPI)")
            return
        }
        let sample = try Sample(Self.slice)
        let folder = Self.temporaryFolder()
        try SRDocumentEncoder.encode(Self.report(sample, verified: true), studyFile: Self.slice).write(
            to: URL(fileURLWithPath: folder + "/report.dcm"))
        let keyObjects = SRKeyObjects(
            identity: Self.identity(sample, instance: "2.25.1002"), description: "Images with findings",
            images: [sample.image()], softwareVersion: "0.9.0")
        try SRDocumentEncoder.encode(keyObjects, studyFile: Self.slice).write(
            to: URL(fileURLWithPath: folder + "/kos.dcm"))
        let script = Self.packageRoot + "/Tests/StructuredReportsTests/read_sr.py"
        let (status, output) = try Self.run(python, [script, folder + "/report.dcm", folder + "/kos.dcm"])
        #expect(status == 0, "\(output)")
        let json = try #require(
            JSONSerialization.jsonObject(with: Data((output.split(separator: "\n").last ?? "").utf8)) as? [String: Any])
        #expect(json["class"] as? String == "EnhancedSR")
        #expect(json["content"] as? String == "MeasurementReport")
        let planar = json["planar"] as? [[String: Any]] ?? []
        #expect(planar.map { $0["trackingIdentifier"] as? String } == ["L4-L5 annular fissure", "L5-S1 disc contour"])
        #expect(planar.map { $0["graphicType"] as? String } == ["POINT", "POLYLINE"])
        #expect(planar.first?["image"] as? String == sample.instance)
        #expect((planar.first?["sites"] as? [[String]])?.first == ["84020006", "SCT", "L4-L5 intervertebral disc"])
        let image = json["image"] as? [[String: Any]] ?? []
        #expect(image.map { $0["trackingUID"] as? String } == ["2.25.3005"])
        #expect(
            (image.first?["evaluations"] as? [[[String]]])?.first
                == [["RDES281", "RADELEMENT", "Pfirrmann classification"], ["pfirrmann.grade.3", "99ANNULUS", "3"]])
        let keys = json["keyObjects"] as? [String: Any]
        #expect(keys?["images"] as? [String] == [sample.instance])
    }

    @Test func badContentIsRefusedNamingTheField() throws {
        let sample = try Sample(Self.slice)
        var report = Self.report(sample, verified: true)
        report.groups[1].finding = SRCode("contour", "", "Disc contour")
        #expect {
            try SRDocumentEncoder.encode(report, studyFile: Self.slice)
        } throws: { error in
            (error as? SRError)?.reason.contains("group 2 (L5-S1 disc contour) finding") == true
        }
        #expect {
            try SRDocumentEncoder.encode(Self.report(sample, verified: true), studyFile: "/nonexistent/file.dcm")
        } throws: { error in
            (error as? SRError)?.reason.contains("/nonexistent/file.dcm") == true
        }
        report = Self.report(sample, verified: true)
        report.identity.sopInstanceUID = "not a uid"
        #expect(throws: SRError.self) { try SRDocumentEncoder.encode(report, studyFile: Self.slice) }
    }

    @Test func hostileFilesAreRefusedWithAReason() throws {
        let folder = Self.temporaryFolder()
        let text = folder + "/text.dcm"
        try Data("not dicom at all".utf8).write(to: URL(fileURLWithPath: text))
        let sample = try Sample(Self.slice)
        let report = folder + "/report.dcm"
        let bytes = try SRDocumentEncoder.encode(Self.report(sample, verified: true), studyFile: Self.slice)
        try bytes.write(to: URL(fileURLWithPath: report))
        let truncated = folder + "/truncated.dcm"
        try bytes.prefix(bytes.count * 2 / 3).write(to: URL(fileURLWithPath: truncated))
        for path in [text, Self.slice, folder, folder + "/missing.dcm"] {
            #expect(throws: SRError.self, "\(path)") { try SRDocumentReader().read(path: path) }
        }
        // A truncated report is refused or read partially, never a crash; a reader with small limits refuses it.
        _ = try? SRDocumentReader().read(path: truncated)
        var small = SRDocumentReader()
        small.maxItems = 5
        #expect { try small.read(path: report) } throws: { ($0 as? SRError)?.reason.contains("more than 5") == true }
        small = SRDocumentReader()
        small.maxFileSize = 1000
        #expect { try small.read(path: report) } throws: { ($0 as? SRError)?.reason.contains("at most 1000") == true }
    }

    @Test func everyCorpusFileIsReadOrRefusedWithAReason() throws {
        let corpus = Self.packageRoot + "/../shared/corpus"
        guard let files = FileManager.default.enumerator(atPath: corpus)?.compactMap({ $0 as? String }) else {
            print("skipped: the shared corpus is not at \(corpus)")
            return
        }
        var read = 0
        var refused = 0
        for file in files.sorted() where !file.hasSuffix(".csv") {
            let path = corpus + "/" + file
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue else {
                continue
            }
            do {
                let tree = try SRDocumentReader().read(path: path)
                #expect(!tree.sopInstanceUID.isEmpty, "\(file)")
                read += 1
            } catch {
                #expect(!error.reason.isEmpty, "\(file)")
                refused += 1
            }
        }
        print("corpus: \(read) SR documents read, \(refused) files refused with a reason")
        #expect(read + refused > 300)
    }

    /// The peers venv's python with highdicom, or nil when it cannot be made.
    static func peersPython() -> String? {
        let log = temporaryFolder() + "/venv.txt"
        guard (try? ChildProcess.run(packageRoot + "/scripts/peers-venv", [], output: log, timeout: 600)) == 0,
            let path = try? String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").last
        else { return nil }
        return String(path)
    }
}
