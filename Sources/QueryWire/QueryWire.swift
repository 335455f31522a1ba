/// The line protocol between Annulus and `annulus-dicom-query` (its main.swift describes the lines): tab-separated
/// fields, each percent-encoded (`%XX` for every byte outside printable ASCII and for `%`).
public enum QueryWire {
    /// `text` percent-encoded.
    public static func encode(_ text: String) -> String { encode(bytes: text.utf8) }

    /// `bytes` percent-encoded as they are (invalid UTF-8 is kept byte for byte: the receiving side validates).
    public static func encode<Bytes: Sequence<UInt8>>(bytes: Bytes) -> String {
        var out = ""
        for byte in bytes {
            if byte < 0x20 || byte >= 0x7F || byte == UInt8(ascii: "%") {
                out += "%" + hexDigit(byte >> 4) + hexDigit(byte & 15)
            } else {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }

    /// A field's bytes decoded; invalid UTF-8 from a PACS becomes U+FFFD (it is validated after).
    public static func decode(_ field: Substring) -> String {
        var bytes: [UInt8] = []
        var rest = Array(field.utf8)[...]
        while let byte = rest.popFirst() {
            if byte == UInt8(ascii: "%"), rest.count >= 2,
                let value = UInt8(String(decoding: rest.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                rest = rest.dropFirst(2)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// One line of fields.
    public static func line(_ fields: [String]) -> String { fields.map(encode).joined(separator: "\t") + "\n" }

    /// A line's fields, decoded.
    public static func fields(_ line: Substring) -> [String] {
        line.split(separator: "\t", omittingEmptySubsequences: false).map(decode)
    }

    private static func hexDigit(_ value: UInt8) -> String {
        String(UnicodeScalar(value < 10 ? 0x30 + value : 0x37 + value))
    }
}
