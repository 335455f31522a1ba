/// Bounds and mode for opening a DICOM file from outside.
public struct DicomReadOptions: Sendable, Equatable {
    /// Deepest sequence nesting accepted. Enhanced MR needs 3–4 levels and real SR trees rarely
    /// pass 20; DCMTK's recursive parser overflows its stack on files nested tens of thousands deep.
    public var maxSequenceDepth: Int
    /// Largest decoded frame, in bytes, the reader will allocate (default 1 GiB). Also bounds the
    /// inflated size of a deflated data set.
    public var maxDecodedBytes: UInt64
    /// Stop parsing at PixelData: headers only, for indexing large folders. Pixel access then throws.
    public var headerOnly: Bool

    /// Creates options; the defaults suit files from outside.
    public init(maxSequenceDepth: Int = 64, maxDecodedBytes: UInt64 = 1 << 30, headerOnly: Bool = false) {
        self.maxSequenceDepth = maxSequenceDepth
        self.maxDecodedBytes = maxDecodedBytes
        self.headerOnly = headerOnly
    }

    /// Header-only reading with the default bounds.
    public static let headerOnly = DicomReadOptions(headerOnly: true)
}
