import DicomIO
import Foundation
import Testing

@Suite("Hostile input")
struct HostileInputTests {
    @Test(
        "nesting within the bound is read; beyond it is refused before DCMTK parses", arguments: [5, 64, 65, 200_000])
    func nestingBound(depth: Int) throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        var raw = RawDicom()
        raw.meta()
        raw.element(0x0008, 0x0016, "UI", Array("1.2.840.10008.5.1.4.1.1.7\0".utf8))
        raw.nestedSequences(depth: depth)
        let path = folder.file("nested.dcm")
        try raw.write(to: path)
        if depth <= 64 {
            let file = try DicomFile(path: path)
            var level = file.dataset.sequence(DicomTag(0x0040, 0xA730)).first
            var seen = level == nil ? 0 : 1
            while let next = level?.sequence(DicomTag(0x0040, 0xA730)).first {
                level = next
                seen += 1
            }
            #expect(seen == depth)
        } else {
            let error = try #require(throws: DicomError.self) { try DicomFile(path: path) }
            #expect(error.kind == .nestingTooDeep)
            #expect(error.message.contains("64"))
        }
    }

    @Test("the nesting bound is configurable")
    func configurableNesting() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        var raw = RawDicom()
        raw.meta()
        raw.nestedSequences(depth: 10)
        let path = folder.file("nested.dcm")
        try raw.write(to: path)
        #expect(throws: DicomError.self) { try DicomFile(path: path, options: DicomReadOptions(maxSequenceDepth: 9)) }
        #expect(throws: Never.self) { try DicomFile(path: path, options: DicomReadOptions(maxSequenceDepth: 10)) }
    }

    @Test("65535 x 65535 declared over a few bytes, and absurd frame counts, are refused without allocating")
    func memoryBombs() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let huge = try folder.writeImage("huge.dcm", rows: 2, columns: 2) { writer in
            try writer.set(.rows, "65535")
            try writer.set(.columns, "65535")
        }
        let hugeError = try #require(throws: DicomError.self) { try DicomFile(path: huge).storedFrame(0) }
        #expect(hugeError.kind == .malformed)
        #expect(hugeError.message.contains("65535 x 65535"))
        let frames = try folder.writeImage("frames.dcm", rows: 2, columns: 2) { writer in
            try writer.set(.numberOfFrames, "2147483647")
        }
        let framesError = try #require(throws: DicomError.self) { try DicomFile(path: frames).renderedFrame(0) }
        #expect(framesError.kind == .malformed)
        #expect(framesError.message.contains("2147483647 frame"))
    }

    @Test("the per-image memory bound is enforced and configurable")
    func memoryBound() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let path = try folder.writeImage("big.dcm", rows: 256, columns: 256)
        let small = DicomReadOptions(maxDecodedBytes: 64 * 1024)
        let error = try #require(throws: DicomError.self) { try DicomFile(path: path, options: small).storedFrame(0) }
        #expect(error.kind == .tooLarge)
        #expect(error.message.contains("131072 bytes"))
        #expect(try DicomFile(path: path).storedFrame(0).bytes.count == 131_072)
    }

    @Test("truncation at any byte gives a clear error or a valid read, never a crash")
    func truncationAnywhere() throws {
        let folder = try TestFolder()
        defer { folder.remove() }
        let source = try folder.writeImage("whole.dcm", rows: 8, columns: 8) { writer in
            try writer.set(.patientName, "TEST^PATIENT")
            try writer.set(.imagePositionPatient, [1, 2, 3])
        }
        let whole = try [UInt8](Data(contentsOf: URL(fileURLWithPath: source)))
        let cut = folder.file("cut.dcm")
        var failures = 0
        for length in 0..<whole.count {
            try Data(whole[0..<length]).write(to: URL(fileURLWithPath: cut))
            do {
                let file = try DicomFile(path: cut)
                _ = try file.storedFrame(0)
                Issue.record("a file cut to \(length) of \(whole.count) bytes decoded")
            } catch {
                failures += 1
                #expect(!error.message.isEmpty)
                #expect(error.kind != .internal, "\(error)")
            }
        }
        #expect(failures == whole.count)
    }
}
