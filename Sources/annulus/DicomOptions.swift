import AnnulusApp
import ArgumentParser
import TextSafety
import DicomNetwork
import Foundation

/// `annulus serve`'s DICOM Storage SCP options (docs/operations.md, "Receiving studies by DICOM";
/// docs/conformance.md).
struct DicomOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Also receive studies by DICOM (C-STORE, C-ECHO) on this port, e.g. 11112 (0: any free port).",
            valueName: "port"))
    var dicomPort: Int?

    @Option(help: ArgumentHelp("Address the DICOM port listens on (default: every address).", valueName: "address"))
    var dicomHost = "0.0.0.0"

    @Option(help: ArgumentHelp("This node's AE title (default ANNULUS).", valueName: "title"))
    var dicomAe = "ANNULUS"

    @Option(
        help: ArgumentHelp(
            "Calling AE titles that may send, comma-separated (required with --dicom-port; '*' for any).",
            valueName: "titles"))
    var dicomAllow: String?

    @Option(help: ArgumentHelp("Associations at once (default 8; more are rejected for now).", valueName: "n"))
    var dicomMaxAssociations: UInt32 = 8

    @Option(help: ArgumentHelp("Associations from one address at once (default 0: no limit).", valueName: "n"))
    var dicomMaxPerPeer: UInt32 = 0

    @Option(help: ArgumentHelp("Largest PDU received, in bytes (default 65536).", valueName: "bytes"))
    var dicomMaxPdu: UInt32 = 65536

    @Option(help: ArgumentHelp("Seconds a peer may be silent (default 60).", valueName: "seconds"))
    var dicomIdleTimeout: UInt32 = 60

    @Option(help: ArgumentHelp("Seconds an association may last in all (default 3600).", valueName: "seconds"))
    var dicomAssociationTimeout: UInt32 = 3600

    @Option(help: ArgumentHelp("Largest object accepted, e.g. 2G (default) or 512M.", valueName: "size"))
    var dicomMaxObjectSize = "2G"

    @Option(
        help: ArgumentHelp(
            "Free space to keep on the data folder's disk: below it objects are refused 'out of resources' (default 64M).",
            valueName: "size"))
    var dicomMinFreeSpace = "64M"

    @Option(help: ArgumentHelp("PEM certificate chain: DICOM TLS (with --dicom-tls-key).", valueName: "file"))
    var dicomTlsCertificate: String?

    @Option(help: ArgumentHelp("PEM private key of --dicom-tls-certificate.", valueName: "file"))
    var dicomTlsKey: String?

    @Option(
        help: ArgumentHelp(
            "PEM certificates that sign the senders' certificates: senders must present one (mutual TLS).",
            valueName: "file"))
    var dicomTlsTrusted: String?

    func validate() throws {
        guard dicomPort != nil else { return }
        _ = try settings()
    }

    /// The listener's settings, or nil without `--dicom-port`.
    func settings() throws -> DicomListenerSettings? {
        guard let dicomPort else { return nil }
        guard (0...65535).contains(dicomPort) else { throw ValidationError("--dicom-port must be 0 to 65535") }
        var settings = DicomListenerSettings()
        settings.host = dicomHost
        settings.port = dicomPort
        settings.aeTitle = dicomAe
        let titles = (dicomAllow ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        settings.callingAETitles = titles == ["*"] ? .any : .only(titles)
        settings.maxAssociations = dicomMaxAssociations
        settings.maxAssociationsPerPeer = dicomMaxPerPeer
        settings.maxPDU = dicomMaxPdu
        settings.idleTimeout = dicomIdleTimeout
        settings.associationDeadline = dicomAssociationTimeout
        guard let size = FrameCache.byteCount(dicomMaxObjectSize), size > 0 else {
            throw ValidationError("--dicom-max-object-size must be a size such as 512M or 2G")
        }
        settings.maxObjectBytes = UInt64(size)
        guard let reserve = FrameCache.byteCount(dicomMinFreeSpace) else {
            throw ValidationError("--dicom-min-free-space must be a size such as 64M or 1G (0 keeps nothing)")
        }
        settings.minimumFreeBytes = UInt64(reserve)
        if (dicomTlsCertificate == nil) != (dicomTlsKey == nil) {
            throw ValidationError("give --dicom-tls-certificate and --dicom-tls-key together")
        }
        if let certificate = dicomTlsCertificate, let key = dicomTlsKey {
            for file in [certificate, key] + (dicomTlsTrusted.map { [$0] } ?? []) where access(file, R_OK) != 0 {
                throw ValidationError("cannot read \(file.terminalSafe)")
            }
            settings.tls = .init(certificate: certificate, privateKey: key, trustedClients: dicomTlsTrusted)
        } else if dicomTlsTrusted != nil {
            throw ValidationError("--dicom-tls-trusted needs --dicom-tls-certificate and --dicom-tls-key")
        }
        let problems = settings.problems()
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "; ").terminalSafe) }
        return settings
    }
}
