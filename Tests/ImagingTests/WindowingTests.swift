import DicomIO
import Foundation
@testable import Imaging
import Testing

/// Small DICOM images of a precise shape, written through DCMTK into a fresh temporary folder.
struct ImageFolder {
    let path: String

    init() throws {
        path =
            FileManager.default.temporaryDirectory.appendingPathComponent("annulus-imaging-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// A 16-bit unsigned monochrome image of `columns × rows` with `samples`, plus whatever `extra` sets.
    func image(
        _ name: String, rows: Int, columns: Int, samples: [UInt16], modality: String = "CT",
        extra: (DicomWriter) throws -> Void = { _ in }
    ) throws -> String {
        let writer = try DicomWriter()
        try writer.set(.sopClassUID, "1.2.840.10008.5.1.4.1.1.7")
        try writer.set(.sopInstanceUID, "1.2.3.4.5.\(abs(name.hashValue % 100_000))")
        try writer.set(.studyInstanceUID, "1.2.3.4")
        try writer.set(.seriesInstanceUID, "1.2.3.4.5")
        try writer.set(.modality, modality)
        try writer.setMonochromePixelModule(rows: rows, columns: columns, bitsAllocated: 16, bitsStored: 16)
        try extra(writer)
        try writer.setPixels(samples)
        let file = path + "/" + name
        try writer.write(to: file, transferSyntax: .explicitVRLittleEndian)
        return file
    }

    /// Renders frame 0 of `file` without orientation letters.
    static func render(_ file: String, _ options: PreviewOptions = PreviewOptions()) throws -> PreviewImage {
        var options = options
        options.orientationLetters = false
        return try FrameRenderer(file: DicomFile(path: file)).image(frame: 0, options: options)
    }
}

@Suite("Windowing: modality rescale, VOI, polarity, padding")
struct WindowingTests {
    @Test("DICOM LINEAR window: the standard's bounds and midpoint")
    func linearFormula() {
        let window = Window(center: 40, width: 400)
        #expect(window.normalized(-160) == 0)  // ≤ c − 0.5 − (w − 1)/2
        #expect(window.normalized(239.1) == 1)  // > c − 0.5 + (w − 1)/2
        #expect(abs(window.normalized(39.5) - 0.5) < 1e-12)
        let exact = Window(center: 100, width: 50, function: .linearExact)
        #expect(exact.normalized(75) == 0)
        #expect(exact.normalized(125) == 1)
        #expect(exact.normalized(100) == 0.5)
        let sigmoid = Window(center: 0, width: 10, function: .sigmoid)
        #expect(sigmoid.normalized(0) == 0.5)
        #expect(sigmoid.normalized(20) > 0.99)
    }

    @Test("rescale slope/intercept then the file's window give the expected 8-bit values")
    func rescaleAndFileWindow() throws {
        let folder = try ImageFolder()
        defer { folder.remove() }
        // Stored 0, 100, 200, 50 → modality −100, 100, 300, 0 (slope 2, intercept −100); window C 100 W 201.
        let file = try folder.image("rescale.dcm", rows: 1, columns: 4, samples: [0, 100, 200, 50]) { writer in
            try writer.set(.rescaleSlope, "2")
            try writer.set(.rescaleIntercept, "-100")
            try writer.set(.windowCenter, "100")
            try writer.set(.windowWidth, "201")
        }
        let image = try ImageFolder.render(file)
        // Window spans 0 … 200 (c − 0.5 ± 100): −100 → 0, 100 → (100 − 99.5)/200 + 0.5 = 0.5025 → 128, 300 → 255,
        // 0 → (0 − 99.5)/200 + 0.5 = 0.0025 → 1.
        #expect(image.samples == [0, 128, 255, 1])
        #expect(image.width == 4 && image.height == 1 && image.channels == .grey && image.bitDepth == 8)
    }

    @Test("MONOCHROME1 is inverted after the window")
    func monochrome1() throws {
        let folder = try ImageFolder()
        defer { folder.remove() }
        let samples: [UInt16] = [0, 100, 200, 50]
        let normal = try folder.image("m2.dcm", rows: 1, columns: 4, samples: samples) { writer in
            try writer.set(.windowCenter, "100")
            try writer.set(.windowWidth, "201")
        }
        let inverted = try folder.image("m1.dcm", rows: 1, columns: 4, samples: samples) { writer in
            try writer.set(.photometricInterpretation, "MONOCHROME1")
            try writer.set(.windowCenter, "100")
            try writer.set(.windowWidth, "201")
        }
        let shown = try ImageFolder.render(normal).samples
        let invertedShown = try ImageFolder.render(inverted).samples
        // Stored 0 sits 0.5 above the window's lower bound (c − 0.5 − (w − 1)/2 = −0.5): 0.0025 × 255 → 1.
        #expect(shown == [1, 128, 255, 64])
        #expect(invertedShown == shown.map { 255 - $0 })
    }

    @Test("min-max ignores PixelPaddingValue and shows padding black")
    func paddingIgnored() throws {
        let folder = try ImageFolder()
        defer { folder.remove() }
        let samples: [UInt16] = [0, 0, 1000, 1500, 2000, 0]
        let padded = try folder.image("padded.dcm", rows: 2, columns: 3, samples: samples) { writer in
            try writer.set(.pixelPaddingValue, unsignedShort: 0)
        }
        let plain = try folder.image("plain.dcm", rows: 2, columns: 3, samples: samples)
        let withPadding = try ImageFolder.render(padded, PreviewOptions(window: .minMax)).samples
        #expect(withPadding == [0, 0, 0, 128, 255, 0])
        // Without the padding attribute the background counts: 1000 lands mid-grey.
        let withoutPadding = try ImageFolder.render(plain, PreviewOptions(window: .minMax)).samples
        #expect(withoutPadding == [0, 0, 128, 191, 255, 0])
    }

    @Test("padding range limit covers a band of values")
    func paddingRange() throws {
        var parameters = GreyscaleParameters()
        parameters.padding = 10...20
        let window = try parameters.window(for: .minMax, samples: [10, 15, 20, 100, 200, 150].map { Int32($0) })
        #expect(window.center == 150 && window.width == 100)
    }

    @Test("MR without a window gets a robust percentile window, not one stretched by an outlier")
    func percentileForMR() throws {
        let folder = try ImageFolder()
        defer { folder.remove() }
        var samples = (0..<1000).map { UInt16(100 + $0 % 100) }
        samples[500] = 60000  // one hot pixel
        let file = try folder.image("mr.dcm", rows: 10, columns: 100, samples: samples, modality: "MR")
        let image = try ImageFolder.render(file)
        // 199 is near the 99.5th percentile: bright, not crushed to black by the 60000 outlier.
        let brightest = samples.indices.filter { samples[$0] == 199 }.map { image.samples[$0] }
        #expect(brightest.allSatisfy { $0 >= 250 })
        #expect(image.samples[500] == 255)
        let minMax = try ImageFolder.render(file, PreviewOptions(window: .minMax))
        #expect(samples.indices.filter { samples[$0] == 199 }.allSatisfy { minMax.samples[$0] <= 1 })
    }

    @Test("file windows chosen by number and by explanation; a missing one is named with the choices")
    func fileWindowChoice() throws {
        let folder = try ImageFolder()
        defer { folder.remove() }
        let file = try folder.image("two.dcm", rows: 1, columns: 2, samples: [0, 1000]) { writer in
            try writer.set(.windowCenter, ["500", "100"])
            try writer.set(.windowWidth, ["1000", "200"])
            try writer.set(.windowExplanation, ["WIDE", "NARROW"])
        }
        let second = try ImageFolder.render(file, PreviewOptions(window: .fileWindow(index: 2)))
        let named = try ImageFolder.render(file, PreviewOptions(window: .fileWindowNamed("narrow")))
        #expect(second == named)
        #expect(second.samples == [0, 255])
        let error = #expect(throws: DicomError.self) {
            try ImageFolder.render(file, PreviewOptions(window: .fileWindow(index: 3)))
        }
        #expect(error?.kind == .noSuchWindow)
        #expect(error?.message.contains("1 (WIDE), 2 (NARROW)") == true)
        #expect(throws: DicomError.self) {
            try ImageFolder.render(file, PreviewOptions(window: .fileWindowNamed("BONE")))
        }
    }

