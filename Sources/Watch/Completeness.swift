import DicomIO
import Foundation
import Store

/// Whether a file in the watched folder is a complete DICOM object yet. Some senders write a file by appending
/// with a close after each piece, so "closed" and "unchanged at two looks" do not mean "complete": a file is
/// taken when every declared length is present (the bounded pre-scan refuses truncation anywhere) and, when the
/// object announces an image, its pixel data is there and as long as the pixel module says. An incomplete file
/// is waited for; only one that stays incomplete past the patience limit is quarantined.
enum Completeness {
    /// The reason `error` (a failed read of a file of `size` bytes) says the file ends too early: still being
    /// written, or truncated for good. Nil when the file is wrong in some other way (not DICOM, inconsistent).
    static func incompleteness(of error: any Error, size: Int64) -> String? {
        guard let error = error as? DicomError else { return nil }
        switch error.kind {
        case .notDicom:
            // A prefix shorter than the 128-byte preamble and its "DICM" cannot be told from a foreign file yet.
            if size == 0 { return "the file is empty" }
            return size < 132 ? "only \(size) bytes, shorter than a DICOM preamble" : nil
        case .malformed:
            let endsEarly = [
                "(truncated", "truncated meta header", "the file ends inside", "past the end of the file",
                "remain in the file", "declares more image than the file contains",
                "the encapsulated pixel data has only",
            ]
            return endsEarly.contains { error.message.contains($0) } ? error.message : nil
        default:
            return nil
        }
    }

    /// For an object that was read without error: the reason it is still incomplete when it announces an image
    /// (Rows, Columns, or an image storage SOP class) but has no PixelData yet (a header written before its
    /// pixels); nil when complete. Objects without pixels by nature (structured reports, presentation states,
    /// key object selections, encapsulated documents) are complete as they are.
    /// `pixelAbsence` is what the header-only read said of the pixel module (nil: pixels described).
    static func missingPixels(record: InstanceRecord, pixelAbsence: DicomError?) -> String? {
        guard record.rows > 0 || record.columns > 0 || imageStorageClasses.contains(record.sopClassUID) else {
            return nil
        }
        // Floating-point pixel data (a parametric map) is present and complete; Annulus only does not show it.
        guard let pixelAbsence, pixelAbsence.message.contains("no PixelData") else {
            return nil
        }
        return "the header announces an image (SOP class \(record.sopClassUID), \(record.rows) x "
            + "\(record.columns)) but no PixelData (7FE0,0010) follows yet"
    }

    /// Image storage SOP classes a sender may write the header of before the pixels (PS3.4 B.5).
    static let imageStorageClasses: Set<String> = Set(
        [
            "1", "1.1", "1.1.1", "1.2", "1.2.1", "1.3", "1.3.1", "2", "2.1", "2.2", "3.1", "4", "4.1", "4.2", "4.3",
            "4.4", "6.1", "6.2", "7", "7.1", "7.2", "7.3", "7.4", "12.1", "12.1.1", "12.2", "12.2.1", "13.1.1",
            "13.1.3", "13.1.4", "13.1.5", "20", "77.1.1", "77.1.1.1", "77.1.2", "77.1.2.1", "77.1.4", "77.1.4.1",
            "128", "130", "481.1",
        ].map { "1.2.840.10008.5.1.4.1.1." + $0 })
}
