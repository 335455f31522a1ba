import DicomIO
import Foundation
@testable import Imaging
import Testing

@Suite("Previews: resizing, aspect, orientation letters, PNG and animated PNG")
struct PreviewTests {
    @Test("shrinking averages areas exactly; enlarging interpolates")
    func areaAveraging() {
        let values: [Float] = [
            0, 1, 2, 3,
            4, 5, 6, 7,
            8, 9, 10, 11,
            12, 13, 14, 15,
        ]
        let half = Resampler.resize(values, width: 4, height: 4, toWidth: 2, height: 2)
        #expect(half == [2.5, 4.5, 10.5, 12.5])
        // A one-pixel bright line survives a 3:1 shrink as a third of its value, not aliased away.
        var line = [Float](repeating: 0, count: 9 * 9)
        for row in 0..<9 { line[row * 9 + 4] = 1 }
        let third = Resampler.resize(line, width: 9, height: 9, toWidth: 3, height: 3)
        #expect(third.enumerated().allSatisfy { abs($0.element - ($0.offset % 3 == 1 ? 1.0 / 3 : 0)) < 1e-6 })
        // Non-integer ratio keeps the mean.
        let ramp = (0..<10).map(Float.init)
        let seven = Resampler.resize(ramp, width: 10, height: 1, toWidth: 7, height: 1)
        #expect(abs(seven.reduce(0, +) / 7 - 4.5) < 1e-4)
        let doubled = Resampler.resize([0, 1], width: 2, height: 1, toWidth: 4, height: 1)
        #expect(doubled == [0, 0.25, 0.75, 1])
        let rgb = Resampler.resize([0, 10, 20, 2, 12, 22], width: 2, height: 1, channels: 3, toWidth: 1, height: 1)
        #expect(rgb == [1, 11, 21])
    }

