import Foundation
import AnnulusRecords
internal import GRDB

/// Conversions between the public values and database rows. GRDB stays an implementation detail: no public
/// type conforms to a GRDB protocol.
enum RowDecoding {
    /// The columns `instanceRecord(_:)` reads, with the joins they need; append a WHERE clause.
    static let instanceSelect = """
        SELECT i.sop_instance_uid, i.sop_class_uid, i.series_uid, i.instance_number, i.image_rows,
               i.image_columns, i.frames, i.path, i.file_size, i.content_sha256, i.image_position,
               i.image_orientation, i.pixel_spacing, i.frame_geometry,
               se.study_uid, se.modality, se.series_number, se.series_description,
               st.patient_id, st.study_date, st.study_time, st.accession_number, st.study_description,
               p.patient_name
        FROM instances i
        JOIN series se ON se.series_uid = i.series_uid
        JOIN studies st ON st.study_uid = se.study_uid
        JOIN patients p ON p.patient_id = st.patient_id
        """

    /// An instance record from a row of `instanceSelect`.
    static func instanceRecord(_ row: Row) -> InstanceRecord {
        InstanceRecord(
            sopInstanceUID: row["sop_instance_uid"], sopClassUID: row["sop_class_uid"],
            studyInstanceUID: row["study_uid"], seriesInstanceUID: row["series_uid"],
            patientID: row["patient_id"], patientName: row["patient_name"], studyDate: row["study_date"],
            studyTime: row["study_time"], accessionNumber: row["accession_number"],
            studyDescription: row["study_description"], modality: row["modality"],
            seriesNumber: row["series_number"], seriesDescription: row["series_description"],
            instanceNumber: row["instance_number"], rows: row["image_rows"], columns: row["image_columns"],
            frames: row["frames"], path: row["path"], fileSize: row["file_size"],
            contentSHA256: row["content_sha256"],
            imagePosition: doubles(row["image_position"]), imageOrientation: doubles(row["image_orientation"]),
            pixelSpacing: doubles(row["pixel_spacing"]), perFrameGeometry: frameGeometry(row["frame_geometry"]))
    }

    /// The column list of `annotation_versions`, in insertion order.
    static let annotationColumns = """
        annotation_id, version, study_uid, series_uid, sop_instance_uid, frame, level, finding_kind, payload, \
        status, author, reason, created_at, signed_by, signed_at
        """

    /// An annotation version from a row holding `annotationColumns`.
    static func annotationVersion(_ row: Row) throws -> AnnotationVersion {
        let statusText: String = row["status"]
        guard let status = AnnotationStatus(rawValue: statusText) else {
            throw StoreError.database(path: "", reason: "unknown annotation status '\(statusText)'")
        }
        let payload: String = row["payload"]
        return AnnotationVersion(
            annotationID: row["annotation_id"], version: row["version"], studyUID: row["study_uid"],
            seriesUID: row["series_uid"], sopInstanceUID: row["sop_instance_uid"], frame: row["frame"],
            level: row["level"], findingKind: row["finding_kind"], payload: Data(payload.utf8), status: status,
            author: row["author"], reason: row["reason"], createdAt: row["created_at"], signedBy: row["signed_by"],
            signedAt: row["signed_at"])
    }

    /// The statement arguments of `annotationColumns` for a version whose payload text was validated.
    static func arguments(_ version: AnnotationVersion, payloadText: String) -> StatementArguments {
        [
            version.annotationID, version.version, version.studyUID, version.seriesUID, version.sopInstanceUID,
            version.frame, version.level, version.findingKind, payloadText, version.status.rawValue,
            version.author, version.reason, version.createdAt, version.signedBy, version.signedAt,
        ]
    }

    /// JSON text of a list of numbers; nil when absent, empty or not finite (JSON cannot hold NaN or ∞).
    static func json(_ values: [Double]?) -> String? {
        guard let values, !values.isEmpty, values.allSatisfy(\.isFinite) else { return nil }
        return "[" + values.map { "\($0)" }.joined(separator: ",") + "]"
    }

    /// JSON text of per-frame geometry, non-finite numbers dropped to nil.
    static func json(_ frames: [InstanceRecord.FrameGeometry]?) -> String? {
        guard let frames else { return nil }
        let parts = frames.map { frame in
            let fields = [
                ("imagePosition", json(frame.imagePosition)), ("imageOrientation", json(frame.imageOrientation)),
                ("pixelSpacing", json(frame.pixelSpacing)),
            ].compactMap { name, value in value.map { "\"\(name)\":\($0)" } }
            return "{" + fields.joined(separator: ",") + "}"
        }
        return "[" + parts.joined(separator: ",") + "]"
    }

    /// Numbers from JSON text written by `json(_:)`.
    static func doubles(_ text: String?) -> [Double]? {
        guard let text, let data = text.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode([Double].self, from: data)
    }

    /// Per-frame geometry from JSON text written by `json(_:)`.
    static func frameGeometry(_ text: String?) -> [InstanceRecord.FrameGeometry]? {
        guard let text, let data = text.data(using: .utf8) else { return nil }
        return try? JSONDecoder().decode([InstanceRecord.FrameGeometry].self, from: data)
    }
}
