import Foundation
import ProcessTestSupport
import Testing

/// A full disk under the data folder: senders are told "out of resources" (0xA700, so they keep the object and
/// retry), nothing half-written is left, and once space is freed the same object is stored.
@Suite(
    .serialized, .enabled(if: DicomServer.python != nil, DicomServer.skipMessage),
    .enabled(if: Tmpfs.canMount, "a tmpfs cannot be mounted here (needs root with CAP_SYS_ADMIN)"))
struct DicomFullDiskTests {
    @Test func aFullDiskAnswersOutOfResourcesThenTheRetryIsStored() throws {
        let dicom = try DicomServer(extra: ["--dicom-min-free-space", "1M"], tmpfs: "16m")
        let instance = dicom.root + "/instance.dcm"
        #expect(try dicom.peer("write-synthetic", ["7", instance]).first?["written"] != nil)

        let filler = dicom.data + "/filler"
        try Self.fill(filler)
        let refused = try #require(try dicom.peer("store", [instance]).first)
        #expect(refused["status"] as? Int == 0xA700, "out of resources: \(refused)")
        #expect((refused["comment"] as? String)?.contains("out of resources") == true, "\(refused)")
        #expect(dicom.staged.filter { !$0.hasPrefix(".") }.isEmpty, "nothing half-written: \(dicom.staged)")
        #expect(try dicom.store().instance(sopInstanceUID: DicomReceiverTests.syntheticInstance(7)) == nil)
        #expect(ProcessTable.isRunning(dicom.server.child.pid), "the server goes on")

        try FileManager.default.removeItem(atPath: filler)
        let stored = try #require(try dicom.peer("store", [instance]).first)
        #expect(stored["status"] as? Int == 0, "\(stored)")
        #expect(try dicom.store().instance(sopInstanceUID: DicomReceiverTests.syntheticInstance(7)) != nil)
    }

    /// Writes `path` until the file system has no byte left.
    static func fill(_ path: String) throws {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        try #require(descriptor >= 0)
        defer { close(descriptor) }
        let block = [UInt8](repeating: 0xAB, count: 64 << 10)
        var size = block.count
        while size > 0 {
            if block.withUnsafeBytes({ write(descriptor, $0.baseAddress, size) }) < 0 { size /= 2 }
        }
        fsync(descriptor)
    }
}
