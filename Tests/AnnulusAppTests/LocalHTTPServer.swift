import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A real HTTP/1.1 endpoint on 127.0.0.1 for delivery tests, in process: it answers each POST with the next
/// (status, body) of its script (the last one repeated) and records what it received.
final class LocalHTTPServer: @unchecked Sendable {
    /// One request received.
    struct Received: Sendable {
        var requestLine: String
        var headers: [String: String]
        var body: Data
    }

    /// The port it listens on.
    let port: Int
    private let socketFD: Int32
    private let lock = NSLock()
    private var script: [(Int, String)]
    private var received: [Received] = []
    private var stopped = false

    /// Listens on `port` (0: a free one) and answers with `script` in turn.
    init(script: [(status: Int, body: String)], port requested: Int = 0) throws {
        self.script = script.map { ($0.status, $0.body) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(requested).bigEndian
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound, listen(fd, 16) == 0 else {
            close(fd)
            throw CocoaError(.fileWriteUnknown)
        }
        socketFD = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    /// `http://127.0.0.1:PORT/fhir`.
    var url: URL { URL(string: "http://127.0.0.1:\(port)/fhir")! }

    /// The requests received so far.
    var requests: [Received] { lock.withLock { received } }

    /// Stops accepting. Only the serving thread closes the socket, once its `accept` has failed: a descriptor
    /// closed under it could be reused by another test's file (or server) before it calls `accept` again.
    func stop() {
        let first = lock.withLock {
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        shutdown(socketFD, Int32(SHUT_RDWR))
    }

    private func serve() {
        while true {
            let client = accept(socketFD, nil, nil)
            guard client >= 0 else {
                close(socketFD)
                return
            }
            handle(client)
            close(client)
        }
    }

    private func handle(_ client: Int32) {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var headerEnd: Range<Data.Index>?
        var expected = 0
        while true {
            let count = read(client, &buffer, buffer.count)
            guard count > 0 else { return }
            data.append(contentsOf: buffer[0..<count])
            if headerEnd == nil, let end = data.range(of: Data("\r\n\r\n".utf8)) {
                headerEnd = end
                let head = String(decoding: data[..<end.lowerBound], as: UTF8.self)
                for line in head.split(separator: "\r\n").dropFirst() {
                    let parts = line.split(separator: ":", maxSplits: 1)
                    if parts.count == 2, parts[0].lowercased() == "content-length" {
                        expected = Int(parts[1].trimmingCharacters(in: .whitespaces)) ?? 0
                    }
                }
            }
            if let end = headerEnd, data.count - end.upperBound >= expected { break }
        }
        guard let end = headerEnd else { return }
        let head = String(decoding: data[..<end.lowerBound], as: UTF8.self).split(separator: "\r\n").map(String.init)
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 { headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        let (status, body) = lock.withLock {
            received.append(Received(requestLine: head.first ?? "", headers: headers, body: data[end.upperBound...]))
            return script.count > 1 ? script.removeFirst() : script[0]
        }
        let response =
            "HTTP/1.1 \(status) Status\r\nContent-Type: application/fhir+json\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n" + body
        _ = response.utf8CString.withUnsafeBufferPointer { write(client, $0.baseAddress, $0.count - 1) }
    }
}
