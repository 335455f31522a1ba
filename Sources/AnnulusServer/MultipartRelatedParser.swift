import Foundation

/// A streaming parser of a `multipart/related` body (RFC 2387 over RFC 2046's multipart syntax), fed chunk by chunk
/// as the body arrives: delimiters split across chunks are found, a part's bytes are handed on as they come, and
/// nothing is held but one part's headers (bounded) and the few bytes that might begin a delimiter. Pure: no I/O.
public struct MultipartRelatedParser {
    /// What the parser found in the bytes fed so far.
    public enum Event: Equatable {
        /// A part begins, with its headers (names lower-cased, values trimmed, in order).
        case partBegins(headers: [(name: String, value: String)])
        /// Bytes of the current part's body, in order.
        case data([UInt8])
        /// The current part ended.
        case partEnds

        /// Same kind, same headers (in order) or bytes.
        public static func == (lhs: Event, rhs: Event) -> Bool {
            switch (lhs, rhs) {
            case (.partBegins(let a), .partBegins(let b)):
                a.count == b.count && zip(a, b).allSatisfy { $0.name == $1.name && $0.value == $1.value }
            case (.data(let a), .data(let b)): a == b
            case (.partEnds, .partEnds): true
            default: false
            }
        }
    }

    /// Why a body is not a well-formed multipart body.
    public struct Failure: Error, Equatable, CustomStringConvertible {
        /// What is wrong, in words.
        public var description: String
    }

    private enum State {
        /// Before the first delimiter (the preamble, ignored).
        case preamble
        /// Just after a delimiter: `--` (the end), or optional spaces and CRLF (a part follows).
        case afterDelimiter
        /// Reading a part's headers.
        case headers
        /// Reading a part's body.
        case body
        /// After the close delimiter (the epilogue, ignored).
        case epilogue
    }

    /// `CRLF--boundary`.
    private let delimiter: [UInt8]
    private let maximumHeaderBytes: Int
    private let maximumPreambleBytes: Int
    private var state = State.preamble
    /// The body is read as if a CRLF came first: the first delimiter then needs none.
    private var buffer: [UInt8] = [0x0D, 0x0A]
    private var preambleSeen = 0

    /// The longest boundary RFC 2046 allows.
    public static let maximumBoundaryLength = 70

    /// A parser for `boundary` (the Content-Type's parameter, 1...70 characters).
    ///
    /// - Parameters:
    ///   - maximumHeaderBytes: The most bytes one part's headers may take.
    ///   - maximumPreambleBytes: The most bytes before the first delimiter.
    public init(boundary: String, maximumHeaderBytes: Int = 16 * 1024, maximumPreambleBytes: Int = 64 * 1024)
        throws(Failure)
    {
        guard (1...Self.maximumBoundaryLength).contains(boundary.utf8.count),
            boundary.utf8.allSatisfy({ (0x20...0x7E).contains($0) })
        else {
            throw Failure(description: "the boundary must be 1 to 70 printable ASCII characters")
        }
        delimiter = [0x0D, 0x0A, 0x2D, 0x2D] + Array(boundary.utf8)
        self.maximumHeaderBytes = maximumHeaderBytes
        self.maximumPreambleBytes = maximumPreambleBytes
    }

