import DicomIO
import Foundation
import Testing

@testable import SampleStudyGenerator

@Suite("SyntheticSeries")
struct SyntheticSeriesTests {
    static func temporaryFolder(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("synthetic-\(name)-\(UUID().uuidString)").path
    }

    static func bytes(_ paths: [String]) throws -> [Data] {
        try paths.map { try Data(contentsOf: URL(fileURLWithPath: $0)) }
    }

    @Test("MR stack: 5 slices of 64 x 64, 16/12 bits, uncompressed, contiguous along the normal")
    func mrStack() throws {
        let folder = Self.temporaryFolder("mr")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let written = try SyntheticSeries.writeMRStack(into: folder, slices: 5, size: 64)
        #expect(written == (1...5).map { folder + "/" + String(format: "IM%04d.dcm", $0) })
        let step = SyntheticSeries.mrStackCoverage / 5
        var projections: [Double] = []
        var samples: Set<Int32> = []
        for (index, path) in written.enumerated() {
            let file = try DicomFile(path: path)
            let data = file.dataset
            #expect(file.transferSyntax.uid == "1.2.840.10008.1.2.1")
            #expect(data.int(.rows) == 64 && data.int(.columns) == 64)
            #expect(data.int(.bitsAllocated) == 16 && data.int(.bitsStored) == 12)
            #expect(data.string(.modality) == "MR")
            #expect(data.int(.instanceNumber) == index + 1)
            #expect(try file.frameCount() == 1)
            #expect(data.doubles(.pixelSpacing) == [300.0 / 64, 300.0 / 64])
            #expect(abs((data.double(.sliceThickness) ?? 0) - step) < 1e-9)
            #expect(data.double(.windowCenter) == 1600 && data.double(.windowWidth) == 3200)
            let orientation = data.doubles(.imageOrientationPatient)
            try #require(orientation.count == 6)
            let row = Vector3(orientation[0], orientation[1], orientation[2])
            let column = Vector3(orientation[3], orientation[4], orientation[5])
            let position = data.doubles(.imagePositionPatient)
            try #require(position.count == 3)
            projections.append(Vector3(position[0], position[1], position[2]).dot(row.cross(column)))
            let frame = try file.storedFrame(0)
            #expect(frame.bytes.count == 64 * 64 * 2)
            samples.formUnion(frame.samples)
        }
        let steps = zip(projections.dropFirst(), projections).map { $0 - $1 }
        #expect(steps.allSatisfy { abs($0 - step) < 1e-6 }, "\(steps)")
        #expect(samples.count > 100, "the phantom, not a flat image")
        #expect(samples.allSatisfy { (0...4095).contains($0) })
        let headers = try written.map { try DicomFile(path: $0, options: .headerOnly).dataset }
        #expect(Set(headers.map { $0.string(.seriesInstanceUID) }).count == 1)
        #expect(Set(headers.map { $0.string(.sopInstanceUID) }).count == 5)
    }

    @Test("RF cine: one JPEG-LS file of 6 frames, 128 x 128, 8 bits, with FrameTime and CineRate")
    func rfCine() throws {
        let folder = Self.temporaryFolder("rf")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = try SyntheticSeries.writeRFCine(into: folder, frames: 6, size: 128)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["IM0001.dcm"])
        let file = try DicomFile(path: path)
        let data = file.dataset
        #expect(file.transferSyntax.uid == "1.2.840.10008.1.2.4.80")
        #expect(data.string(.sopClassUID) == "1.2.840.10008.5.1.4.1.1.12.2")
        #expect(data.int(.rows) == 128 && data.int(.columns) == 128)
        #expect(data.int(.bitsAllocated) == 8 && data.int(.bitsStored) == 8)
        #expect(data.int(.numberOfFrames) == 6)
        #expect(data.double(.frameTime) == 100)
        #expect(data.int(.cineRate) == 10)
        #expect(data.string(DicomTag(0x0028, 0x0009)) != nil)
        #expect(try file.frameCount() == 6)
        let frames = try (0..<6).map { try file.storedFrame($0).bytes }
        #expect(frames.allSatisfy { $0.count == 128 * 128 })
        #expect(frames.first != frames.last, "the needle and contrast change over the cine")
    }

    @Test("two runs write byte-identical files; other shapes get other UIDs")
    func deterministic() throws {
        let first = Self.temporaryFolder("a")
        let second = Self.temporaryFolder("b")
        defer {
            try? FileManager.default.removeItem(atPath: first)
            try? FileManager.default.removeItem(atPath: second)
        }
        let mrA = try SyntheticSeries.write(.mrStack, count: 3, size: 32, into: first + "/mr")
        let mrB = try SyntheticSeries.write(.mrStack, count: 3, size: 32, into: second + "/mr")
        #expect(try Self.bytes(mrA) == Self.bytes(mrB))
        let rfA = try SyntheticSeries.write(.rfCine, count: 4, size: 64, into: first + "/rf")
        let rfB = try SyntheticSeries.write(.rfCine, count: 4, size: 64, into: second + "/rf")
        #expect(try Self.bytes(rfA) == Self.bytes(rfB))

        let other = try SyntheticSeries.write(.mrStack, count: 4, size: 32, into: second + "/mr4")
        let uid = { (path: String) in try DicomFile(path: path, options: .headerOnly).dataset.string(.studyInstanceUID)
        }
        #expect(try uid(mrA[0]) != uid(other[0]))
    }

    @Test("bad counts and sizes are refused")
    func refusesBadArguments() {
        let folder = Self.temporaryFolder("bad")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(throws: SyntheticSeries.ArgumentError.self) {
            try SyntheticSeries.writeMRStack(into: folder, slices: 0, size: 64)
        }
        #expect(throws: SyntheticSeries.ArgumentError.self) {
            try SyntheticSeries.writeRFCine(into: folder, frames: 2, size: 8)
        }
    }
}
