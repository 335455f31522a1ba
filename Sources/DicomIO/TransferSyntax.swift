import CDicom

/// A transfer syntax: how a data set and its pixels are encoded, and whether this build decodes them.
public struct TransferSyntax: Sendable, Hashable, Codable {
    /// The UID, e.g. "1.2.840.10008.1.2.1"; empty when the file had no meta information.
    public var uid: String
    /// A human name, e.g. "JPEG-LS Lossless".
    public var name: String
    /// DCMTK knows the UID.
    public var isKnown: Bool
    /// Pixel data is encapsulated (compressed).
    public var isEncapsulated: Bool
    /// This build can decode its pixel data (native, deflated data set, RLE, IJG JPEG, JPEG-LS, JPEG 2000, HTJ2K).
    public var isDecodable: Bool
    /// Decoded by Annulus itself (JPEG 2000 through OpenJPEG, HTJ2K through OpenJPH): DCMTK's display pipeline
    /// cannot read these pixels, so previews must not go through it.
    public var isDecodedOutsideDCMTK: Bool

    /// Describes `uid`.
    public init(uid: String) {
        var info = cd_transfer_syntax_info()
        cd_transfer_syntax_describe(uid, &info)
        self.uid = uid
        self.name = withUnsafeBytes(of: &info.name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
        self.isKnown = info.known != 0
        self.isEncapsulated = info.encapsulated != 0
        self.isDecodable = info.decodable != 0
        self.isDecodedOutsideDCMTK = info.decoded_here != 0
    }

    /// Explicit VR Little Endian.
    public static let explicitVRLittleEndian = TransferSyntax(uid: "1.2.840.10008.1.2.1")
    /// Implicit VR Little Endian.
    public static let implicitVRLittleEndian = TransferSyntax(uid: "1.2.840.10008.1.2")
    /// JPEG-LS Lossless Image Compression.
    public static let jpegLSLossless = TransferSyntax(uid: "1.2.840.10008.1.2.4.80")
    /// RLE Lossless.
    public static let rleLossless = TransferSyntax(uid: "1.2.840.10008.1.2.5")
}

/// DCMTK's name for a well-known UID (SOP class, transfer syntax), or nil.
public func nameOfUID(_ uid: String) -> String? {
    cd_uid_name(uid).map { String(cString: $0) }
}
