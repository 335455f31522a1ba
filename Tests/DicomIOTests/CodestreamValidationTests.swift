import DicomIO
import Foundation
import Testing

/// Compressed frames whose headers would crash, hang or mislead the codecs (DCMTK's per-frame RLE decoder,
/// OpenJPEG, OpenJPH) are refused by the shim's header checks, naming the field. Each file is a corpus file
/// with bytes of its first frame patched at test time.
@Suite("Codestream validation", .enabled(if: Corpus.isAvailable, Corpus.skipMessage))
struct CodestreamValidationTests {
    /// One patched header field and the words the refusal must contain.
    struct Case: CustomTestStringConvertible, Sendable {
        enum Place: Sendable {
            /// Bytes from the start of the first frame (RLE header).
            case frame(Int)
            /// Bytes after the length field of a JPEG 2000 marker segment of the main header.
            case marker(UInt16, Int)
        }
        var name: String
        var file: String
        var place: Place
        var bytes: [UInt8]
        var expected: [String]
        var testDescription: String { name }
    }

    static let rle = "pydicom/src/pydicom/data/test_files/MR_small_RLE.dcm"
    static let j2k = "pydicom/src/pydicom/data/test_files/MR_small_jp2klossless.dcm"
    static let htj2k = "pydicom-data/data_store/data/HTJ2KLossless_08_RGB.dcm"
    static let siz: UInt16 = 0xFF51
    static let cod: UInt16 = 0xFF52

    static let cases: [Case] = [
        // DCMTK's per-frame RLE decoder reads wherever a segment offset points (SIGSEGV).
        Case(
            name: "RLE segment offset past the fragment", file: rle, place: .frame(8), bytes: [0, 0, 0, 0x40],
            expected: ["RLE header of frame 1", "segment 2", "offset 1073741824", "past the end"]),
        Case(
            name: "RLE segment count against samples x bytes", file: rle, place: .frame(0), bytes: [3, 0, 0, 0],
            expected: ["segment count of 3", "need 2"]),
        Case(
            name: "RLE first offset not 64", file: rle, place: .frame(4), bytes: [60, 0, 0, 0],
            expected: ["segment 1", "offset 60", "must be 64"]),
        Case(
            name: "J2K progression order", file: j2k, place: .marker(cod, 1), bytes: [7],
            expected: ["JPEG 2000 COD", "progression order is 7"]),
        Case(
            name: "J2K decomposition levels", file: j2k, place: .marker(cod, 5), bytes: [40],
            expected: ["JPEG 2000 COD", "40 decomposition levels"]),
        Case(
            name: "J2K code-block exponent", file: j2k, place: .marker(cod, 6), bytes: [9],
            expected: ["code-block size exponents", "coded xcb 9"]),
        Case(
            name: "J2K tile width 0", file: j2k, place: .marker(siz, 18), bytes: [0, 0, 0, 0],
            expected: ["JPEG 2000 SIZ", "XTsiz = 0"]),
        // OpenJPH 0.9: assertion (abort), SIGFPE, endless loop, multi-gigabyte allocation.
        Case(
            name: "HTJ2K progression order", file: htj2k, place: .marker(cod, 1), bytes: [7],
            expected: ["HTJ2K COD", "progression order is 7"]),
        Case(
            name: "HTJ2K transform", file: htj2k, place: .marker(cod, 9), bytes: [5],
            expected: ["HTJ2K COD", "wavelet transform is 5"]),
        Case(
            name: "HTJ2K decomposition levels beyond the image", file: htj2k, place: .marker(cod, 5), bytes: [20],
            expected: ["HTJ2K COD", "20 decomposition levels", "640 x 480"]),
        Case(
            name: "HTJ2K code-block exponents", file: htj2k, place: .marker(cod, 6), bytes: [10, 10],
            expected: ["HTJ2K COD", "coded xcb 10, ycb 10"]),
        Case(
            name: "HTJ2K 9-7 wavelet without expounded quantization", file: htj2k, place: .marker(cod, 9),
            bytes: [0], expected: ["HTJ2K QCD quantization style is 0 with the 9-7 wavelet"]),
        Case(
            name: "HTJ2K quality layers", file: htj2k, place: .marker(cod, 2), bytes: [0, 0],
            expected: ["HTJ2K COD", "0 quality layers"]),
        Case(
            name: "HTJ2K tile width 0", file: htj2k, place: .marker(siz, 18), bytes: [0, 0, 0, 0],
            expected: ["HTJ2K SIZ", "XTsiz = 0"]),
        Case(
            name: "HTJ2K tile origin past the image origin", file: htj2k, place: .marker(siz, 30), bytes: [0, 0, 0, 1],
            expected: ["HTJ2K SIZ", "YTOsiz = 1", "YOsiz = 0"]),
        Case(
            name: "HTJ2K image size against Rows/Columns", file: htj2k, place: .marker(siz, 2), bytes: [0, 0, 2, 0x81],
            expected: ["HTJ2K image is 641 x 480", "640 x 480"]),
    ]

