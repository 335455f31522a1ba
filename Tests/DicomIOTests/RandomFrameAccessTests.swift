import Foundation
import Testing

@testable import DicomIO

/// Any frame decodes on its own, whatever was decoded before with the same open file: a decoder worker gets the
/// frames of one file in whatever order the pool hands them out (two workers, each with its own open file), and a
/// cine's renderers each take every n-th frame. JPEG and JPEG-LS files without a basic offset table whose frames
/// span several fragments are the hard case: DCMTK 3.6.7 finds frame N only from where frame N-1 ended.
@Suite("Random frame access", .enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct RandomFrameAccessTests {
    /// Multi-frame files with several fragments per frame and an empty basic offset table (and one RLE file with
    /// a table, as a control).
    static let files = [
        "CT0012.fragmented_no_bot_jpeg_baseline.51.dcm", "CT0012.fragmented_no_bot_jpeg_lossless.57.dcm",
        "CT0012.fragmented_no_bot_jpeg_lossless.70.dcm", "CT0012.fragmented_no_bot_jpeg_ls.80.dcm",
        "CT0012.fragmented_no_bot_jpeg_ls.81.dcm", "CT0012.not_fragmented_bot_rle.dcm",
        "IM00001.fragmented_no_bot_jpeg_baseline.50.dcm",
    ].map { Corpus.file("dicomParser/testImages/encapsulated/multi-frame/" + $0) }

    /// Every frame, decoded in order with one open file (the way that always worked).
    static func inOrder(_ path: String) throws -> [StoredFrame] {
        let file = try DicomFile(path: path, options: DicomReadOptions(decoding: .inProcess))
        return try (0..<file.frameCount()).map { try file.storedFrame($0) }
    }

    @Test("in process: each frame from a freshly opened file, and all frames backwards, equal the frames in order")
    func inProcess() throws {
        for path in Self.files {
            let expected = try Self.inOrder(path)
            try #require(expected.count > 1, "\(path)")
            for frame in expected.indices.reversed() {
                let fresh = try DicomFile(path: path, options: DicomReadOptions(decoding: .inProcess))
                #expect(try fresh.storedFrame(frame).bytes == expected[frame].bytes, "\(path) frame \(frame)")
            }
            let backwards = try DicomFile(path: path, options: DicomReadOptions(decoding: .inProcess))
            for frame in expected.indices.reversed() {
                #expect(try backwards.storedFrame(frame).bytes == expected[frame].bytes, "\(path) frame \(frame)")
            }
        }
    }

    @Test("in a worker: a frame other than the first, asked of a worker that never saw the file, decodes")
    func freshWorker() throws {
        let options = DicomReadOptions(decodeTimeoutSeconds: 30)
        for path in Self.files {
            let expected = try Self.inOrder(path)
            let last = expected.count - 1
            let pool = DecoderPool(capacity: 1)
            let decoded = try pool.storedFrame(
                path: path, frame: last, options: options, expectedBytes: expected[last].bytes.count)
            #expect(decoded.bytes == expected[last].bytes, "\(path) frame \(last)")
        }
    }
}
