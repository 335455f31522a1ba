import DicomIO
import Foundation
import Imaging
import Testing

/// A multi-frame image's frame timing: which attribute wins, and hostile numbers falling through to the next one.
@Suite("Cine timing")
struct CineTimingTests {
    /// A 4-frame 8 × 8 RF image with `attributes` set, written and read back as a header.
    static func dataset(_ attributes: [(DicomTag, String)], modality: String = "RF", frames: Int = 4) throws
        -> DicomDataset
    {
        let writer = try DicomWriter()
        try writer.set(.sopClassUID, "1.2.840.10008.5.1.4.1.1.12.2.1")
        try writer.set(.sopInstanceUID, "1.2.3.77.1")
        try writer.set(.studyInstanceUID, "1.2.3.77")
        try writer.set(.seriesInstanceUID, "1.2.3.77.2")
        try writer.set(.modality, modality)
        try writer.set(.numberOfFrames, "\(frames)")
        for (tag, value) in attributes { try writer.set(tag, value) }
        try writer.setMonochromePixelModule(rows: 8, columns: 8, bitsAllocated: 8, bitsStored: 8)
        try writer.setPixels([UInt8](repeating: 7, count: 64 * frames))
        let path = NSTemporaryDirectory() + "annulus-cine-\(UUID().uuidString).dcm"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try writer.write(to: path, transferSyntax: .explicitVRLittleEndian)
        return try DicomFile(path: path, options: .headerOnly).dataset
    }

    @Test("Frame Time wins over the rates; then the vector, Cine Rate, Recommended Display Frame Rate, default")
    func precedence() throws {
        let all: [(DicomTag, String)] = [
            (.frameTime, "40"), (.cineRate, "10"), (.recommendedDisplayFrameRate, "5"),
        ]
        let timing = CineTiming(dataset: try Self.dataset(all), frames: 4)
        #expect(timing.source == .frameTime && timing.delays == [40, 40, 40, 40] && timing.isUniform)

        let vector = CineTiming(
            dataset: try Self.dataset([(.frameTimeVector, "0\\50\\60\\70"), (.cineRate, "10")]), frames: 4)
        #expect(vector.source == .frameTimeVector)
        #expect(vector.delays == [50, 60, 70, 70] && !vector.isUniform && vector.meanDelay == 62.5)

        let rate = CineTiming(
            dataset: try Self.dataset([(.cineRate, "25"), (.recommendedDisplayFrameRate, "5")]), frames: 4)
        #expect(rate.source == .cineRate && rate.delays == [40, 40, 40, 40])

        let recommended = CineTiming(dataset: try Self.dataset([(.recommendedDisplayFrameRate, "8")]), frames: 4)
        #expect(recommended.source == .recommendedDisplayFrameRate && recommended.delays.first == 125)

        let none = CineTiming(dataset: try Self.dataset([]), frames: 4)
        #expect(none.source == .defaultRate && none.delays == Array(repeating: CineTiming.defaultDelay, count: 4))
    }

    @Test(
        "a Frame Time that is not a usable number falls through to the rate",
        arguments: ["nan", "inf", "-40", "1e300", "0"])
    func hostileFrameTime(value: String) throws {
        let timing = CineTiming(dataset: try Self.dataset([(.frameTime, value), (.cineRate, "20")]), frames: 4)
        #expect(timing.source == .cineRate, "\(value)")
        #expect(timing.delays == [50, 50, 50, 50])
    }

    @Test("a vector of the wrong length is not used; absurd rates are clamped to 1...65535 ms")
    func vectorAndClamping() throws {
        let short = CineTiming(dataset: try Self.dataset([(.frameTimeVector, "0\\50")]), frames: 4)
        #expect(short.source == .defaultRate)
        let fast = CineTiming(dataset: try Self.dataset([(.cineRate, "9000")]), frames: 4)
        #expect(fast.delays.allSatisfy { $0 == 1 })
        let slow = CineTiming(dataset: try Self.dataset([(.frameTime, "1000000")]), frames: 4)
        #expect(slow.delays.allSatisfy { $0 == 65535 })
    }

    @Test("cine: several frames with a timing or a cine modality; a single frame or an MR multi-frame is not")
    func isCine() throws {
        #expect(CineTiming.isCine(dataset: try Self.dataset([]), frames: 4))
        #expect(CineTiming.isCine(dataset: try Self.dataset([(.frameTime, "40")], modality: "MR"), frames: 4))
        #expect(!CineTiming.isCine(dataset: try Self.dataset([], modality: "MR"), frames: 4))
        #expect(!CineTiming.isCine(dataset: try Self.dataset([], frames: 1), frames: 1))
    }
}
