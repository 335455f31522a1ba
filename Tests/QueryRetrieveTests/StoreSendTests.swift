import Foundation
import ProcessTestSupport
import Testing

@testable import QueryRetrieve

/// `QueryProcess.store` against real peers: DCMTK's `storescp` receiving (and `dcmdump` reading what it wrote),
/// `dcmqrscp` rejecting a called AE title it does not serve, and a port nothing listens on.
@Suite(
    "C-STORE of local files to a PACS",
    .enabled(if: StoreSCP.dcmtkAvailable, "DCMTK's tools are missing: run scripts/install-deps (package dcmtk)"))
struct StoreSendTests {
    static let samples =
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path + "/SampleStudies"
    /// MR Image Storage in Explicit VR Little Endian.
    static let mrLittleEndian = samples + "/patient1-lumbar-mr/series-03-ax-t2/IM0001.dcm"
    /// X-Ray Radiofluoroscopic Image Storage in JPEG-LS Lossless.
    static let rfJPEGLS = samples + "/patient1-fluoroscopy/series-01-rf-cine/IM0001.dcm"

    @Test("two files of two SOP classes are stored; storescp wrote the same instances, the JPEG-LS one as JPEG-LS")
    func storesTwoFiles() throws {
        let scp = try StoreSCP(options: ["+xa"])
        let results = try QueryProcess().store([Self.mrLittleEndian, Self.rfJPEGLS], on: scp.peer)
        #expect(results.map(\.path) == [Self.mrLittleEndian, Self.rfJPEGLS])
        #expect(results.allSatisfy { $0.isSuccess && $0.status == 0x0000 && $0.comment == nil }, "\(results)")
        let received = scp.files
        #expect(received.count == 2, "\(received)")
        let sentUIDs = try Set([Self.mrLittleEndian, Self.rfJPEGLS].map { try scp.dump("0008,0018", $0) })
        let receivedUIDs = try Set(received.map { try scp.dump("0008,0018", $0) })
        #expect(sentUIDs.count == 2 && receivedUIDs == sentUIDs)
        // Sent in its own transfer syntax (storescp writes what it received), not converted.
        let rf = try #require(received.first { $0.hasPrefix(scp.received + "/RF") })
        #expect(try scp.dump("0002,0010", rf) == "1.2.840.10008.1.2.4.80")
        #expect(try scp.dump("0008,0016", rf) == "1.2.840.10008.5.1.4.1.1.12.2")
    }

    @Test(
        "a file that is not DICOM, a SOP class and a transfer syntax the peer refuses: each a failure of its own file")
    func perFileFailures() throws {
        let scp = try StoreSCP()  // uncompressed transfer syntaxes and known storage SOP classes only
        let text = scp.root + "/notes.txt"
        try "not a DICOM file\n".write(toFile: text, atomically: true, encoding: .utf8)
        let privateClass = scp.root + "/private-class.dcm"
        try FileManager.default.copyItem(atPath: Self.mrLittleEndian, toPath: privateClass)
        let modified = try ChildProcess.run(
            "/usr/bin/dcmodify", ["-nb", "-m", "(0008,0016)=1.2.826.0.1.3680043.9.7433.1.1", privateClass])
        #expect(modified == 0)
        let paths = [text, Self.mrLittleEndian, Self.rfJPEGLS, privateClass]
        let results = try QueryProcess().store(paths, on: scp.peer)
        #expect(results.map(\.path) == paths)
        #expect(results.map(\.isSuccess) == [false, true, false, false], "\(results)")
        #expect(!results[0].wasSent && results[0].comment?.contains("not a DICOM Part-10 file") == true)
        #expect(!results[2].wasSent && results[2].comment?.contains("cannot be converted") == true, "\(results[2])")
        #expect(!results[3].wasSent && results[3].comment?.contains("does not accept its SOP class") == true)
        #expect(results.allSatisfy { !$0.isTransient })
        #expect(scp.files.count == 1)
        #expect(try scp.files.map { try scp.dump("0008,0018", $0) } == [try scp.dump("0008,0018", Self.mrLittleEndian)])
        // Nothing the peer accepts at all (no presentation context accepted): still one outcome per file.
        let missing = scp.root + "/missing.dcm"
        let none = try QueryProcess().store([privateClass, missing], on: scp.peer)
        #expect(none.map(\.wasSent) == [false, false], "\(none)")
        #expect(none[0].comment?.contains("does not accept its SOP class") == true, "\(none)")
        #expect(none[1].comment?.contains("No such file or directory") == true, "\(none)")
    }

