import DicomIO
import Foundation
@testable import Imaging
import Testing

@Suite("Study, series and stack model")
struct StudyOrganizerTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    static let corpus = URL(fileURLWithPath: packageRoot).deletingLastPathComponent()
        .appendingPathComponent("shared/corpus").path
    static var corpusAvailable: Bool { FileManager.default.fileExists(atPath: corpus + "/expectations.csv") }

    static func headers(_ folder: String) throws -> [InstanceHeader] {
        try InputFiles.expand([folder], recursive: true).files.map {
            InstanceHeader(file: try DicomFile(path: $0, options: .headerOnly))
        }
    }

    @Test("dcm_qa_decubitus: one sagittal stack of 35 in spatial order", .enabled(if: corpusAvailable, "corpus absent"))
    func decubitus() throws {
        let model = StudyOrganizer.organize(try Self.headers(Self.corpus + "/dcm_qa_decubitus"))
        let series = try #require(model.first?.studies.first?.series.first)
        #expect(series.stacks.count == 1)
        let stack = try #require(series.stacks.first)
        #expect(stack.slices.count == 35)
        #expect(stack.plane == .sagittal)
        #expect(stack.issues.isEmpty, "\(stack.issues)")
        let locations = stack.slices.compactMap(\.location)
        #expect(locations == locations.sorted())
        #expect(stack.spacing.map { $0 > 0 } == true)
    }

    @Test("dcm_qa_pdt2: two echoes sharing positions become two stacks", .enabled(if: corpusAvailable, "corpus absent"))
    func protonDensityAndT2() throws {
        let model = StudyOrganizer.organize(try Self.headers(Self.corpus + "/dcm_qa_pdt2"))
        let series = try #require(model.first?.studies.first?.series)
        #expect(series.count == 1)
        let stacks = try #require(series.first?.stacks)
        #expect(stacks.count == 2)
        #expect(Set(stacks.map(\.echoNumber)) == [1, 2])
        for stack in stacks {
            #expect(stack.slices.count == 35)
            #expect(stack.plane == .sagittal)
            #expect(!stack.issues.contains { if case .duplicatePosition = $0 { true } else { false } })
        }
    }

    @Test(
        "dcm4che MR01-MR16: one coronal stack ordered along its normal", .enabled(if: corpusAvailable, "corpus absent"))
    func dcm4cheWrist() throws {
        let model = StudyOrganizer.organize(
            try Self.headers(Self.corpus + "/dcm4che/dcm4che-assembly/src/etc/testdata/dicom"))
        let stacks = model.flatMap(\.studies).flatMap(\.series).flatMap(\.stacks)
        let total = stacks.map(\.slices.count).reduce(0, +)
        #expect(total == 16)
        for stack in stacks where stack.slices.count > 1 {
            let locations = stack.slices.compactMap(\.location)
            #expect(locations == locations.sorted())
        }
    }

    @Test("SampleStudies: sagittal T2/T1 and two angled axial blocks; patients and studies separated")
    func sampleStudies() throws {
        let model = StudyOrganizer.organize(try Self.headers(Self.packageRoot + "/SampleStudies"))
        #expect(model.map(\.id) == ["ANNULUS-SAMPLE-0001", "ANNULUS-SAMPLE-0002"])
        let patientOne = try #require(model.first)
        #expect(patientOne.studies.count == 2)
        let mr = try #require(patientOne.studies.first { $0.accessionNumber == "ACC-MR-0001" })
        #expect(mr.series.map(\.number) == [1, 2, 3])
        let sagittal = try #require(mr.series.first?.stacks)
        #expect(sagittal.count == 1)
        #expect(sagittal.first?.plane == .sagittal)
        #expect(sagittal.first?.slices.count == 15)
        #expect(abs((sagittal.first?.spacing ?? 0) - 4.4) < 1e-6)
        #expect(sagittal.first?.issues.isEmpty == true)
        let axial = try #require(mr.series.last?.stacks)
        #expect(axial.count == 2)
        #expect(axial.allSatisfy { $0.plane == .axial && $0.slices.count == 5 })
        #expect(axial.allSatisfy { abs(($0.spacing ?? 0) - 3.5) < 1e-6 })
    }

    @Test("plane classification tolerates angled blocks and calls the rest oblique")
    func planes() {
        #expect(ImagePlane(normal: Vector3(1, 0, 0)) == .sagittal)
        #expect(ImagePlane(normal: Vector3(0, -1, 0)) == .coronal)
        #expect(ImagePlane(normal: Vector3(0, 0.26, 0.97)) == .axial)
        #expect(ImagePlane(normal: Vector3(0, 0.7071, 0.7071)) == .oblique)
    }

    @Test("spacing analysis reports duplicates, gaps and irregular steps")
    func spacing() {
        var issues: [GeometryIssue] = []
        #expect(StudyOrganizer.analyseSpacing([0, 4, 8, 12], issues: &issues) == 4)
        #expect(issues.isEmpty)
        issues = []
        #expect(StudyOrganizer.analyseSpacing([0, 4, 4, 8, 20, 24, 29], issues: &issues) == 4)
        #expect(issues.contains(.duplicatePosition(location: 4)))
        #expect(issues.contains(.gap(after: 8, step: 12)))
        #expect(issues.contains(.irregularSpacing(minimum: 4, maximum: 5)))
    }
}
