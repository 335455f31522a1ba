import Foundation

/// The TCP socket the DICOM port listens on, bound by the server itself: the receiver process only accepts on it,
/// so a restarted receiver loses no queued connection and never races another program for the port.
final class ListeningSocket: Sendable {
    /// The descriptor.
    let descriptor: Int32
    /// The port bound (the one asked for, or the one the system chose for port 0).
    let port: Int

    /// Binds `host:port` and listens.
    init(host: String, port: Int) throws(DicomNetworkError) {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        var found: UnsafeMutablePointer<addrinfo>?
        let lookup = getaddrinfo(host, String(port), &hints, &found)
        guard lookup == 0, let first = found else {
            throw .cannotListen("cannot resolve \(host): \(String(cString: gai_strerror(lookup)))")
        }
        defer { freeaddrinfo(found) }
        let descriptor = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw .cannotListen("socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0, listen(descriptor, 128) == 0
        else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw .cannotListen("cannot listen on \(host):\(port): \(reason)")
        }
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        let family = address.ss_family
        let bound = withUnsafePointer(to: &address) { pointer -> UInt16 in
            if family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_port }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_port }
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: bound))
    }

    deinit { close(descriptor) }
}

/// Why the DICOM entrance cannot run.
public enum DicomNetworkError: Error, Sendable, CustomStringConvertible {
    /// The port cannot be bound.
    case cannotListen(String)
    /// The receiver process cannot be started.
    case cannotStart(String)
    /// The settings cannot be used.
    case badSettings([String])

    /// The message an operator acts on.
    public var description: String {
        switch self {
        case .cannotListen(let reason): return "the DICOM port: \(reason)"
        case .cannotStart(let reason): return "the DICOM receiver: \(reason)"
        case .badSettings(let problems): return problems.joined(separator: "; ")
        }
    }
}
