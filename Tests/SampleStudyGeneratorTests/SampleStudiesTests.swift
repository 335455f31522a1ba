import DicomIO
import Foundation
import Testing

@testable import SampleStudyGenerator

@Suite("SampleStudies", .serialized)
struct SampleStudiesTests {
    static let committed = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("SampleStudies").path

    static func dicomFiles(under folder: String) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: folder).filter { $0.hasSuffix(".dcm") }.sorted()
    }

    @Test("regeneration is byte-identical to the committed SampleStudies")
    func regenerationIsByteIdentical() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("samples-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let written = try SampleStudies.generate(into: folder)
        let regenerated = try Self.dicomFiles(under: folder)
        let committed = try Self.dicomFiles(under: Self.committed)
        #expect(written.count == regenerated.count)
        #expect(regenerated == committed, "file lists differ: run `annulus samples --out SampleStudies`")
        for name in committed {
            let fresh = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
            let stored = try Data(contentsOf: URL(fileURLWithPath: Self.committed + "/" + name))
            #expect(fresh == stored, "\(name) differs from the committed copy")
        }
    }

    @Test("the bundle stays under 15 MB")
    func bundleSize() throws {
        let total = try Self.dicomFiles(under: Self.committed).reduce(0) { sum, name in
            let attributes = try FileManager.default.attributesOfItem(atPath: Self.committed + "/" + name)
            return sum + ((attributes[.size] as? Int) ?? 0)
        }
        #expect(total < 15_000_000, "\(total) bytes")
    }

    @Test("patient 1 sagittal T2: 15 slices of 512 x 512 with real geometry, evenly spaced along the normal")
    func sagittalGeometry() throws {
        let folder = Self.committed + "/patient1-lumbar-mr/series-01-sag-t2"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).sorted().map {
            try DicomFile(path: folder + "/" + $0, options: .headerOnly)
        }
        #expect(files.count >= 15)
        var positions: [Double] = []
        for file in files {
            let data = file.dataset
            #expect(data.int(.rows) == 512 && data.int(.columns) == 512)
            #expect(data.int(.bitsAllocated) == 16)
            let orientation = data.doubles(.imageOrientationPatient)
            #expect(orientation == [0, 1, 0, 0, 0, -1])
            #expect(data.doubles(.pixelSpacing) == [0.5859375, 0.5859375])
            #expect(data.double(.sliceThickness) == 4)
            let position = data.doubles(.imagePositionPatient)
            #expect(position.count == 3)
            positions.append(position[0])  // the normal of this plane is the x axis
            #expect(data.string(.modality) == "MR")
            #expect(data.string(.sopClassUID) == "1.2.840.10008.5.1.4.1.1.4")
        }
        let steps = zip(positions.dropFirst(), positions).map { $0 - $1 }
        #expect(steps.allSatisfy { abs($0 - 4.4) < 1e-6 }, "\(steps)")
        #expect(Set(files.map { $0.dataset.string(.seriesInstanceUID) }).count == 1)
        #expect(Set(files.map { $0.dataset.string(.sopInstanceUID) }).count == files.count)
    }

    @Test("patient 1 mid-sagittal T2 shows L4-L5 darker than its neighbours")
    func degeneratedDiscIsDarker() throws {
        let phantom = LumbarPhantom(pathology: .degeneratedL4L5WithHIZAndL5S1Protrusion)
        let file = try DicomFile(path: Self.committed + "/patient1-lumbar-mr/series-01-sag-t2/IM0008.dcm")
        let frame = try file.storedFrame(0)
        let samples = frame.samples
        let origin = file.dataset.doubles(.imagePositionPatient)
        let spacing = 300.0 / 512.0
        func meanAround(_ level: String) throws -> Double {
            let center = try #require(phantom.discCenter(level))
            let column = Int(((center.y - origin[1]) / spacing).rounded())
            let row = Int(((origin[2] - center.z) / spacing).rounded())
            var sum = 0.0
            for r in row - 2...row + 2 { for c in column - 2...column + 2 { sum += Double(samples[r * 512 + c]) } }
            return sum / 25
        }
        let degenerated = try meanAround("L4-L5")
        #expect(degenerated < 0.6 * (try meanAround("L3-L4")))
        #expect(degenerated < 0.6 * (try meanAround("L2-L3")))
    }

    @Test("patient 1 axial T2 covers L4-L5 and L5-S1; the fluoroscopy is a JPEG-LS RF cine with FrameTime")
    func axialAndFluoroscopy() throws {
        let phantom = LumbarPhantom(pathology: .degeneratedL4L5WithHIZAndL5S1Protrusion)
        let axialFolder = Self.committed + "/patient1-lumbar-mr/series-03-ax-t2"
        let axial = try FileManager.default.contentsOfDirectory(atPath: axialFolder).sorted().map {
            try DicomFile(path: axialFolder + "/" + $0, options: .headerOnly).dataset
        }
        #expect(axial.count == 10)
        for level in ["L4-L5", "L5-S1"] {
            let center = try #require(phantom.discCenter(level))
            let near = axial.contains { data in
                let position = data.doubles(.imagePositionPatient)
                let orientation = data.doubles(.imageOrientationPatient)
                let row = Vector3(orientation[0], orientation[1], orientation[2])
                let column = Vector3(orientation[3], orientation[4], orientation[5])
                let distance = (center - Vector3(position[0], position[1], position[2])).dot(row.cross(column))
                return abs(distance) < 2
            }
            #expect(near, "no axial slice through \(level)")
        }
        let cine = try DicomFile(path: Self.committed + "/patient1-fluoroscopy/series-01-rf-cine/IM0001.dcm")
        #expect(cine.dataset.string(.sopClassUID) == "1.2.840.10008.5.1.4.1.1.12.2")
        #expect(cine.dataset.string(.modality) == "RF")
        #expect(cine.transferSyntax.uid == "1.2.840.10008.1.2.4.80")
        #expect(cine.dataset.double(.frameTime) == 100)
        let frames = try cine.frameCount()
        #expect(frames >= 30)
        let first = try cine.storedFrame(0).bytes
        let last = try cine.storedFrame(frames - 1).bytes
        #expect(first != last, "the needle and contrast must change over the cine")
    }

    @Test("patient 2 is a separate, normal study")
    func negativeControl() throws {
        let first = "/series-01-sag-t2/IM0001.dcm"
        let one = try DicomFile(path: Self.committed + "/patient1-lumbar-mr" + first, options: .headerOnly)
        let two = try DicomFile(path: Self.committed + "/patient2-lumbar-mr" + first, options: .headerOnly)
        #expect(one.dataset.string(.patientID) != two.dataset.string(.patientID))
        #expect(one.dataset.string(.studyInstanceUID) != two.dataset.string(.studyInstanceUID))
    }

    @Test(
        "every sample file passes dcmdump and renders with DCMTK's own tools",
        .enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/dcmdump"), "dcmtk tools not installed"))
    func dcmtkAcceptsEverySample() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("dcmtk-\(UUID().uuidString).pnm").path
        defer { try? FileManager.default.removeItem(atPath: out) }
        for name in try Self.dicomFiles(under: Self.committed) {
            let path = Self.committed + "/" + name
            #expect(try run("/usr/bin/dcmdump", ["-q", path]) == 0, "dcmdump rejects \(name)")
            let syntax = try DicomFile(path: path, options: .headerOnly).transferSyntax.uid
            let tool = syntax.hasPrefix("1.2.840.10008.1.2.4.8") ? "/usr/bin/dcml2pnm" : "/usr/bin/dcmj2pnm"
            #expect(try run(tool, ["--quiet", path, out]) == 0, "\(tool) cannot render \(name)")
        }
    }

    @Test("derived UIDs are valid DICOM UIDs under 2.25")
    func uids() {
        let uids = (0..<200).map { DeterministicUID.make("test/\($0)") }
        #expect(Set(uids).count == uids.count)
        for uid in uids {
            #expect(uid.count <= 64)
            #expect(uid.hasPrefix("2.25."))
            let last = uid.dropFirst(5)
            #expect(last.allSatisfy(\.isNumber) && last.first != "0")
        }
        #expect(DeterministicUID.decimal(high: 1, low: 0) == "18446744073709551616")
    }

    private func run(_ executable: String, _ arguments: [String]) throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return process.terminationStatus
    }
}