    @Test("nothing listening: unreachable, naming host:port and AE, transient")
    func peerDown() throws {
        let port = FlakyFHIRServer.unusedPort()
        let peer = PACSPeer(host: "127.0.0.1", port: port, calledAETitle: "NOBODY")
        let error = try #require(throws: PACSError.self) { try QueryProcess().store([Self.mrLittleEndian], on: peer) }
        #expect(error.kind == .unreachable && error.isTransient)
        #expect(error.message.contains("127.0.0.1:\(port)") && error.message.contains("NOBODY"), "\(error)")
    }

    @Test("a called AE title the peer does not serve: rejected permanently, the message says which title to check")
    func calledAERejected() throws {
        let qr = try QRSCP(aeTitle: "ARCHIVE")
        let peer = PACSPeer(host: "127.0.0.1", port: qr.port, calledAETitle: "WRONGAE")
        let error = try #require(throws: PACSError.self) { try QueryProcess().store([Self.mrLittleEndian], on: peer) }
        #expect(error.kind == .rejected && !error.isTransient, "\(error)")
        #expect(error.message.contains("WRONGAE@127.0.0.1:\(qr.port)"), "\(error)")
        #expect(error.message.contains("called AE title not recognized"), "\(error)")
        // The right title is accepted, and dcmqrscp stores the file.
        let right = PACSPeer(host: "127.0.0.1", port: qr.port, calledAETitle: "ARCHIVE")
        #expect(try QueryProcess().store([Self.mrLittleEndian], on: right).map(\.isSuccess) == [true])
    }

    @Test("requests that cannot be sent, and how the query process's failures are classified")
    func classification() throws {
        let process = try QueryProcess()
        let peer = PACSPeer(host: "127.0.0.1", port: 104, calledAETitle: "PACS")
        #expect(try process.store([], on: peer) == [])
        #expect(throws: PACSError.self) { try process.store(["bad\u{0}path"], on: peer) }
        var limited = process
        limited.limits.maximumStoreFiles = 1
        let tooMany = try #require(throws: PACSError.self) { try limited.store(["a", "b"], on: peer) }
        #expect(tooMany.kind == .invalidRequest && !tooMany.isTransient)
        func error(_ code: Int, _ detail: String) -> PACSError? {
            do throws(PACSError) {
                try QueryProcess.failure(in: [["failed", String(code), detail]], peer: peer)
                return nil
            } catch {
                return error
            }
        }
        let busy = try #require(error(7, "transient rejection, local limit exceeded; result 2, source 3, reason 2"))
        #expect(busy.kind == .rejected && busy.isTransient && busy.message.contains("try again later"))
        let calling = try #require(error(2, "permanent rejection, calling AE title not recognized"))
        #expect(calling.kind == .rejected && !calling.isTransient && calling.message.contains("ANNULUS"))
        #expect(error(4, "DIMSE timeout")?.isTransient == true && error(5, "aborted")?.isTransient == true)
        #expect(error(6, "bad")?.isTransient == false && error(3, "none")?.isTransient == false)
        let stored = StoredFile(path: "x", status: 0xB007, comment: nil)
        #expect(stored.isSuccess && stored.isWarning && stored.statusText == "0xB007")
        let full = StoredFile(path: "x", status: 0xA700, comment: "disk full")
        #expect(!full.isSuccess && full.isTransient && full.meaning == "out of resources")
        #expect(!StoredFile(path: "x", status: 0xFFFF, comment: "why").wasSent)
    }
}