    @Test("window arguments parse as documented")
    func parsing() {
        #expect(WindowChoice(argument: "file") == .automatic)
        #expect(WindowChoice(argument: "file:2") == .fileWindow(index: 2))
        #expect(WindowChoice(argument: "file:T2 SPINE") == .fileWindowNamed("T2 SPINE"))
        #expect(WindowChoice(argument: "minmax") == .minMax)
        #expect(WindowChoice(argument: "percentile:1,99") == .percentile(low: 1, high: 99))
        #expect(WindowChoice(argument: "40,400") == .explicit(center: 40, width: 400))
        for bad in ["", "file:", "file:0", "40,0", "percentile:99,1", "wide", "1,2,3"] {
            #expect(WindowChoice(argument: bad) == nil, "\(bad)")
        }
    }

    @Test("16-bit output keeps the window's precision and survives a libpng round trip")
    func sixteenBit() throws {
        let folder = try ImageFolder()
        defer { folder.remove() }
        let file = try folder.image("wide.dcm", rows: 1, columns: 5, samples: [0, 1000, 2000, 3000, 4000]) { writer in
            try writer.set(.windowCenter, "2000")
            try writer.set(.windowWidth, "4000")
            try writer.set(DicomTag(0x0028, 0x1056), "LINEAR_EXACT")
        }
        let image = try ImageFolder.render(file, PreviewOptions(bitDepth: 16))
        #expect(image.bitDepth == 16)
        #expect(image.samples == [0, 16384, 32768, 49151, 65535])
        let decoded = try PNGDecoder.decode(try PNGEncoder.encode(image))
        #expect(decoded == image)
    }
}
