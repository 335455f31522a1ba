import Foundation
import ProcessTestSupport
import Testing

/// DICOM TLS (`--dicom-tls-certificate/-key`, and `--dicom-tls-trusted` for mutual TLS) with DCMTK's echoscu as
/// the peer, over certificates made by openssl for the test.
@Suite(
    .serialized,
    .enabled(
        if: DicomServer.dcmtkAvailable && FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl"),
        "DCMTK's echoscu or openssl is missing (scripts/install-deps)"))
struct DicomTLSTests {
    /// A self-signed certificate and its key in `folder`, named `name`-cert.pem and `name`-key.pem.
    static func certificate(_ name: String, in folder: String) throws -> (certificate: String, key: String) {
        let (certificate, key) = (folder + "/\(name)-cert.pem", folder + "/\(name)-key.pem")
        let made = try ChildProcess.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "2",
                "-subj", "/CN=\(name)",
            ], output: folder + "/openssl.txt")
        try #require(made == 0, "openssl req")
        return (certificate, key)
    }

    static func tlsFolder() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("annulus-tls-\(UUID().uuidString)")
            .path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    @Test func echoOverTLSSucceedsAndPlainTCPIsRefused() throws {
        let folder = try Self.tlsFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try Self.certificate("annulus", in: folder)
        let dicom = try DicomServer(extra: [
            "--dicom-tls-certificate", server.certificate, "--dicom-tls-key", server.key,
        ])
        let secured = try dicom.dcmtk(
            "echoscu", ["-aet", "ECHOSCU", "-aec", "ANNULUS", "+tla", "+cf", server.certificate])
        #expect(secured.code == 0, "echo over TLS: \(secured.output)")
        let plain = try dicom.dcmtk("echoscu", ["-aet", "ECHOSCU", "-aec", "ANNULUS"])
        #expect(plain.code != 0, "a plain association to the TLS port fails: \(plain.output)")
    }

    @Test func withTrustedClientsOnlyASenderWithASignedCertificateGetsIn() throws {
        let folder = try Self.tlsFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = try Self.certificate("annulus", in: folder)
        let sender = try Self.certificate("sender", in: folder)
        let stranger = try Self.certificate("stranger", in: folder)
        let dicom = try DicomServer(extra: [
            "--dicom-tls-certificate", server.certificate, "--dicom-tls-key", server.key, "--dicom-tls-trusted",
            sender.certificate,
        ])
        let trusted = try dicom.dcmtk(
            "echoscu",
            ["-aet", "ECHOSCU", "-aec", "ANNULUS", "+tls", sender.key, sender.certificate, "+cf", server.certificate])
        #expect(trusted.code == 0, "the trusted sender: \(trusted.output)")
        let untrusted = try dicom.dcmtk(
            "echoscu",
            [
                "-aet", "ECHOSCU", "-aec", "ANNULUS", "+tls", stranger.key, stranger.certificate, "+cf",
                server.certificate,
            ])
        #expect(untrusted.code != 0, "a certificate the server does not trust: \(untrusted.output)")
        let anonymous = try dicom.dcmtk(
            "echoscu", ["-aet", "ECHOSCU", "-aec", "ANNULUS", "+tla", "+cf", server.certificate])
        #expect(anonymous.code != 0, "no client certificate: \(anonymous.output)")
    }
}
