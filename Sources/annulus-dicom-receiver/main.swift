// The DICOM receiver process that `annulus serve --dicom-port` starts (DicomNetwork's `DicomReceiverProcess`):
// descriptor 3 is the listening socket the server bound, descriptor 4 the control socket to the server. It accepts
// associations and forks one process per association (CDicomNet, docs/conformance.md). Not meant to be run by hand.
import CDicomNet
import Glibc

/// Writes a line to standard error (the server logs it).
func complain(_ text: String) {
    let line = "annulus-dicom-receiver: \(text)\n"
    _ = line.withCString { write(2, $0, strlen($0)) }
}

/// The settings, from `--name value` pairs (written by `DicomReceiverProcess`, not by people).
func settings(_ arguments: [String]) -> [String: String]? {
    var values: [String: String] = [:]
    var rest = arguments[...]
    while let name = rest.popFirst() {
        guard name.hasPrefix("--"), let value = rest.popFirst() else {
            complain("started by `annulus serve --dicom-port`, not by hand (bad argument \(name))")
            return nil
        }
        values[String(name.dropFirst(2))] = value
    }
    return values
}

/// Runs `body` with a C string of `text`, or NULL.
func withOptionalCString<T>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> T) -> T {
    guard let text else { return body(nil) }
    return text.withCString { body($0) }
}

/// Runs the receiver with `values`; returns its exit status.
func run(_ values: [String: String]) -> Int32 {
    func number(_ name: String, _ fallback: UInt32) -> UInt32 { values[name].flatMap { UInt32($0) } ?? fallback }
    let allowed = (values["allow"] ?? "").split(separator: ",").map { strdup(String($0)) }
    defer { allowed.forEach { free($0) } }
    return allowed.map { UnsafePointer($0) }.withUnsafeBufferPointer { list in
        (values["ae"] ?? "ANNULUS").withCString { aeTitle in
            (values["staging"] ?? "").withCString { staging in
                withOptionalCString(values["tls-certificate"]) { certificate in
                    withOptionalCString(values["tls-key"]) { key in
                        withOptionalCString(values["tls-trusted"]) { trusted in
                            var config = cdn_receiver_config()
                            config.listen_fd = 3
                            config.control_fd = 4
                            config.ae_title = aeTitle
                            config.allowed_calling = list.baseAddress
                            config.allowed_count = list.count
                            config.allow_any = values["allow-any"] == "yes" ? 1 : 0
                            config.staging_folder = staging
                            config.max_pdu = number("max-pdu", 65536)
                            config.acse_timeout = number("acse-timeout", 30)
                            config.dimse_timeout = number("dimse-timeout", 60)
                            config.association_deadline = number("deadline", 3600)
                            config.verdict_timeout = number("verdict-timeout", 30)
                            config.max_associations = number("max-associations", 8)
                            config.max_associations_per_peer = number("max-per-peer", 0)
                            config.max_object_bytes = values["max-object-bytes"].flatMap { UInt64($0) } ?? (2 << 30)
                            config.min_free_bytes = values["min-free-bytes"].flatMap { UInt64($0) } ?? (64 << 20)
                            config.tls_certificate = certificate
                            config.tls_key = key
                            config.tls_trusted = trusted
                            var error = [UInt8](repeating: 0, count: 512)
                            let result = error.withUnsafeMutableBufferPointer { buffer in
                                buffer.withMemoryRebound(to: CChar.self) {
                                    cdn_receiver_run(&config, $0.baseAddress, $0.count)
                                }
                            }
                            if result != 0 {
                                complain(String(decoding: error.prefix { $0 != 0 }, as: UTF8.self))
                            }
                            return result
                        }
                    }
                }
            }
        }
    }
}

guard let values = settings(Array(CommandLine.arguments.dropFirst())) else { exit(2) }
exit(run(values))