    /// The boundary of a `Content-Type: multipart/related; …; boundary=…` value (quoted or not), or nil.
    public static func boundary(ofContentType value: String) -> String? {
        for parameter in value.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2, pair[0].lowercased() == "boundary" else { continue }
            var text = pair[1]
            if text.hasPrefix("\""), text.hasSuffix("\""), text.count >= 2 {
                text = String(text.dropFirst().dropLast())
            }
            return text.isEmpty ? nil : text
        }
        return nil
    }

    /// Parses the next bytes of the body and returns what they complete, in order.
    public mutating func feed(_ bytes: some Collection<UInt8>) throws(Failure) -> [Event] {
        if case .epilogue = state { return [] }
        buffer.append(contentsOf: bytes)
        var events: [Event] = []
        var position = 0
        defer { buffer.removeFirst(position) }
        while true {
            switch state {
            case .epilogue:
                position = buffer.count
                return events
            case .preamble:
                if let found = find(delimiter, from: position) {
                    position = found + delimiter.count
                    state = .afterDelimiter
                } else {
                    let keep = max(position, buffer.count - (delimiter.count - 1))
                    preambleSeen += keep - position
                    position = keep
                    guard preambleSeen <= maximumPreambleBytes else {
                        throw Failure(
                            description: "no boundary delimiter in the first \(maximumPreambleBytes) bytes: the body "
                                + "does not use the boundary its Content-Type names")
                    }
                    return events
                }
            case .afterDelimiter:
                guard buffer.count - position >= 2 else { return events }
                if buffer[position] == 0x2D && buffer[position + 1] == 0x2D {
                    state = .epilogue
                    continue
                }
                // Transport padding (spaces, tabs), then CRLF.
                var index = position
                while index < buffer.count, buffer[index] == 0x20 || buffer[index] == 0x09 {
                    index += 1
                    guard index - position <= 256 else {
                        throw Failure(description: "a delimiter is not followed by CRLF")
                    }
                }
                guard buffer.count - index >= 2 else { return events }
                guard buffer[index] == 0x0D, buffer[index + 1] == 0x0A else {
                    throw Failure(description: "a boundary delimiter is not followed by CRLF or --")
                }
                position = index + 2
                state = .headers
            case .headers:
                let end: Int
                let headerBytes: ArraySlice<UInt8>
                if buffer.count - position >= 2, buffer[position] == 0x0D, buffer[position + 1] == 0x0A {
                    end = position + 2  // no headers at all
                    headerBytes = []
                } else if let found = find([0x0D, 0x0A, 0x0D, 0x0A], from: position) {
                    end = found + 4
                    headerBytes = buffer[position..<found]
                } else {
                    guard buffer.count - position <= maximumHeaderBytes else {
                        throw Failure(description: "a part's headers are longer than \(maximumHeaderBytes) bytes")
                    }
                    return events
                }
                guard end - position <= maximumHeaderBytes + 4 else {
                    throw Failure(description: "a part's headers are longer than \(maximumHeaderBytes) bytes")
                }
                events.append(.partBegins(headers: try Self.headers(headerBytes)))
                position = end
                state = .body
            case .body:
                if let found = find(delimiter, from: position) {
                    if found > position { events.append(.data(Array(buffer[position..<found]))) }
                    events.append(.partEnds)
                    position = found + delimiter.count
                    state = .afterDelimiter
                } else {
                    // Everything but what could be the start of a delimiter split across chunks.
                    let safe = buffer.count - (delimiter.count - 1)
                    if safe > position {
                        events.append(.data(Array(buffer[position..<safe])))
                        position = safe
                    }
                    return events
                }
            }
        }
    }

    /// Ends the body: refuses one that stopped before its close delimiter (`--boundary--`).
    public func finish() throws(Failure) {
        switch state {
        case .epilogue: return
        case .preamble: throw Failure(description: "the body holds no part (no boundary delimiter)")
        case .afterDelimiter, .headers, .body:
            throw Failure(description: "the body ends before its closing boundary delimiter (--boundary--)")
        }
    }

    /// The first index at or after `start` where `needle` begins (memchr for its first byte, memcmp for the rest).
    private func find(_ needle: [UInt8], from start: Int) -> Int? {
        guard buffer.count - start >= needle.count else { return nil }
        return buffer.withUnsafeBytes { haystack -> Int? in
            needle.withUnsafeBytes { pattern -> Int? in
                let base = haystack.baseAddress!
                let last = haystack.count - pattern.count
                var index = start
                while index <= last {
                    guard let hit = memchr(base + index, Int32(pattern[0]), last - index + 1) else { return nil }
                    index = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + index, pattern.baseAddress!, pattern.count) == 0 { return index }
                    index += 1
                }
                return nil
            }
        }
    }

    private static func headers(_ bytes: ArraySlice<UInt8>) throws(Failure) -> [(name: String, value: String)] {
        guard !bytes.isEmpty else { return [] }
        guard let text = String(bytes: bytes, encoding: .utf8) else {
            throw Failure(description: "a part's headers are not text")
        }
        var result: [(name: String, value: String)] = []
        for line in text.components(separatedBy: "\r\n") {
            if let first = line.first, first == " " || first == "\t", let last = result.popLast() {
                result.append((last.name, last.value + " " + line.trimmingCharacters(in: .whitespaces)))
                continue
            }
            guard let colon = line.firstIndex(of: ":"), colon != line.startIndex else {
                throw Failure(description: "a part's header line is not 'Name: value'")
            }
            result.append(
                (
                    line[..<colon].trimmingCharacters(in: .whitespaces).lowercased(),
                    line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
                ))
        }
        return result
    }
}