    @Test("non-square pixels are corrected and the longest side fits the requested size")
    func previewSize() {
        #expect(
            PreviewSize.fitting(columns: 512, rows: 512, spacing: (0.5, 0.5), longestSide: nil)
                == .init(width: 512, height: 512))
        // Rows 1 mm apart, columns 0.5 mm: the image is physically twice as tall per pixel.
        #expect(
            PreviewSize.fitting(columns: 100, rows: 100, spacing: (1, 0.5), longestSide: nil)
                == .init(width: 100, height: 200))
        #expect(
            PreviewSize.fitting(columns: 100, rows: 100, spacing: (1, 0.5), longestSide: 64)
                == .init(width: 32, height: 64))
        #expect(
            PreviewSize.fitting(columns: 640, rows: 480, spacing: nil, longestSide: 320)
                == .init(width: 320, height: 240))
    }

    @Test("orientation letters for sagittal, axial, coronal, oblique and Patient Orientation")
    func orientationLetters() throws {
        let sagittal = EdgeLabels(row: Vector3(0, 1, 0), column: Vector3(0, 0, -1))
        #expect(sagittal == EdgeLabels(top: "S", bottom: "I", left: "A", right: "P"))
        let axial = EdgeLabels(row: Vector3(1, 0, 0), column: Vector3(0, 1, 0))
        #expect(axial == EdgeLabels(top: "A", bottom: "P", left: "R", right: "L"))
        let coronal = EdgeLabels(row: Vector3(1, 0, 0), column: Vector3(0, 0, -1))
        #expect(coronal == EdgeLabels(top: "S", bottom: "I", left: "R", right: "L"))
        // An axial block tilted 20° about the left-right axis (angled to a disc).
        let angle = 20.0 * .pi / 180
        let oblique = EdgeLabels(row: Vector3(1, 0, 0), column: Vector3(0, cos(angle), -sin(angle)))
        #expect(oblique == EdgeLabels(top: "AS", bottom: "PI", left: "R", right: "L"))
        let fluoro = try #require(EdgeLabels(patientOrientation: ["P", "F"]))
        #expect(fluoro == EdgeLabels(top: "S", bottom: "I", left: "A", right: "P"))
        #expect(EdgeLabels(patientOrientation: ["Q", "F"]) == nil)
        #expect(EdgeLabels(patientOrientation: ["A"]) == nil)
    }

    @Test("PNGs decode back by libpng to the same size and samples: grey 8/16, RGB 8/16")
    func pngRoundTrip() throws {
        for (channels, depth) in [(PreviewImage.Channels.grey, 8), (.grey, 16), (.rgb, 8), (.rgb, 16)] {
            let count = 37 * 23 * channels.rawValue
            let maximum = depth == 16 ? 65535 : 255
            let samples = (0..<count).map { UInt16(($0 * 7919) % (maximum + 1)) }
            let image = PreviewImage(width: 37, height: 23, channels: channels, bitDepth: depth, samples: samples)
            for compression in [PNGEncoder.Compression.fast, .standard] {
                let decoded = try PNGDecoder.decode(try PNGEncoder.encode(image, compression: compression))
                #expect(decoded == image, "\(channels) \(depth)-bit \(compression)")
            }
        }
        #expect(throws: PNGEncoder.EncodingError.self) { try PNGDecoder.decode(Data("not a png".utf8)) }
    }

    @Test("animated PNG: frames, delays and sequence numbers survive a round trip; partial files never appear")
    func animatedPNG() throws {
        let folder = try ImageFolder()
        defer { folder.remove() }
        let path = folder.path + "/cine.png"
        let frames = (0..<5).map { index in
            PreviewImage(width: 16, height: 8, fill: UInt16(index * 50))
        }
        let writer = try AnimatedPNGWriter(path: path, frameCount: frames.count)
        for (index, frame) in frames.enumerated() {
            try writer.append(png: try PNGEncoder.encode(frame), delayMilliseconds: 40 + index)
            #expect(!FileManager.default.fileExists(atPath: path), "published before finish")
        }
        try writer.finish()
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try AnimatedPNGReader.announcedFrameCount(data) == 5)
        let decoded = try AnimatedPNGReader.frames(data)
        #expect(decoded.map(\.image) == frames)
        #expect(decoded.map(\.delayMilliseconds) == [40, 41, 42, 43, 44])
        // A plain PNG reader sees the first frame.
        #expect(try PNGDecoder.decode(data) == frames[0])
        // A frame of another size is refused; an unfinished writer leaves nothing behind.
        let other = folder.path + "/other.png"
        do {
            let broken = try AnimatedPNGWriter(path: other, frameCount: 2)
            try broken.append(png: try PNGEncoder.encode(frames[0]), delayMilliseconds: 10)
            #expect(throws: PNGEncoder.EncodingError.self) {
                try broken.append(png: try PNGEncoder.encode(PreviewImage(width: 4, height: 4)), delayMilliseconds: 10)
            }
            #expect(throws: PNGEncoder.EncodingError.self) { try broken.finish() }
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0 != "cine.png" }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test("a contact sheet lays tiles out in order with captions")
    func contactSheet() throws {
        let tiles = (0..<5).map { index in
            ContactSheet.Tile(
                image: PreviewImage(width: 40, height: 20, fill: UInt16(40 + index * 40)), caption: "\(index + 1)")
        }
        let sheet = try ContactSheet.compose(tiles: tiles, title: "Series 1", tileSize: 40)
        let columns = ContactSheet.columns(forCount: 5)
        #expect(columns == 3)
        #expect(sheet.width == columns * 44 + 4)
        #expect(sheet.height == 30 + 2 * 44 + 4)
        // The centre-bottom of tile k (0-based) holds its fill value: the order is left to right, top to bottom.
        for index in 0..<5 {
            let x = 4 + (index % columns) * 44 + 30
            let y = 30 + 4 + (index / columns) * 44 + 10 + 17
            #expect(sheet.samples[y * sheet.width + x] == UInt16(40 + index * 40), "tile \(index)")
        }
        // The title band has text in it.
        #expect(sheet.samples[0..<(30 * sheet.width)].contains { $0 > 128 })
    }
}
