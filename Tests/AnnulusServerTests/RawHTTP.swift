import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// One keep-alive HTTP/1.1 connection over a blocking socket, reading responses byte by byte as the server sent
/// them: for tests that must tell a whole response from a truncated one, and a connection closed before any
/// response from one closed in the middle of it (no client library in between that retries or hides either).
final class RawHTTPConnection {
    /// How a request failed.
    enum Failure: Error, Equatable, CustomStringConvertible {
        /// The connection could not be made (nothing listens).
        case refused
        /// The connection ended (or could not be written to) before any byte of the response.
        case closedBeforeResponse
        /// The connection ended, or the bytes stopped making sense, after part of the response.
        case truncated(String)
        /// No byte for the read timeout.
        case timedOut

        var description: String {
            switch self {
            case .refused: "connection refused"
            case .closedBeforeResponse: "closed before any response"
            case .truncated(let detail): "truncated: \(detail)"
            case .timedOut: "timed out"
            }
        }
    }

    /// A whole response.
    struct Response {
        var status: Int
        /// Header names in lowercase; a repeated header keeps its last value.
        var headers: [String: String]
        var body: [UInt8]
        /// False when the server said `Connection: close` (the connection is then finished).
        var keepAlive: Bool

        /// The body as a JSON object, or nil.
        var json: [String: Any]? { try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] }
    }

    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private var received = 0

    /// Connects to 127.0.0.1:`port`; reads give up after `timeout` seconds without a byte.
    ///
    /// The descriptor is stored last: a class whose stored properties are all set runs its `deinit` when the
    /// initialiser throws, and a close there after the close here would close whatever another thread had opened
    /// under the same number in between (a test's file read failed with EBADF that way under load).
    init(port: Int, timeout: Int = 30) throws(Failure) {
        let connection = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard connection >= 0 else { throw .refused }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(connection, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(connection)
            throw .refused
        }
        var limit = timeval(tv_sec: timeout, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(connection, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        descriptor = connection
    }

    deinit { close(descriptor) }

    /// Sends a request and reads its whole response.
    func request(_ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil)
        throws(Failure) -> Response
    {
        try send(method, path, headers: headers, body: body)
        return try readResponse(method: method)
    }

    /// Sends a request without reading its response (see ``readResponse(method:)``).
    func send(_ method: String, _ path: String, headers: [String: String] = [:], body: String? = nil)
        throws(Failure)
    {
        var text = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { text += "\(name): \(value)\r\n" }
        let bytes = Array((body ?? "").utf8)
        if body != nil { text += "Content-Type: application/json\r\nContent-Length: \(bytes.count)\r\n" }
        let message = Array((text + "\r\n").utf8) + bytes
        var offset = 0
        while offset < message.count {
            let sent = message[offset...].withUnsafeBytes {
                Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                throw .closedBeforeResponse
            }
            offset += sent
        }
        received = 0
    }

    /// Waits up to `timeout` seconds until the server listening on `serverPort` has read everything sent on this
    /// connection (its end of the connection in /proc/net/tcp has an empty receive queue): the request is then in
    /// the server's hands, accepted and read, not waiting in the kernel. False when that was not seen in time.
    func waitUntilServerRead(serverPort: Int, timeout: Double) -> Bool {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        let clientPort = Int(UInt16(bigEndian: address.sin_port))
        // The server's side: local 127.0.0.1:serverPort, remote 127.0.0.1:clientPort (hex, address little-endian).
        let local = String(format: "0100007F:%04X", serverPort)
        let remote = String(format: "0100007F:%04X", clientPort)
        let deadline = Date().addingTimeInterval(timeout)
        repeat {
            // Both ends' queues (hex "tx:rx"): this end's send queue empty means the server's kernel has every
            // byte; the server's receive queue empty then means the server process read them.
            var clientSent = false
            var serverRead = false
            let table = Self.wholeFile("/proc/net/tcp")
            for line in table.split(separator: "\n") {
                let fields = line.split(separator: " ")
                guard fields.count > 4 else { continue }
                let queues = fields[4].split(separator: ":").map { Int($0, radix: 16) }
                guard queues.count == 2 else { continue }
                if fields[1] == remote, fields[2] == local, queues[0] == 0 { clientSent = true }
                if fields[1] == local, fields[2] == remote, queues[1] == 0 { serverRead = true }
            }
            if clientSent && serverRead { return true }
            usleep(5_000)
        } while Date() < deadline
        return false
    }

    /// A /proc file read to its end: its size is 0 to stat, and `String(contentsOfFile:)` returned only the first
    /// page of /proc/net/tcp once the table grew (the client's line was missed, under load).
    private static func wholeFile(_ path: String) -> String {
        let file = open(path, O_RDONLY | O_CLOEXEC)
        guard file >= 0 else { return "" }
        defer { close(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(file, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Reads the whole response to a request sent with ``send(_:_:headers:body:)``.
    func readResponse(method: String) throws(Failure) -> Response {
        let head = try readUntil([13, 10, 13, 10])
        let lines = String(decoding: head.dropLast(4), as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = lines[0].split(separator: " ", maxSplits: 2)
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw .truncated("not a status line: \(lines[0].prefix(80))")
        }
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { throw .truncated("not a header: \(line.prefix(80))") }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(
                in: .whitespaces)
        }
        let keepAlive = headers["connection"]?.lowercased() != "close"
        var body: [UInt8] = []
        if method == "HEAD" || status == 204 || status == 304 || (100..<200).contains(status) {
            // No body.
        } else if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            while true {
                let sizeLine = try readUntil([13, 10])
                let sizeText = String(decoding: sizeLine.dropLast(2), as: UTF8.self).split(separator: ";")[0]
                guard let size = Int(sizeText.trimmingCharacters(in: .whitespaces), radix: 16) else {
                    throw .truncated("bad chunk size \(sizeText.prefix(20))")
                }
                if size == 0 {
                    while try readUntil([13, 10]).count > 2 {}
                    break
                }
                body += try readExactly(size)
                guard try readExactly(2) == [13, 10] else { throw .truncated("chunk not followed by CRLF") }
            }
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            body = try readExactly(length)
        } else {
            while try fill() {}
            body = buffer
            buffer = []
        }
        return Response(status: status, headers: headers, body: body, keepAlive: keepAlive)
    }

    /// Reads until the buffer holds `terminator`; returns everything up to and including it.
    private func readUntil(_ terminator: [UInt8]) throws(Failure) -> [UInt8] {
        var searchFrom = 0
        while true {
            if buffer.count >= terminator.count {
                for start in searchFrom...(buffer.count - terminator.count)
                where buffer[start..<start + terminator.count].elementsEqual(terminator) {
                    let result = Array(buffer[..<(start + terminator.count)])
                    buffer.removeFirst(start + terminator.count)
                    return result
                }
                searchFrom = buffer.count - terminator.count + 1
            }
            guard try fill() else { throw endedEarly() }
        }
    }

    private func readExactly(_ count: Int) throws(Failure) -> [UInt8] {
        while buffer.count < count {
            guard try fill() else { throw endedEarly() }
        }
        let result = Array(buffer[..<count])
        buffer.removeFirst(count)
        return result
    }

    private func endedEarly() -> Failure {
        received == 0 ? .closedBeforeResponse : .truncated("the connection ended after \(received) bytes")
    }

    /// Reads what is there into the buffer; false at the end of the stream (or a reset).
    private func fill() throws(Failure) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer += chunk[..<count]
                received += count
                return true
            }
            if count == 0 { return false }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: throw .timedOut
            default: return false
            }
        }
    }
}
