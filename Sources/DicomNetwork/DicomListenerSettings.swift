import Foundation
import QueryRetrieve

/// How the DICOM Storage SCP listens and what it accepts (`annulus serve --dicom-port …`, docs/conformance.md).
public struct DicomListenerSettings: Sendable, Equatable {
    /// Which calling AE titles may associate.
    public enum CallingAETitles: Sendable, Equatable {
        /// Only these (exact, case-sensitive, as DICOM compares AE titles); others are rejected with reason 3.
        case only([String])
        /// Any calling AE title (`--dicom-allow '*'`): only for a port no stranger can reach.
        case any
    }

    /// DICOM TLS files (PEM).
    public struct TLSFiles: Sendable, Equatable {
        /// The certificate chain.
        public var certificate: String
        /// Its private key.
        public var privateKey: String
        /// Certificates trusted to sign clients' certificates: with it, clients must present one (mutual TLS).
        public var trustedClients: String?

        /// TLS with these files.
        public init(certificate: String, privateKey: String, trustedClients: String? = nil) {
            self.certificate = certificate
            self.privateKey = privateKey
            self.trustedClients = trustedClients
        }
    }

    /// The address to listen on (an IPv4 or IPv6 address or a host name).
    public var host = "0.0.0.0"
    /// The port (0: any free port, for tests).
    public var port = 11112
    /// This node's AE title (default `ANNULUS`); associations calling another are rejected with reason 7.
    public var aeTitle = "ANNULUS"
    /// Who may associate.
    public var callingAETitles: CallingAETitles = .only([])
    /// The largest P-DATA PDU this side receives, in bytes.
    public var maxPDU: UInt32 = 65536
    /// Seconds for each association set-up and release step.
    public var acseTimeout: UInt32 = 30
    /// Seconds a peer may be silent between commands and inside a data set.
    public var idleTimeout: UInt32 = 60
    /// Seconds an association may last in all.
    public var associationDeadline: UInt32 = 3600
    /// Seconds an association waits for the store's verdict before answering "out of resources".
    public var verdictTimeout: UInt32 = 30
    /// Associations at once (more are rejected: transient, local limit exceeded).
    public var maxAssociations: UInt32 = 8
    /// Associations from one address at once (0: no per-address limit).
    public var maxAssociationsPerPeer: UInt32 = 0
    /// The largest object accepted, in bytes.
    public var maxObjectBytes: UInt64 = 2 << 30
    /// Free bytes the data folder's file system must keep: below them objects are refused "out of resources"
    /// (0xA700, the sender retries) before any of them is written.
    public var minimumFreeBytes: UInt64 = 64 << 20
    /// DICOM TLS, if any.
    public var tls: TLSFiles?

    /// The defaults (port 11112, AE title ANNULUS, nobody allowed yet).
    public init() {}

    /// Why `title` cannot be an AE title (PS3.5 6.2: 1 to 16 characters of the default repertoire without
    /// backslash or control characters, not only spaces), or nil when it can.
    public static func problem(withAETitle title: String) -> String? { AETitle.problem(title) }

    /// The settings' problems, in words for an operator (empty when the settings can be used).
    public func problems() -> [String] {
        var problems: [String] = []
        if let problem = Self.problem(withAETitle: aeTitle) { problems.append("--dicom-ae \(aeTitle): \(problem)") }
        if case .only(let titles) = callingAETitles {
            if titles.isEmpty {
                problems.append(
                    "--dicom-allow names the calling AE titles that may send (comma-separated), or '*' for any")
            }
            for title in titles {
                if let problem = Self.problem(withAETitle: title) {
                    problems.append("--dicom-allow \(title): \(problem)")
                }
            }
        }
        if !(4096...1_048_576).contains(maxPDU) { problems.append("--dicom-max-pdu must be 4096 to 1048576 bytes") }
        if maxAssociations == 0 || maxAssociations > 256 {
            problems.append("--dicom-max-associations must be 1 to 256")
        }
        if acseTimeout == 0 || idleTimeout == 0 || associationDeadline == 0 || verdictTimeout == 0 {
            problems.append("DICOM timeouts must be at least 1 second")
        }
        return problems
    }

    /// The arguments `annulus-dicom-receiver` reads (its descriptors 3 and 4 are set up by the caller).
    func receiverArguments(staging: String) -> [String] {
        var arguments = [
            "--ae", aeTitle, "--staging", staging, "--max-pdu", "\(maxPDU)", "--acse-timeout", "\(acseTimeout)",
            "--dimse-timeout", "\(idleTimeout)", "--deadline", "\(associationDeadline)",
            "--verdict-timeout", "\(verdictTimeout)", "--max-associations", "\(maxAssociations)",
            "--max-per-peer", "\(maxAssociationsPerPeer)", "--max-object-bytes", "\(maxObjectBytes)",
            "--min-free-bytes", "\(minimumFreeBytes)",
        ]
        switch callingAETitles {
        case .any: arguments += ["--allow-any", "yes"]
        case .only(let titles): arguments += ["--allow", titles.joined(separator: ",")]
        }
        if let tls {
            arguments += ["--tls-certificate", tls.certificate, "--tls-key", tls.privateKey]
            if let trusted = tls.trustedClients { arguments += ["--tls-trusted", trusted] }
        }
        return arguments
    }
}
