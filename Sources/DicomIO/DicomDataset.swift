import CDicom
import Foundation

/// A data set or sequence item of an open ``DicomFile``: typed access to its attributes.
///
/// Strings are UTF-8, converted from the file's SpecificCharacterSet when it declares one (falling
/// back to ISO 8859-1 for bytes that are not UTF-8). A dataset keeps its file open; like the file,
/// it belongs to one task at a time.
public struct DicomDataset {
    let file: DicomFileHandle
    let item: OpaquePointer

    init(file: DicomFileHandle, item: OpaquePointer) {
        self.file = file
        self.item = item
    }

    private func element(_ tag: DicomTag) -> OpaquePointer? {
        cd_item_find(item, tag.group, tag.element)
    }

    /// True when the attribute is present (possibly empty).
    public func contains(_ tag: DicomTag) -> Bool { element(tag) != nil }

    /// The value representation of an attribute ("US", "SQ", ...), or nil when absent.
    public func vr(of tag: DicomTag) -> String? {
        guard let element = element(tag) else { return nil }
        var vr: (CChar, CChar, CChar) = (0, 0, 0)
        withUnsafeMutablePointer(to: &vr) {
            $0.withMemoryRebound(to: CChar.self, capacity: 3) { cd_element_vr(element, $0) }
        }
        return String(decoding: [UInt8(bitPattern: vr.0), UInt8(bitPattern: vr.1)], as: UTF8.self)
    }

    /// The tags present directly in this data set, in order.
    public var tags: [DicomTag] {
        (0..<cd_item_count(item)).compactMap { index in
            guard let element = cd_item_at(item, index) else { return nil }
            var group: UInt16 = 0
            var number: UInt16 = 0
            cd_element_tag(element, &group, &number)
            return DicomTag(group, number)
        }
    }

    /// The whole value as text (several values joined by "\\"), trailing padding removed; nil when
    /// absent, binary or a sequence.
    public func rawString(_ tag: DicomTag) -> String? {
        guard let element = element(tag), let pointer = cd_element_string(element) else { return nil }
        defer { cd_free(pointer) }
        let length = strlen(pointer)
        let bytes = UnsafeBufferPointer(
            start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: length)
        let text = String(validating: bytes, as: UTF8.self) ?? String(bytes.map { Character(Unicode.Scalar($0)) })
        return text.trimmingPadding()
    }

    /// The first value as text, or nil when absent or empty.
    public func string(_ tag: DicomTag) -> String? {
        guard let value = strings(tag).first, !value.isEmpty else { return nil }
        return value
    }

    /// Every value as text. Text VRs (LT, ST, UT) are one value even when they contain "\\".
    public func strings(_ tag: DicomTag) -> [String] {
        guard let raw = rawString(tag) else { return [] }
        if raw.isEmpty { return [] }
        if let vr = vr(of: tag), ["LT", "ST", "UT"].contains(vr) { return [raw] }
        return raw.split(separator: "\\", omittingEmptySubsequences: false).map {
            String($0).trimmingPadding(leading: true)
        }
    }

    /// Value `index` as an integer (IS, US, SS, UL, SL, UV, SV), or nil.
    public func int(_ tag: DicomTag, index: Int = 0) -> Int? {
        guard let element = element(tag), index >= 0 else { return nil }
        var value: Int64 = 0
        if cd_element_int64(element, UInt32(index), &value) != 0 { return Int(value) }
        if let text = strings(tag).dropFirst(index).first, let parsed = Int(text) { return parsed }
        return nil
    }

    /// Every value as an integer; values that do not parse are skipped.
    public func ints(_ tag: DicomTag) -> [Int] {
        guard let element = element(tag) else { return [] }
        return (0..<Int(cd_element_vm(element))).compactMap { int(tag, index: $0) }
    }

    /// Value `index` as a number (DS, FL, FD and the integer VRs), or nil when absent, unparseable, or not usable:
    /// NaN, ±infinity and values outside the attribute's plausible range (``HeaderNumbers``) are never returned.
    public func double(_ tag: DicomTag, index: Int = 0) -> Double? {
        guard let value = parsedDouble(tag, index: index), HeaderNumbers.isUsable(value, for: tag) else { return nil }
        return value
    }

    /// Every value as a number; values that do not parse are skipped. Empty when any value is not usable
    /// (``HeaderNumbers``): a position with one infinite coordinate is no position.
    public func doubles(_ tag: DicomTag) -> [Double] {
        let values = parsedDoubles(tag)
        guard values.allSatisfy({ HeaderNumbers.isUsable($0, for: tag) }) else { return [] }
        return values
    }

    /// Value `index` exactly as DCMTK parsed it, NaN and infinities included: for reporting, not for arithmetic.
    func parsedDouble(_ tag: DicomTag, index: Int = 0) -> Double? {
        guard let element = element(tag), index >= 0 else { return nil }
        var value = 0.0
        if cd_element_double(element, UInt32(index), &value) != 0 { return value }
        return nil
    }

    /// Every value exactly as parsed (see ``parsedDouble(_:index:)``).
    func parsedDoubles(_ tag: DicomTag) -> [Double] {
        guard let element = element(tag) else { return [] }
        return (0..<Int(cd_element_vm(element))).compactMap { parsedDouble(tag, index: $0) }
    }

    /// The items of a sequence attribute; empty when absent or not a sequence.
    public func sequence(_ tag: DicomTag) -> [DicomDataset] {
        guard let element = element(tag) else { return [] }
        return (0..<cd_element_item_count(element)).compactMap { index in
            cd_element_item(element, index).map { DicomDataset(file: file, item: $0) }
        }
    }

    /// Looks `tag` up here, then in the first item of each of `path` in turn (e.g. functional groups):
    /// `firstItem(through: [.sharedFunctionalGroupsSequence, .pixelMeasuresSequence])`.
    public func firstItem(through path: [DicomTag]) -> DicomDataset? {
        var current: DicomDataset? = self
        for tag in path { current = current?.sequence(tag).first }
        return current
    }
}

extension String {
    /// Removes DICOM padding (spaces, NULs) at the end, and at the start when `leading`.
    func trimmingPadding(leading: Bool = false) -> String {
        var scalars = Substring(self)
        while let last = scalars.last, last == " " || last == "\0" { scalars.removeLast() }
        if leading { while let first = scalars.first, first == " " { scalars.removeFirst() } }
        return String(scalars)
    }
}
