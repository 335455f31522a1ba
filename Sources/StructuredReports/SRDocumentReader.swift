import CDicomSR
import DicomIO
import Findings
import Foundation

/// Reads an SR document (any SR IOD DCMTK's dcmsr knows) into an `SRDocumentTree`, with limits: a file larger than
/// `maxFileSize` or with more than `maxItems` content items is refused, and so is a tree deeper than `maxDepth`.
///
/// The file comes from outside: it first gets the bounded pre-scan of every DICOM file (DicomIO), then DCMTK's SR
/// parser reads it in this process. Only the command-line import reads SR files; the server does not.
public struct SRDocumentReader: Sendable {
    /// The largest file read (bytes).
    public var maxFileSize = 64 * 1024 * 1024
    /// The most content items read.
    public var maxItems = 100_000
    /// The deepest content tree accepted.
    public var maxDepth = 64
    /// The deepest sequence nesting accepted in the file (each content level is one or two).
    public var maxSequenceDepth = 128

    /// A reader with the default limits.
    public init() {}

    /// The document at `path`, or an error naming what is wrong.
    public func read(path: String) throws(SRError) -> SRDocumentTree {
        try SRDocumentEncoder.ensureRuntime()
        let what = "reading \((path as NSString).lastPathComponent)"
        // The bounded pre-scan every DICOM file gets (nesting depth, element lengths, truncation) before DCMTK's SR
        // parser sees it: a file that would overflow DCMTK's stack is refused here with the reason.
        do {
            var options = DicomReadOptions.headerOnly
            options.maxSequenceDepth = maxSequenceDepth
            _ = try DicomFile(path: path, options: options)
        } catch {
            throw SRError(what: what, reason: "\(error)")
        }
        let data = try SRDocumentEncoder.call(what) { out, error, size in
            csr_read_document(path, maxFileSize, maxItems, out, error, size)
        }
        return try parse(String(decoding: data, as: UTF8.self), what: what)
    }

    /// The tree from the shim's line format (cdicomsr.h).
    func parse(_ text: String, what: String) throws(SRError) -> SRDocumentTree {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: true).map {
            $0.split(separator: "\t", omittingEmptySubsequences: false).map { Self.decode($0) }
        }
        guard !lines.isEmpty, lines[0].first == "document", lines[0].count >= 7 else {
            throw SRError(what: what, reason: "the reader's output has no document line")
        }
        let head = lines.removeFirst()
        var stack: [(depth: Int, item: SRContentItem)] = []
        var root: SRContentItem?
        func close(to depth: Int) {
            while let last = stack.last, last.depth >= depth {
                stack.removeLast()
                if stack.isEmpty { root = last.item } else { stack[stack.count - 1].item.children.append(last.item) }
            }
        }
        for fields in lines {
            guard fields.count >= 8, let depth = Int(fields[0]), depth >= 1 else {
                throw SRError(what: what, reason: "a content item line cannot be read")
            }
            guard depth <= maxDepth else {
                throw SRError(what: what, reason: "the content tree is deeper than \(maxDepth) levels")
            }
            close(to: depth)
            guard depth == stack.count + 1, depth == 1 ? root == nil : true else {
                throw SRError(what: what, reason: "the content tree has more than one root")
            }
            stack.append((depth, Self.item(fields)))
        }
        close(to: 1)
        guard let root else { throw SRError(what: what, reason: "the document has no content") }
        return SRDocumentTree(
            sopClassUID: head[1], studyInstanceUID: head[2], seriesInstanceUID: head[3], sopInstanceUID: head[4],
            completion: head[5], verification: head[6], root: root)
    }

    static func item(_ fields: [String]) -> SRContentItem {
        func field(_ index: Int) -> String { index < fields.count ? fields[index] : "" }
        func code(_ start: Int) -> SRCode? {
            field(start).isEmpty && field(start + 2).isEmpty
                ? nil : SRCode(field(start), field(start + 1), field(start + 2))
        }
        let type = field(2)
        let value: SRContentItem.Value
        switch type {
        case "CONTAINER": value = .container
        case "TEXT", "UIDREF", "PNAME", "DATE", "TIME", "DATETIME": value = .string(field(7))
        case "CODE": value = code(7).map { .code($0) } ?? .other
        case "NUM": value = .number(field(7), unit: code(8))
        case "SCOORD":
            let numbers = field(8).split(separator: ",").compactMap { Double($0) }
            let points = stride(from: 0, to: numbers.count - 1, by: 2).map { (x: numbers[$0], y: numbers[$0 + 1]) }
            value = .coordinates(graphicType: field(7), points: points)
        case "IMAGE", "COMPOSITE":
            value = .reference(
                sopClassUID: field(7), sopInstanceUID: field(8),
                frames: field(9).split(separator: ",").compactMap { Int($0) })
        default: value = .other
        }
        return SRContentItem(
            relationship: field(1), valueType: type, concept: code(3), template: field(6), value: value)
    }

    /// Undoes the shim's percent-encoding.
    static func decode(_ field: Substring) -> String {
        guard field.contains("%") else { return String(field) }
        var bytes: [UInt8] = []
        var iterator = Array(field.utf8)[...]
        while let byte = iterator.popFirst() {
            if byte == UInt8(ascii: "%"), iterator.count >= 2,
                let value = UInt8(String(decoding: iterator.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                iterator = iterator.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
