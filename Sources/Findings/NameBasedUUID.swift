/// Name-based UUIDs (RFC 9562 version 5, SHA-1): the same name always gives the same UUID, so a re-export
/// writes the same `urn:uuid:` fullUrls and the same DICOM UIDs.
public enum NameBasedUUID {
    /// The RFC 9562 URL namespace, 6ba7b811-9dad-11d1-80b4-00c04fd430c8.
    static let urlNamespace: [UInt8] = [
        0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
    ]

    /// Annulus's namespace: the v5 UUID of `FindingsCodes.uuidNamespace` in the URL namespace.
    static let annulusNamespace: [UInt8] = bytes(namespace: urlNamespace, name: FindingsCodes.uuidNamespace)

    /// The lowercase v5 UUID of `name` in `namespace`.
    static func uuid(namespace: [UInt8], name: String) -> String {
        let value = bytes(namespace: namespace, name: name)
        let hex = value.map { byte in
            let text = String(byte, radix: 16)
            return byte < 16 ? "0" + text : text
        }
        return [0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { hex[$0].joined() }.joined(separator: "-")
    }

    /// `urn:uuid:` plus the v5 UUID of `name` in Annulus's namespace.
    static func urn(_ name: String) -> String {
        "urn:uuid:" + uuid(namespace: annulusNamespace, name: name)
    }

    /// The DICOM UID of the v5 UUID of `name` in Annulus's namespace: `2.25.` and the UUID as a decimal
    /// integer (PS3.5 §B.2), e.g. the series of a study's findings reports.
    public static func dicomUID(name: String) -> String {
        dicomUID(bytes: bytes(namespace: annulusNamespace, name: name))
    }

    /// The DICOM UID of a UUID given as text ("1b4e28ba-2fa1-11d2-883f-0016d3cca427"), or nil when it is not a
    /// UUID: an annotation's tracking UID, from which the annotation id can be read back (`uuidText(dicomUID:)`).
    public static func dicomUID(uuidText: String) -> String? {
        let hex = uuidText.filter { $0 != "-" }
        guard hex.count == 32, uuidText.count == 36, let value = UInt128(hex, radix: 16) else { return nil }
        return "2.25." + String(value)
    }

    /// The lowercase UUID text of a `2.25.` UID, or nil when it is not one.
    public static func uuidText(dicomUID: String) -> String? {
        guard dicomUID.hasPrefix("2.25."), let value = UInt128(dicomUID.dropFirst(5)) else { return nil }
        var hex = String(value, radix: 16)
        hex = String(repeating: "0", count: 32 - hex.count) + hex
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }

    private static func dicomUID(bytes: [UInt8]) -> String {
        "2.25." + String(bytes.reduce(UInt128(0)) { $0 << 8 | UInt128($1) })
    }

    private static func bytes(namespace: [UInt8], name: String) -> [UInt8] {
        var value = Array(SHA1.digest(namespace + Array(name.utf8)).prefix(16))
        value[6] = (value[6] & 0x0f) | 0x50
        value[8] = (value[8] & 0x3f) | 0x80
        return value
    }
}

/// SHA-1 (FIPS 180-4), only for name-based UUIDs: not for security.
enum SHA1 {
    static func digest(_ message: [UInt8]) -> [UInt8] {
        var h: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
        var data = message
        let bitLength = UInt64(message.count) * 8
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        for shift in stride(from: 56, through: 0, by: -8) { data.append(UInt8(truncatingIfNeeded: bitLength >> shift)) }
        var w = [UInt32](repeating: 0, count: 80)
        for chunk in stride(from: 0, to: data.count, by: 64) {
            for i in 0..<16 {
                w[i] = (0..<4).reduce(0) { ($0 << 8) | UInt32(data[chunk + 4 * i + $1]) }
            }
            for i in 16..<80 {
                let x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
                w[i] = (x << 1) | (x >> 31)
            }
            var (a, b, c, d, e) = (h[0], h[1], h[2], h[3], h[4])
            for i in 0..<80 {
                let (f, k): (UInt32, UInt32) =
                    switch i {
                    case 0..<20: ((b & c) | (~b & d), 0x5A82_7999)
                    case 20..<40: (b ^ c ^ d, 0x6ED9_EBA1)
                    case 40..<60: ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC)
                    default: (b ^ c ^ d, 0xCA62_C1D6)
                    }
                let temp = ((a << 5) | (a >> 27)) &+ f &+ e &+ k &+ w[i]
                e = d
                d = c
                c = (b << 30) | (b >> 2)
                b = a
                a = temp
            }
            h[0] &+= a
            h[1] &+= b
            h[2] &+= c
            h[3] &+= d
            h[4] &+= e
        }
        return h.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (24 - 8 * $0)) } }
    }
}
