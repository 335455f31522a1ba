import DicomIO
import Foundation
import Testing

@Suite("Every frame of multi-frame files renders as DCMTK renders it")
struct MultiFrameOracleTests {
    /// Multi-frame encapsulated files of the corpus, with and without a basic offset table.
    static let files: [String] = {
        let folder = Corpus.root + "/dicomParser/testImages/encapsulated/multi-frame"
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".dcm") }.sorted().map { folder + "/" + $0 }
    }()

    @Test(
        "frame N of each multi-frame file equals frame N of dcmj2pnm/dcml2pnm +Fa +Ww 500 2000",
        .enabled(if: Corpus.isAvailable && DCMTKOracle.has("dcmj2pnm"), Corpus.skipMessage))
    func everyFrame() throws {
        #expect(Self.files.count >= 6, "expected the dicomParser multi-frame files")
        for path in Self.files {
            let file = try DicomFile(path: path)
            let count = try file.frameCount()
            let references = try #require(
                try DCMTKOracle.renderAllFrames(path, transferSyntaxUID: file.transferSyntax.uid, frames: count))
            for frame in 0..<count {
                #expect(
                    try file.renderedFrame(frame, voi: .explicit(center: 500, width: 2000)).pixels
                        == references[frame].pixels, "\(path) frame \(frame + 1)")
            }
        }
    }
}
