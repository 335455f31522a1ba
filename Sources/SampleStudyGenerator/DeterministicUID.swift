/// DICOM UIDs derived from names, so that regenerated SampleStudies are byte-identical.
///
/// Each UID is "2.25." followed by the decimal form of a 128-bit value hashed from the name
/// (PS3.5 B.2: a UUID-derived UID under the 2.25 root needs no registered organisation root).
public enum DeterministicUID {
    /// The UID for `name`, e.g. `DeterministicUID.make("patient1/mr/study")`.
    public static func make(_ name: String) -> String {
        let bytes = Array(("annulus-sample-studies/" + name).utf8)
        let high = fnv1a(bytes, seed: 0xcbf2_9ce4_8422_2325)
        let low = fnv1a(bytes.reversed(), seed: 0x8422_2325_cbf2_9ce4)
        return "2.25." + decimal(high: high & 0x7FFF_FFFF_FFFF_FFFF, low: low)
    }

    private static func fnv1a(_ bytes: some Sequence<UInt8>, seed: UInt64) -> UInt64 {
        var hash = seed
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x100_0000_01b3
        }
        return DeterministicNoise.mix64(hash)
    }

    /// Decimal digits of the 128-bit number high·2⁶⁴ + low.
    static func decimal(high: UInt64, low: UInt64) -> String {
        var high = high
        var low = low
        var digits: [Character] = []
        repeat {
            let remainderHigh = high % 10
            high /= 10
            let (quotient, remainder) = (10 as UInt64).dividingFullWidth((high: remainderHigh, low: low))
            low = quotient
            digits.append(Character(String(remainder)))
        } while high != 0 || low != 0
        return String(digits.reversed())
    }
}
