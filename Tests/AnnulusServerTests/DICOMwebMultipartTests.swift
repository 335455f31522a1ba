import AnnulusServer
import Foundation
import Testing

@Suite("multipart/related streaming parser")
struct DICOMwebMultipartTests {
    typealias Parser = MultipartRelatedParser

    /// The parts (headers, body) of `body` fed in chunks of `chunk` bytes, or the failure.
    private func parts(_ body: [UInt8], boundary: String = "B0UND", chunk: Int, maximumHeaderBytes: Int = 1024)
        throws -> [(headers: [String: String], body: [UInt8])]
    {
        var parser = try Parser(boundary: boundary, maximumHeaderBytes: maximumHeaderBytes)
        var result: [(headers: [String: String], body: [UInt8])] = []
        var open = false
        var start = 0
        func take(_ events: [Parser.Event]) {
            for event in events {
                switch event {
                case .partBegins(let headers):
                    #expect(!open)
                    open = true
                    result.append(
                        (Dictionary(headers.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a }), []))
                case .data(let bytes):
                    #expect(open && !bytes.isEmpty)
                    if open { result[result.count - 1].body += bytes }
                case .partEnds:
                    #expect(open)
                    open = false
                }
            }
        }
        while start < body.count {
            let end = min(body.count, start + chunk)
            take(try parser.feed(body[start..<end]))
            start = end
        }
        try parser.finish()
        #expect(!open)
        return result
    }

    private func body(_ parts: [(String, [UInt8])], boundary: String = "B0UND", leadingCRLF: Bool = true) -> [UInt8] {
        var out: [UInt8] = leadingCRLF ? Array("\r\n".utf8) : []
        for (index, (headers, bytes)) in parts.enumerated() {
            if index > 0 { out += Array("\r\n".utf8) }
            out += Array("--\(boundary)\r\n\(headers)\r\n".utf8) + bytes
        }
        out += Array("\r\n--\(boundary)--\r\n".utf8)
        return out
    }

    /// Bytes that contain almost-delimiters: CR, LF, dashes and a prefix of the boundary.
    private func tricky(_ count: Int, seed: UInt8) -> [UInt8] {
        let pieces: [[UInt8]] = [Array("\r\n--B0UN".utf8), Array("\r\n-".utf8), [0x0D], Array("--B0UND".utf8), [seed]]
        var out: [UInt8] = []
        var index = Int(seed)
        while out.count < count {
            out += pieces[index % pieces.count]
            index = (index &* 31 &+ 7) & 0xFFFF
        }
        return Array(out.prefix(count))
    }

    @Test("every chunk size gives the same parts, delimiters split anywhere across chunks")
    func chunking() throws {
        let first = tricky(3000, seed: 1)
        let second = tricky(17, seed: 2)
        let input = body([
            ("Content-Type: application/dicom\r\n", first),
            ("Content-Type: application/dicom\r\nX-Note:  a \r\n", second),
            ("", []),
        ])
        for chunk in [1, 2, 3, 5, 7, 8, 9, 64, 1000, input.count] {
            let result = try parts(input, chunk: chunk)
            try #require(result.count == 3, "chunk \(chunk)")
            #expect(result[0].body == first && result[1].body == second && result[2].body.isEmpty)
            #expect(result[0].headers["content-type"] == "application/dicom")
            #expect(result[1].headers["x-note"] == "a")
            #expect(result[2].headers.isEmpty)
        }
    }

    @Test("a body without the leading CRLF, a preamble and an epilogue, a quoted boundary in the Content-Type")
    func framing() throws {
        let plain = body([("Content-Type: application/dicom\r\n", Array("DICM".utf8))], leadingCRLF: false)
        #expect(try parts(plain, chunk: 4).map(\.body) == [Array("DICM".utf8)])
        let wrapped = Array("preamble text".utf8) + body([("", Array("x".utf8))]) + Array("epilogue".utf8)
        #expect(try parts(wrapped, chunk: 3).map(\.body) == [Array("x".utf8)])
        #expect(
            Parser.boundary(ofContentType: "multipart/related; type=\"application/dicom\"; boundary=\"0f3c a\"")
                == "0f3c a")
        #expect(Parser.boundary(ofContentType: "multipart/related; boundary=abc;type=x") == "abc")
        #expect(Parser.boundary(ofContentType: "multipart/related; type=\"application/dicom\"") == nil)
    }

    @Test("truncated bodies, a missing close delimiter, garbage and another boundary are refused")
    func malformed() throws {
        let whole = body([("Content-Type: application/dicom\r\n", Array("abc".utf8))])
        let cut = Array(whole.dropLast(4))  // "--\r\n" gone: no close delimiter
        #expect(throws: Parser.Failure.self) { try parts(cut, chunk: 5) }
        #expect(throws: Parser.Failure.self) { try parts(Array(whole.prefix(20)), chunk: 5) }
        #expect(throws: Parser.Failure.self) { try parts(Array("garbage".utf8), chunk: 3) }
        #expect(throws: Parser.Failure.self) { try parts(body([("", [1])], boundary: "OTHER"), chunk: 8) }
        #expect(throws: Parser.Failure.self) { try parts([], chunk: 1) }
        let badHeader = Array("\r\n--B0UND\r\nno colon here\r\n\r\nx\r\n--B0UND--".utf8)
        #expect(throws: Parser.Failure.self) { try parts(badHeader, chunk: 4) }
        let noCRLF = Array("\r\n--B0UNDjunk\r\n\r\nx\r\n--B0UND--".utf8)
        #expect(throws: Parser.Failure.self) { try parts(noCRLF, chunk: 4) }
        #expect(throws: Parser.Failure.self) { try Parser(boundary: "") }
        #expect(throws: Parser.Failure.self) { try Parser(boundary: String(repeating: "a", count: 71)) }
    }

    @Test("headers and preamble are bounded: a huge header or endless preamble fails without growing")
    func bounds() throws {
        var parser = try Parser(boundary: "B0UND", maximumHeaderBytes: 100, maximumPreambleBytes: 1000)
        _ = try parser.feed(Array("\r\n--B0UND\r\nX: ".utf8))
        #expect(throws: Parser.Failure.self) {
            for _ in 0..<10 { _ = try parser.feed([UInt8](repeating: 0x61, count: 50)) }
        }
        var endless = try Parser(boundary: "B0UND", maximumPreambleBytes: 1000)
        #expect(throws: Parser.Failure.self) {
            for _ in 0..<100 { _ = try endless.feed([UInt8](repeating: 0x2D, count: 64)) }
        }
        // A large body streams through: what is held back is less than a delimiter.
        var streaming = try Parser(boundary: "B0UND")
        _ = try streaming.feed(Array("\r\n--B0UND\r\n\r\n".utf8))
        var total = 0
        for _ in 0..<64 {
            for event in try streaming.feed([UInt8](repeating: 7, count: 65536)) {
                if case .data(let bytes) = event { total += bytes.count }
            }
        }
        #expect(64 * 65536 - total < 10)
    }
}
