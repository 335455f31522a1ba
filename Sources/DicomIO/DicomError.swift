import CDicom

/// A failure reading or writing DICOM, naming the file and what is wrong with it.
///
/// `kind` is stable and machine-readable (it groups failures in summaries); `message` says in words
/// what was found, so that an administrator can act on it.
public struct DicomError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of failure.
    public enum Kind: String, Sendable, Codable, CaseIterable {
        /// DCMTK's data dictionary is not installed or not found.
        case dictionaryMissing = "dictionary-missing"
        /// The file could not be opened or read (permissions, missing, a folder).
        case unreadable
        /// The bytes are not DICOM.
        case notDicom = "not-dicom"
        /// The encoding is broken: truncated, inconsistent lengths, missing mandatory attributes.
        case malformed
        /// Sequences are nested deeper than the configured bound.
        case nestingTooDeep = "nesting-too-deep"
        /// The pixel data is compressed with a transfer syntax this build cannot decode.
        case unsupportedTransferSyntax = "unsupported-transfer-syntax"
        /// The object has no pixel data to decode.
        case noPixelData = "no-pixel-data"
        /// The requested frame does not exist.
        case frameOutOfRange = "frame-out-of-range"
        /// Decoding would exceed the configured memory bound.
        case tooLarge = "too-large"
        /// The codec or DCMTK's image pipeline failed on this data.
        case decodeFailed = "decode-failed"
        /// The decoder worker process died (a signal, an abort, out of memory) while decoding this file's pixels.
        case decodeCrashed = "decode-crashed"
        /// Decoding took longer than its time limit and the decoder worker was stopped.
        case decodeTimeout = "decode-timeout"
        /// The decoder worker program could not be found or started.
        case decoderUnavailable = "decoder-unavailable"
        /// Pixel access on a file opened header-only.
        case headerOnly = "header-only"
        /// The requested VOI window is not in the file.
        case noSuchWindow = "no-such-window"
        /// Writing a file failed.
        case writeFailed = "write-failed"
        /// The caller passed a value that cannot be used.
        case invalidArgument = "invalid-argument"
        /// An unexpected internal failure (a C++ exception, out of memory).
        case `internal`

        init(_ status: cd_status) {
            switch status {
            case CD_ERR_DICTIONARY: self = .dictionaryMissing
            case CD_ERR_IO: self = .unreadable
            case CD_ERR_NOT_DICOM: self = .notDicom
            case CD_ERR_MALFORMED: self = .malformed
            case CD_ERR_TOO_DEEP: self = .nestingTooDeep
            case CD_ERR_UNSUPPORTED_SYNTAX: self = .unsupportedTransferSyntax
            case CD_ERR_NO_PIXEL_DATA: self = .noPixelData
            case CD_ERR_FRAME_RANGE: self = .frameOutOfRange
            case CD_ERR_TOO_LARGE: self = .tooLarge
            case CD_ERR_DECODE: self = .decodeFailed
            case CD_ERR_HEADER_ONLY: self = .headerOnly
            case CD_ERR_NO_WINDOW: self = .noSuchWindow
            case CD_ERR_WRITE: self = .writeFailed
            case CD_ERR_INVALID_ARGUMENT: self = .invalidArgument
            default: self = .internal
            }
        }
    }

    /// The class of failure.
    public var kind: Kind
    /// The file concerned (as given by the caller), or an empty string when none.
    public var path: String
    /// What was found, in words.
    public var message: String

    /// Creates an error.
    public init(_ kind: Kind, path: String, message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    init(_ error: cd_error, path: String) {
        var copy = error
        let message = withUnsafeBytes(of: &copy.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        self.init(Kind(error.code), path: path, message: message.isEmpty ? "unknown error" : message)
    }

    /// "path: message".
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