/// DCMTK's `storescp` (AE title STORESCP) on a free loopback port, writing what it receives into `received`; killed
/// and its folder removed when released.
final class StoreSCP {
    /// Whether DCMTK's tools the tests use are installed.
    static let dcmtkAvailable = ["storescp", "echoscu", "dcmdump", "dcmodify", "dcmqrscp"].allSatisfy {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/" + $0)
    }

    let root: String
    let received: String
    let port: Int
    let child: ChildProcess

    /// Starts it with `options` (e.g. `+xa`: every transfer syntax) and waits until it answers a C-ECHO.
    init(options: [String] = []) throws {
        root =
            FileManager.default.temporaryDirectory.appendingPathComponent("annulus-storescp-\(UUID().uuidString)")
            .path
        received = root + "/received"
        try FileManager.default.createDirectory(atPath: received, withIntermediateDirectories: true)
        port = FlakyFHIRServer.unusedPort()
        child = try ChildProcess(
            ["/usr/bin/storescp", "--aetitle", "STORESCP", "--output-directory", received] + options + [String(port)],
            output: root + "/storescp.log")
        try StoreSCP.waitForEcho(port: port, calledAE: "STORESCP", child: child)
    }

    deinit {
        child.kill()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// The peer to send to.
    var peer: PACSPeer { PACSPeer(host: "127.0.0.1", port: port, calledAETitle: "STORESCP") }

    /// The files storescp wrote.
    var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: received)) ?? []).sorted().map { received + "/" + $0 }
    }

    /// The value of `tag` (`gggg,eeee`) in the DICOM file at `path`, as `dcmdump` reads it.
    func dump(_ tag: String, _ path: String) throws -> String? {
        let output = root + "/dcmdump-\(UUID().uuidString).txt"
        let code = try ChildProcess.run("/usr/bin/dcmdump", ["-q", "-Un", "+P", tag, path], output: output)
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        #expect(code == 0, "dcmdump \(path): \(text)")
        guard let open = text.firstIndex(of: "["), let close = text[open...].firstIndex(of: "]") else { return nil }
        return String(text[text.index(after: open)..<close])
    }

    /// Waits up to 20 s for a C-ECHO on `port` to succeed; throws when it does not, or when `child` ends.
    static func waitForEcho(port: Int, calledAE: String, child: ChildProcess) throws {
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            let code = try ChildProcess.run(
                "/usr/bin/echoscu", ["-aec", calledAE, "127.0.0.1", String(port)], timeout: 10)
            if code == 0 { return }
            if child.wait(timeout: 0.1) != nil { break }
        }
        child.kill()
        throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the peer on \(port) did not start"])
    }
}

/// DCMTK's `dcmqrscp` serving one AE title (any calling AE, storage into a folder of its own): it rejects an
/// association calling another title ("called AE title not recognized").
final class QRSCP {
    let root: String
    let port: Int
    let child: ChildProcess

    /// Starts it serving `aeTitle` and waits until it answers a C-ECHO.
    init(aeTitle: String) throws {
        root =
            FileManager.default.temporaryDirectory.appendingPathComponent("annulus-dcmqrscp-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: root + "/db", withIntermediateDirectories: true)
        port = FlakyFHIRServer.unusedPort()
        let config = """
            NetworkTCPPort  = \(port)
            MaxPDUSize      = 16384
            MaxAssociations = 4

            HostTable BEGIN
            HostTable END

            VendorTable BEGIN
            VendorTable END

            AETable BEGIN
            \(aeTitle) \(root)/db RW (100, 64mb) ANY
            AETable END

            """
        try config.write(toFile: root + "/dcmqrscp.cfg", atomically: true, encoding: .utf8)
        child = try ChildProcess(
            ["/usr/bin/dcmqrscp", "-c", root + "/dcmqrscp.cfg"], output: root + "/dcmqrscp.log")
        try StoreSCP.waitForEcho(port: port, calledAE: aeTitle, child: child)
    }

    deinit {
        child.kill()
        try? FileManager.default.removeItem(atPath: root)
    }
}
