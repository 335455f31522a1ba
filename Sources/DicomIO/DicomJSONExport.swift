import CDicom
import Foundation

extension DicomFile {
    /// The data set as a DICOM JSON object (PS3.18 F.2), written by DCMTK: pixel data and binary values longer
    /// than `inlineLimit` bytes as `BulkDataURI` (`bulkDataURIPrefix` followed by the tag, `…/bulkdata/7FE00010`),
    /// never inline; at most `maxBytes` bytes.
    ///
    /// Open the file without `headerOnly` (attributes after the pixel data belong to the header too); values
    /// larger than DCMTK's read threshold stay on disk. The bytes are checked to be JSON (DCMTK writes a few
    /// malformed numbers verbatim, e.g. a decimal string `1.` or a float NaN).
    ///
    /// - Throws: ``DicomError`` (`tooLarge` past `maxBytes`, `malformed` when DCMTK cannot write it or the result is
    ///   not JSON).
    public func dicomJSON(bulkDataURIPrefix: String, inlineLimit: Int = 1024, maxBytes: Int = 16 << 20)
        throws(DicomError) -> Data
    {
        var error = cd_error()
        var pointer: UnsafeMutablePointer<CChar>?
        var length = 0
        guard
            cd_file_dicom_json(
                handle.pointer, bulkDataURIPrefix, UInt32(clamping: max(0, inlineLimit)),
                UInt64(clamping: max(0, maxBytes)), &pointer, &length, &error) == CD_OK, let pointer
        else {
            throw DicomError(error, path: path)
        }
        defer { cd_free(pointer) }
        let data = Data(bytes: pointer, count: length)
        guard (try? JSONSerialization.jsonObject(with: data)) is [String: Any] else {
            throw DicomError(
                .malformed, path: path,
                message: "the header cannot be written as DICOM JSON (a value DCMTK writes as an invalid JSON number)")
        }
        return data
    }
}
