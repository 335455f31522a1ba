import DicomIO
import Foundation

/// Builds DICOM files of a precise shape for tests, in a fresh temporary folder.
struct TestFolder {
    let path: String

    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-tests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// A small monochrome image written through DCMTK.
    func writeImage(
        _ name: String, rows: Int = 4, columns: Int = 3, bitsStored: Int = 16, signed: Bool = false,
        samples: [UInt16]? = nil, extra: (DicomWriter) throws -> Void = { _ in }
    ) throws -> String {
        let writer = try DicomWriter()
        try writer.set(.sopClassUID, "1.2.840.10008.5.1.4.1.1.4")
        try writer.set(.sopInstanceUID, "1.2.3.4.5.6")
        try writer.set(.studyInstanceUID, "1.2.3.4")
        try writer.set(.seriesInstanceUID, "1.2.3.4.5")
        try writer.set(.modality, "MR")
        try writer.setMonochromePixelModule(
            rows: rows, columns: columns, bitsAllocated: 16, bitsStored: bitsStored, signed: signed)
        try extra(writer)
        try writer.setPixels(samples ?? (0..<(rows * columns)).map { UInt16(truncatingIfNeeded: $0 * 100) })
        let path = file(name)
        try writer.write(to: path, transferSyntax: .explicitVRLittleEndian)
        return path
    }
}

/// Raw DICOM bytes, for structures DCMTK will not write (deep nesting, lies about lengths).
struct RawDicom {
    var bytes: [UInt8] = Array(repeating: 0, count: 128) + Array("DICM".utf8)

    /// Adds the file meta group with `transferSyntax`.
    mutating func meta(transferSyntax: String = "1.2.840.10008.1.2.1") {
        var uid = Array(transferSyntax.utf8)
        if uid.count % 2 == 1 { uid.append(0) }
        element(0x0002, 0x0010, "UI", uid)
    }

    /// An explicit VR little endian element with a short (2-byte) length.
    mutating func element(_ group: UInt16, _ number: UInt16, _ vr: String, _ value: [UInt8]) {
        tag(group, number)
        bytes += Array(vr.utf8)
        bytes += le16(UInt16(value.count))
        bytes += value
    }

    /// An element with a 4-byte length (OB, OW, SQ, UN...), optionally lying about its length.
    mutating func longElement(_ group: UInt16, _ number: UInt16, _ vr: String, length: UInt32, value: [UInt8]) {
        tag(group, number)
        bytes += Array(vr.utf8) + [0, 0]
        bytes += le32(length)
        bytes += value
    }

    mutating func tag(_ group: UInt16, _ number: UInt16) { bytes += le16(group) + le16(number) }

    /// Sequences nested `depth` deep, each of undefined length with one undefined-length item.
    mutating func nestedSequences(depth: Int) {
        for _ in 0..<depth {
            longElement(0x0040, 0xA730, "SQ", length: 0xFFFF_FFFF, value: [])
            tag(0xFFFE, 0xE000)
            bytes += le32(0xFFFF_FFFF)
        }
        for _ in 0..<depth {
            tag(0xFFFE, 0xE00D)
            bytes += le32(0)
            tag(0xFFFE, 0xE0DD)
            bytes += le32(0)
        }
    }

    func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }

    func write(to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }
}
