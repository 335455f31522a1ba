import Foundation

/// Messages on the SOCK_SEQPACKET sockets between the server and the receiver's processes: one datagram per
/// message, text fields separated by tabs, at most one descriptor passed along (SCM_RIGHTS).
enum SeqPacket {
    /// The largest message either side sends.
    static let maximumLength = 4096

    /// A message received: its fields and the descriptor it carried (or -1). Nil at the end of the stream or on
    /// an error.
    static func receive(from socket: Int32) -> (fields: [String], descriptor: Int32)? {
        var buffer = [UInt8](repeating: 0, count: maximumLength)
        let controlLength = MemoryLayout<cmsghdr>.stride + MemoryLayout<Int32>.stride + 8
        var control = [UInt8](repeating: 0, count: controlLength)
        var received = -1
        var descriptor: Int32 = -1
        buffer.withUnsafeMutableBytes { bytes in
            control.withUnsafeMutableBytes { controlBytes in
                var part = iovec(iov_base: bytes.baseAddress, iov_len: bytes.count)
                withUnsafeMutablePointer(to: &part) { partPointer in
                    var message = msghdr()
                    message.msg_iov = partPointer
                    message.msg_iovlen = 1
                    message.msg_control = controlBytes.baseAddress
                    message.msg_controllen = controlBytes.count
                    repeat {
                        received = recvmsg(socket, &message, Int32(MSG_CMSG_CLOEXEC))
                    } while received < 0 && errno == EINTR
                    if received > 0, message.msg_controllen >= MemoryLayout<cmsghdr>.stride,
                        let base = controlBytes.baseAddress
                    {
                        let header = base.assumingMemoryBound(to: cmsghdr.self).pointee
                        if header.cmsg_level == SOL_SOCKET, header.cmsg_type == Int32(SCM_RIGHTS) {
                            descriptor = base.advanced(by: MemoryLayout<cmsghdr>.stride).loadUnaligned(as: Int32.self)
                        }
                    }
                }
            }
        }
        guard received > 0 else { return nil }
        let text = String(decoding: buffer.prefix(received), as: UTF8.self)
        return (text.split(separator: "\t", omittingEmptySubsequences: false).map(String.init), descriptor)
    }

    /// Sends `fields` as one message; false when the other side is gone.
    @discardableResult
    static func send(_ fields: [String], to socket: Int32) -> Bool {
        let text = Array(fields.joined(separator: "\t").utf8.prefix(maximumLength))
        let sent = text.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        return sent == text.count
    }
}
