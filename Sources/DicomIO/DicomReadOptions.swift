/// Bounds and mode for opening a DICOM file from outside.
public struct DicomReadOptions: Sendable, Equatable {
    /// Deepest sequence nesting accepted. Enhanced MR needs 3–4 levels and real SR trees rarely
    /// pass 20; DCMTK's recursive parser overflows its stack on files nested tens of thousands deep.
    public var maxSequenceDepth: Int
    /// Largest decoded frame, in bytes, the reader will allocate (default 1 GiB). Also bounds the
    /// inflated size of a deflated data set, and every image derived from a frame (resampled previews, sheets).
    public var maxDecodedBytes: UInt64
    /// Stop parsing at PixelData: headers only, for indexing large folders. Pixel access then throws.
    public var headerOnly: Bool
    /// Where compressed pixel data is decoded and DCMTK's display pipeline runs (default: worker processes).
    public var decoding: DecoderIsolation
    /// Wall-clock seconds one frame may take in a decoder worker before it is stopped (`decode-timeout`);
    /// also its CPU-time budget.
    public var decodeTimeoutSeconds: Int

    /// Creates options; the defaults suit files from outside.
    public init(
        maxSequenceDepth: Int = 64, maxDecodedBytes: UInt64 = 1 << 30, headerOnly: Bool = false,
        decoding: DecoderIsolation = .workerProcesses, decodeTimeoutSeconds: Int = 60
    ) {
        self.maxSequenceDepth = maxSequenceDepth
        self.maxDecodedBytes = maxDecodedBytes
        self.headerOnly = headerOnly
        self.decoding = decoding
        self.decodeTimeoutSeconds = decodeTimeoutSeconds
    }

    /// Header-only reading with the default bounds.
    public static let headerOnly = DicomReadOptions(headerOnly: true)
}

/// Where the codecs run. Third-party decoders can crash, hang or allocate without bound on crafted data whatever
/// the caller catches (an `abort()` from an assertion, SIGSEGV, SIGFPE, an endless loop), so by default they run
/// in a pool of `annulus-decoder` worker processes (``DecoderPool``): such a failure ends the worker, and the
/// frame fails with `decode-crashed` or `decode-timeout` while the application goes on.
public enum DecoderIsolation: String, Sendable, Equatable, CaseIterable {
    /// Compressed frames and DCMTK renderings are produced in `annulus-decoder` worker processes.
    case workerProcesses = "workers"
    /// Everything is decoded in this process: the worker itself, and comparisons in benchmarks.
    case inProcess = "in-process"
}
