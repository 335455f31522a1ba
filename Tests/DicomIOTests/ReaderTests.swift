import DicomIO
import Foundation
import Testing

@Suite("DicomIO reader")
struct ReaderTests {
    @Test("typed values: strings, integers, decimals, multi-values")
    func typedValues() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let path = try folder.writeImage("typed.dcm") { writer in
            try writer.set(.imagePositionPatient, [-12.5, 30, 7.25])
            try writer.set(.pixelSpacing, [0.5859375, 0.5859375])
            try writer.set(.instanceNumber, "42")
            try writer.set(.seriesDescription, "T2 SAG")
        }
        let data = try DicomFile(path: path).dataset
        #expect(data.doubles(.imagePositionPatient) == [-12.5, 30, 7.25])
        #expect(data.double(.pixelSpacing, index: 1) == 0.5859375)
        #expect(data.int(.instanceNumber) == 42)
        #expect(data.int(.rows) == 4)
        #expect(data.string(.seriesDescription) == "T2 SAG")
        #expect(data.strings(.imagePositionPatient) == ["-12.5", "30", "7.25"])
        #expect(data.vr(of: .rows) == "US")
        #expect(data.string(.patientName) == nil)
    }

    @Test(
        "strings are decoded to UTF-8 per SpecificCharacterSet",
        arguments: [
            (
                "ISO_IR 100", [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x5E, 0x4A, 0xF6, 0x72, 0x67] as [UInt8],
                "Müller^Jörg"
            ),
            ("ISO_IR 192", Array("Ωμέγα^Ζήτα".utf8), "Ωμέγα^Ζήτα"),
            ("", Array("SMITH^JOHN".utf8), "SMITH^JOHN"),
        ])
    func characterSets(charset: String, encoded: [UInt8], expected: String) throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let path = try folder.writeImage("charset.dcm") { writer in
            if !charset.isEmpty { try writer.set(.specificCharacterSet, charset) }
            try writer.set(.patientName, encodedBytes: encoded)
        }
        let file = try DicomFile(path: path)
        #expect(file.dataset.string(.patientName) == expected)
        #expect(file.warnings.isEmpty)
    }

    @Test("stored values: BitsStored masked and sign-extended")
    func storedValuesAreMaskedAndSignExtended() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        // 12 bits stored; the high nibble holds garbage a reader must ignore.
        let raw: [UInt16] = [0xF7FF, 0x0800, 0xA001, 0x0FFF, 0x1000, 0x5123]
        let signed = try folder.writeImage(
            "signed.dcm", rows: 2, columns: 3, bitsStored: 12, signed: true, samples: raw)
        #expect(try DicomFile(path: signed).storedFrame(0).samples == [2047, -2048, 1, -1, 0, 291])
        let unsigned = try folder.writeImage("unsigned.dcm", rows: 2, columns: 3, bitsStored: 12, samples: raw)
        #expect(try DicomFile(path: unsigned).storedFrame(0).samples == [2047, 2048, 1, 4095, 0, 291])
    }

    @Test("VOI choices: explicit, min-max, missing window")
    func voiSelection() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let path = try folder.writeImage("voi.dcm", rows: 1, columns: 3, samples: [0, 100, 200]) { writer in
            try writer.set(.windowCenter, "100")
            try writer.set(.windowWidth, "201")
        }
        let file = try DicomFile(path: path)
        let minMax = try file.renderedFrame(0, voi: .minMax).pixels
        // DCMTK's min-max window (width max - min) maps the extremes to 0 and 254, as dcmj2pnm +Wm does.
        #expect(minMax == [0, 127, 254])
        // PS3.3 C.11.2.1.2.1: y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255, clipped.
        #expect(try file.renderedFrame(0, voi: .fileWindow(0)).pixels == [0, 128, 255])
        #expect(try file.renderedFrame(0, voi: .explicit(center: 100, width: 10)).pixels == [0, 141, 255])
        let error = try #require(throws: DicomError.self) { try file.renderedFrame(0, voi: .fileWindow(3)) }
        #expect(error.kind == .noSuchWindow)
        #expect(error.message.contains("1 window"))
        let badWidth = try #require(throws: DicomError.self) {
            try file.renderedFrame(0, voi: .explicit(center: 0, width: 0))
        }
        #expect(badWidth.kind == .invalidArgument)
    }

    @Test("frame out of range names the frame count")
    func frameOutOfRange() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let file = try DicomFile(path: try folder.writeImage("one.dcm"))
        for index in [-1, 1, 99] {
            let error = try #require(throws: DicomError.self) { try file.storedFrame(index) }
            #expect(error.kind == .frameOutOfRange)
            #expect(error.message.contains("1 frame"))
        }
    }

    @Test("unreadable paths and non-DICOM bytes are named")
    func unreadableInput() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let missing = try #require(throws: DicomError.self) { try DicomFile(path: folder.file("absent.dcm")) }
        #expect(missing.kind == .unreadable)
        #expect(missing.description.hasPrefix(folder.file("absent.dcm")))
        let isFolder = try #require(throws: DicomError.self) { try DicomFile(path: folder.path) }
        #expect(isFolder.kind == .unreadable)
        try Data("hello, not an image".utf8).write(to: URL(fileURLWithPath: folder.file("text.dcm")))
        let text = try #require(throws: DicomError.self) { try DicomFile(path: folder.file("text.dcm")) }
        #expect(text.kind == .notDicom)
        try Data().write(to: URL(fileURLWithPath: folder.file("empty.dcm")))
        let empty = try #require(throws: DicomError.self) { try DicomFile(path: folder.file("empty.dcm")) }
        #expect(empty.message.contains("empty"))
    }

    @Test("header-only files refuse pixel access but describe the pixels")
    func headerOnly() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let path = try folder.writeImage("header.dcm")
        let file = try DicomFile(path: path, options: .headerOnly)
        #expect(try file.pixelDescription().rows == 4)
        let error = try #require(throws: DicomError.self) { try file.storedFrame(0) }
        #expect(error.kind == .headerOnly)
    }

    @Test("header-only reads never touch pixel data: a 1 GiB sparse image opens without memory growth")
    func headerOnlyDoesNotReadPixels() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        var raw = RawDicom()
        raw.meta()
        raw.element(0x0008, 0x0016, "UI", Array("1.2.840.10008.5.1.4.1.1.7\0".utf8))
        raw.element(0x0028, 0x0002, "US", raw.le16(1))
        raw.element(0x0028, 0x0004, "CS", Array("MONOCHROME2 ".utf8))
        raw.element(0x0028, 0x0008, "IS", Array("1024".utf8))
        raw.element(0x0028, 0x0010, "US", raw.le16(512))
        raw.element(0x0028, 0x0011, "US", raw.le16(1024))
        raw.element(0x0028, 0x0100, "US", raw.le16(16))
        raw.element(0x0028, 0x0101, "US", raw.le16(16))
        raw.element(0x0028, 0x0103, "US", raw.le16(0))
        let pixelBytes: UInt32 = 1024 * 512 * 1024 * 2
        raw.longElement(0x7FE0, 0x0010, "OW", length: pixelBytes, value: [])
        let path = folder.file("sparse.dcm")
        try raw.write(to: path)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(raw.bytes.count) + UInt64(pixelBytes))
        try handle.close()

        let before = peakResidentBytes()
        let summary = HeaderSummary.read(path: path)
        #expect(summary.status == .ok)
        #expect(summary.frames == 1024)
        let file = try DicomFile(path: path, options: .headerOnly)
        #expect(try file.pixelDescription().storedFrameBytes == 1_048_576)
        #expect(peakResidentBytes() - before < 64 << 20)
    }

    @Test("Enhanced MR per-frame functional groups are reachable", .enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func functionalGroups() throws {
        let file = try DicomFile(path: Corpus.file("dcm_qa_enh/In/Philips/IM_0027_fMAP.dcm"), options: .headerOnly)
        let perFrame = file.dataset.sequence(.perFrameFunctionalGroupsSequence)
        #expect(perFrame.count == 64)
        let positions = perFrame.compactMap {
            $0.sequence(.planePositionSequence).first?.doubles(.imagePositionPatient)
        }
        #expect(positions.count == 64)
        #expect(Set(positions.map { $0[2] }).count > 1)
        #expect(positions.allSatisfy { $0.count == 3 })
        let spacing =
            file.dataset.firstItem(through: [.sharedFunctionalGroupsSequence, .pixelMeasuresSequence])
            ?? perFrame.first?.sequence(.pixelMeasuresSequence).first
        #expect(spacing?.doubles(.pixelSpacing).count == 2)
    }

    @Test(
        "HTJ2K (OpenJPH): the lossy file decodes close to the lossless one",
        .enabled(if: Corpus.isAvailable, Corpus.skipMessage))
    func htj2kLossyNearLossless() throws {
        let lossless = try DicomFile(path: Corpus.file("pydicom-data/data_store/data/HTJ2KLossless_08_RGB.dcm"))
        let lossy = try DicomFile(path: Corpus.file("pydicom-data/data_store/data/HTJ2K_08_RGB.dcm"))
        let exact = try lossless.storedFrame(0)
        let near = try lossy.storedFrame(0)
        #expect(exact.colorModel == "RGB" && exact.width == 640 && exact.height == 480)
        #expect(exact.bytes.count == 640 * 480 * 3 && near.bytes.count == exact.bytes.count)
        let meanError =
            zip(exact.bytes, near.bytes).reduce(0.0) { $0 + abs(Double($1.0) - Double($1.1)) }
            / Double(exact.bytes.count)
        #expect(meanError < 4, "mean absolute difference \(meanError)")
        #expect(exact.bytes != near.bytes, "lossy is not bit-exact")
        #expect(Set(exact.bytes).count > 100, "a real picture, not a flat buffer")
    }

    @Test(
        "lossless encodings decode to identical stored values", .enabled(if: Corpus.isAvailable, Corpus.skipMessage),
        arguments: [
            (
                "dicom-test-files/data/WG04/REF/MR1_UNC",
                ["JPLL/MR1_JPLL", "JLSL/MR1_JLSL", "RLE/MR1_RLE", "J2KR/MR1_J2KR"]
            ),
            (
                "dicom-test-files/data/WG04/REF/XA1_UNC",
                ["JPLL/XA1_JPLL", "JLSL/XA1_JLSL", "RLE/XA1_RLE", "J2KR/XA1_J2KR"]
            ),
            (
                "pydicom-data/data_store/data/emri_small.dcm",
                [
                    "emri_small_RLE.dcm", "emri_small_big_endian.dcm", "emri_small_jpeg_ls_lossless.dcm",
                    "emri_small_jpeg_2k_lossless.dcm",
                ]
            ),
            ("pydicom/src/pydicom/data/test_files/MR_small.dcm", ["MR_small_jp2klossless.dcm"]),
            ("pydicom/src/pydicom/data/test_files/SC_rgb_rle.dcm", ["SC_rgb_gdcm_KY.dcm"]),
        ])
    func losslessEquivalence(reference: String, variants: [String]) throws {
        let base = try DicomFile(path: Corpus.file(reference))
        let frames = try base.frameCount()
        let folder = (reference as NSString).deletingLastPathComponent
        let root = folder.hasSuffix("REF") ? (folder as NSString).deletingLastPathComponent : folder
        for variant in variants {
            let other = try DicomFile(path: Corpus.file(root + "/" + variant))
            #expect(try other.frameCount() == frames)
            for frame in 0..<frames {
                #expect(
                    try other.storedFrame(frame).samples == base.storedFrame(frame).samples, "\(variant) frame \(frame)"
                )
            }
        }
    }

    private func peakResidentBytes() -> Int {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return usage.ru_maxrss * 1024
    }
}
