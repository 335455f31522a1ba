import Crypto
import DicomIO
import Foundation
import Store

/// Reads what the store indexes about one DICOM file: identifiers, image size and geometry from a header-only
/// parse (pixel values are never decoded), and the SHA-256 of the file's bytes for deduplication.
public enum InstanceReader {
    /// The index record of `path`, or a ``DicomError`` naming the file and what is wrong with it.
    public static func record(path: String, options: DicomReadOptions = DicomReadOptions()) throws -> InstanceRecord {
        try read(path: path, options: options).record
    }

    /// The index record of `path` and the study's instance count when the header announces it (Number of Study
    /// Related Instances, 0020,1208), or a ``DicomError`` naming the file and what is wrong with it.
    ///
    /// With `requireDecodablePixels`, pixel data Annulus could not show (an unsupported transfer syntax, an image
    /// larger than the memory bound, a pixel module that contradicts the data) is an error too, as `inspect`
    /// reports it; objects without pixel data (reports, plans) are still indexed.
    public static func read(
        path: String, options: DicomReadOptions = DicomReadOptions(), requireDecodablePixels: Bool = false
    ) throws -> (record: InstanceRecord, expectedStudyInstances: Int?) {
        let reading = try readNotingPixels(path: path, options: options, requireDecodablePixels: requireDecodablePixels)
        return (reading.record, reading.expectedStudyInstances)
    }

    /// `read`, also returning why the pixel module describes no pixels (`pixelAbsence`, an error of kind
    /// `.noPixelData`: no PixelData element, or pixels Annulus does not show), or nil when it describes them — so
    /// that a caller judging completeness need not parse the header a second time.
    public static func readNotingPixels(
        path: String, options: DicomReadOptions = DicomReadOptions(), requireDecodablePixels: Bool = false
    ) throws -> (record: InstanceRecord, expectedStudyInstances: Int?, pixelAbsence: DicomError?) {
        var headerOptions = options
        headerOptions.headerOnly = true
        let file = try DicomFile(path: path, options: headerOptions)
        let data = file.dataset
        guard let sopInstanceUID = data.string(.sopInstanceUID), !sopInstanceUID.isEmpty else {
            throw DicomError(.malformed, path: path, message: "no SOP Instance UID (0008,0018): cannot be indexed")
        }
        guard let studyUID = data.string(.studyInstanceUID), !studyUID.isEmpty,
            let seriesUID = data.string(.seriesInstanceUID), !seriesUID.isEmpty
        else {
            throw DicomError(.malformed, path: path, message: "no Study or Series Instance UID: cannot be indexed")
        }
        let pixels: PixelDescription?
        var pixelAbsence: DicomError?
        do {
            pixels = try file.pixelDescription()
        } catch {
            guard !requireDecodablePixels || error.kind == .noPixelData else { throw error }
            pixels = nil
            if error.kind == .noPixelData { pixelAbsence = error }
        }
        let (size, digest) = try hash(path)
        let expected = data.int(DicomTag(0x0020, 0x1208)).flatMap { $0 > 0 ? $0 : nil }
        let record = InstanceRecord(
            sopInstanceUID: sopInstanceUID,
            sopClassUID: data.string(.sopClassUID) ?? "",
            studyInstanceUID: studyUID,
            seriesInstanceUID: seriesUID,
            patientID: data.string(.patientID) ?? "",
            patientName: data.string(.patientName) ?? "",
            studyDate: data.string(.studyDate),
            studyTime: data.string(DicomTag(0x0008, 0x0030)),
            accessionNumber: data.string(.accessionNumber),
            studyDescription: data.string(DicomTag(0x0008, 0x1030)),
            modality: data.string(.modality),
            seriesNumber: data.int(.seriesNumber),
            seriesDescription: data.string(.seriesDescription),
            instanceNumber: data.int(.instanceNumber),
            rows: pixels?.rows ?? data.int(.rows) ?? 0,
            columns: pixels?.columns ?? data.int(.columns) ?? 0,
            frames: pixels?.frames ?? max(1, data.int(.numberOfFrames) ?? 1),
            path: path,
            fileSize: size,
            contentSHA256: digest,
            imagePosition: nonEmpty(data.doubles(.imagePositionPatient)),
            imageOrientation: nonEmpty(data.doubles(.imageOrientationPatient)),
            pixelSpacing: nonEmpty(data.doubles(.pixelSpacing)),
            bodyPartExamined: nonEmpty(data.string(DicomTag(0x0018, 0x0015))),
            protocolName: nonEmpty(data.string(DicomTag(0x0018, 0x1030))))
        return (record, expected, pixelAbsence)
    }

    private static func nonEmpty(_ values: [Double]) -> [Double]? { values.isEmpty ? nil : values }

    private static func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
        return text
    }

    /// Size and SHA-256 (hex) of a file, read with read(2) through one 1 MiB buffer.
    static func hash(_ path: String) throws -> (Int64, String) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw DicomError(
                .unreadable, path: path, message: "cannot open the file to hash it: \(String(cString: strerror(errno)))"
            )
        }
        defer { close(descriptor) }
        var hasher = SHA256()
        var size: Int64 = 0
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
        defer { buffer.deallocate() }
        while true {
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw DicomError(
                    .unreadable, path: path,
                    message: "cannot read the file to hash it: \(String(cString: strerror(errno)))")
            }
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            size += Int64(count)
        }
        return (size, hex(hasher.finalize()))
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Lowercase hexadecimal of a digest.
    static func hex<Digest: Sequence<UInt8>>(_ digest: Digest) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(64)
        for byte in digest {
            bytes.append(hexDigits[Int(byte >> 4)])
            bytes.append(hexDigits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