    @Test("a crafted header is refused when the frame is decoded, naming the field", arguments: cases)
    func refused(_ crafted: Case) throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: Corpus.file(crafted.file))))
        let found = Self.firstFragment(bytes)
        let frame = try #require(found, "no encapsulated first fragment in \(crafted.file)")
        let position: Int
        switch crafted.place {
        case .frame(let offset): position = frame + offset
        case .marker(let marker, let offset):
            let segment = Self.segment(marker, in: bytes, codestream: frame)
            position = try #require(segment, "no marker \(marker) in the main header") + offset
        }
        bytes.replaceSubrange(position..<position + crafted.bytes.count, with: crafted.bytes)
        let path = folder.file("crafted.dcm")
        try Data(bytes).write(to: URL(fileURLWithPath: path))

        let file = try DicomFile(path: path)  // the header stays readable
        _ = try file.pixelDescription()
        let error = try #require(throws: DicomError.self) { try file.storedFrame(0) }
        #expect(error.kind == .decodeFailed)
        for words in crafted.expected {
            #expect(error.message.contains(words), "\(error.message)")
        }
    }

    @Test("rendering checks the RLE header too (DCMTK's image pipeline decodes frames itself)")
    func renderingRefusesBadRLE() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        var bytes = try [UInt8](
            Data(
                contentsOf: URL(
                    fileURLWithPath: Corpus.file("pydicom/src/pydicom/data/test_files/SC_rgb_rle_2frame.dcm"))))
        let found = Self.firstFragment(bytes)
        let frame = try #require(found)
        bytes.replaceSubrange(frame + 12..<frame + 16, with: [0xD0, 0x01, 0xFF, 0xFF])  // segment 3 offset
        let path = folder.file("crafted.dcm")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let error = try #require(throws: DicomError.self) { try DicomFile(path: path).renderedFrame(0) }
        #expect(error.kind == .decodeFailed)
        #expect(error.message.contains("segment 3"), "\(error.message)")
        #expect(error.message.contains("offset 4294902224"), "\(error.message)")
        #expect(throws: Never.self) { try DicomFile(path: path).renderedFrame(1) }  // the other frame is intact
    }

    @Test("the unpatched files decode")
    func originalsDecode() throws {
        for name in [Self.rle, Self.j2k, Self.htj2k] {
            let file = try DicomFile(path: Corpus.file(name))
            #expect(throws: Never.self) { try file.storedFrame(0) }
        }
    }

    /// Offset of the first fragment's bytes (after the basic offset table) of top-level encapsulated PixelData
    /// (explicit VR OB or OW of undefined length).
    static func firstFragment(_ bytes: [UInt8]) -> Int? {
        let header: [UInt8] = [0xE0, 0x7F, 0x10, 0x00, 0x4F, 0x42, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF]
        guard bytes.count > header.count else { return nil }
        func matches(_ at: Int) -> Bool {
            (0..<header.count).allSatisfy { i in
                bytes[at + i] == header[i] || (i == 5 && bytes[at + i] == 0x57)  // OW
            }
        }
        var index = bytes.count - header.count
        while index >= 0, !matches(index) { index -= 1 }
        guard index >= 0 else { return nil }
        let table = index + header.count
        guard table + 8 <= bytes.count else { return nil }
        let tableLength = Int(little32(bytes, table + 4))
        let fragment = table + 8 + tableLength
        return fragment + 8 <= bytes.count ? fragment + 8 : nil
    }

    /// Offset of the byte after the length field of `marker` in the main header of the codestream at `start`.
    static func segment(_ marker: UInt16, in bytes: [UInt8], codestream start: Int) -> Int? {
        var position = start + 2
        while position + 4 <= bytes.count {
            let found = UInt16(bytes[position]) << 8 | UInt16(bytes[position + 1])
            if found == marker { return position + 4 }
            if found == 0xFF90 { return nil }
            position += 2 + (Int(bytes[position + 2]) << 8 | Int(bytes[position + 3]))
        }
        return nil
    }

    static func little32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
    }
}
