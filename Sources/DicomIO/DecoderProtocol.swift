import Foundation

/// The messages between the application and an `annulus-decoder` worker process, and their framing.
///
/// Each message is a little-endian `UInt32` length, that many bytes of JSON, then (responses only) the payload
/// the JSON announces. Both sides bound what they accept: a header over `maximumHeaderBytes` or a payload other
/// than the size the caller expects ends the conversation, so a confused or hostile worker cannot make the
/// application allocate at will.
enum DecoderProtocol {
    /// The largest JSON header either side accepts.
    static let maximumHeaderBytes = 64 * 1024

    /// What the application asks of a worker.
    struct Request: Codable, Sendable {
        enum Operation: String, Codable, Sendable {
            /// `DicomFile.storedFrame`: stored values of one frame.
            case storedFrame
            /// `DicomFile.renderedFrame`: DCMTK's 8-bit display pipeline.
            case renderedFrame
            /// Test-only faults (`crash`, `trap`, `hang`, `spin`, `allocate`), honoured only when the worker was
            /// started with `ANNULUS_DECODER_FAULTS=1`, so the isolation itself can be tested with real signals.
            case fault
        }
        var operation: Operation
        var path: String
        var frame: Int
        var maxSequenceDepth: Int
        var maxDecodedBytes: UInt64
        var voi: VOISelection?
        /// CPU seconds this job may use before the kernel stops the worker (SIGXCPU).
        var cpuSeconds: Int
        var fault: String?
    }

    /// What a worker answers.
    struct Response: Codable, Sendable {
        /// Set when the job failed: a `DicomError.Kind` raw value and the message.
        var errorKind: String?
        var errorMessage: String?
        /// Stored frames: the decoded colour model.
        var colorModel: String?
        /// Rendered frames: 1 (grey) or 3 (RGB).
        var samplesPerPixel: Int?
        /// Bytes that follow the header.
        var payloadBytes: Int
    }

    /// Writes `header` then `payload` to `descriptor`; false when the peer is gone.
    static func send<Header: Encodable>(_ header: Header, payload: UnsafeRawBufferPointer? = nil, to descriptor: Int32)
        -> Bool
    {
        guard let json = try? JSONEncoder().encode(header) else { return false }
        var length = UInt32(json.count).littleEndian
        let sentLength = withUnsafeBytes(of: &length) { writeAll($0, to: descriptor) }
        guard sentLength, json.withUnsafeBytes({ writeAll($0, to: descriptor) }) else { return false }
        if let payload, payload.count > 0 { return writeAll(payload, to: descriptor) }
        return true
    }

    /// Writes every byte (retrying short writes and EINTR); never raises SIGPIPE on a socket.
    static func writeAll(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Bool {
        guard var pointer = bytes.baseAddress else { return true }
        var remaining = bytes.count
        while remaining > 0 {
            var written = Glibc.send(descriptor, pointer, remaining, Int32(MSG_NOSIGNAL))
            if written < 0 && errno == ENOTSOCK { written = write(descriptor, pointer, remaining) }
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            pointer += written
            remaining -= written
        }
        return true
    }

    /// Why reading a message stopped.
    enum ReadFailure: Error {
        /// The peer closed the connection (a worker that died, or the application that exited).
        case closed
        /// The deadline passed.
        case timedOut
        /// The peer broke the protocol (length over the bound, undecodable JSON).
        case protocolViolation(String)
    }

    /// Reads exactly `count` bytes into `buffer`, waiting at most until `deadline` (nil: forever).
    static func readExactly(
        _ buffer: UnsafeMutableRawBufferPointer, from descriptor: Int32, deadline: ContinuousClock.Instant?
    ) throws(ReadFailure) {
        guard var pointer = buffer.baseAddress else { return }
        var remaining = buffer.count
        while remaining > 0 {
            if let deadline {
                let left = deadline - ContinuousClock.now
                guard left > .zero else { throw .timedOut }
                var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
                let milliseconds = Int32(clamping: left.components.seconds * 1000 + 1)
                let ready = poll(&poller, 1, milliseconds)
                if ready < 0 && errno == EINTR { continue }
                if ready == 0 { continue }
            }
            let count = read(descriptor, pointer, remaining)
            if count < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                throw .closed
            }
            if count == 0 { throw .closed }
            pointer += count
            remaining -= count
        }
    }

    /// Reads a payload of `count` bytes.
    static func readPayload(count: Int, from descriptor: Int32, deadline: ContinuousClock.Instant?)
        throws(ReadFailure) -> [UInt8]
    {
        var failure: ReadFailure? = nil
        let bytes = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
            do throws(ReadFailure) {
                try readExactly(UnsafeMutableRawBufferPointer(buffer), from: descriptor, deadline: deadline)
                initialized = count
            } catch {
                failure = error
                initialized = 0
            }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Reads one JSON header.
    static func receive<Header: Decodable>(
        _ type: Header.Type, from descriptor: Int32, deadline: ContinuousClock.Instant?
    ) throws(ReadFailure) -> Header {
        let lengthBytes = UnsafeMutableRawBufferPointer.allocate(byteCount: 4, alignment: 4)
        defer { lengthBytes.deallocate() }
        try readExactly(lengthBytes, from: descriptor, deadline: deadline)
        let count = Int(UInt32(littleEndian: lengthBytes.load(as: UInt32.self)))
        guard count > 0, count <= maximumHeaderBytes else {
            throw .protocolViolation("a message header of \(count) bytes (at most \(maximumHeaderBytes))")
        }
        let json = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
        defer { json.deallocate() }
        try readExactly(json, from: descriptor, deadline: deadline)
        do {
            return try JSONDecoder().decode(Header.self, from: Data(json))
        } catch {
            throw .protocolViolation("an undecodable message header")
        }
    }
}
