import DicomIO
import Imaging
import Store

/// One stack of a series as a viewer scrolls it: slices sharing an orientation in spatial order, with the plane,
/// the usual spacing and what is wrong with the geometry. Built from the index (no file is opened).
public struct StackDetail: Sendable, Equatable {
    /// One slice: an instance and a frame, with its place along the stack's normal.
    public struct Slice: Sendable, Equatable {
        /// The instance.
        public var sopInstanceUID: String
        /// The frame within the instance, from 0 (as the rendered-frame routes number them).
        public var frame: Int
        /// Distance along the slice normal in mm (position · normal); nil without geometry.
        public var location: Double?
    }

    /// sagittal, coronal, axial, oblique or unknown.
    public var plane: String
    /// The shared row direction (unit vector in patient coordinates), when known.
    public var rowDirection: [Double]?
    /// The shared column direction, when known.
    public var columnDirection: [Double]?
    /// The usual step between slices (median) in mm; nil for one slice or without geometry.
    public var spacing: Double?
    /// Geometry problems in words (missing slices, duplicate positions, irregular spacing, no geometry).
    public var issues: [String]
    /// The slices in spatial order (by location along the normal; by Instance Number without geometry).
    public var slices: [Slice]
}

extension StackDetail {
    /// The stacks of one series' indexed instances, as `StudyOrganizer` splits a series read from files (the
    /// index keeps no echo numbers: echoes of one position become successive stacks).
    static func stacks(of instances: [InstanceRecord]) -> [StackDetail] {
        guard !instances.isEmpty else { return [] }
        let model = StudyOrganizer.seriesModel(instances.map(Self.header))
        return model.stacks.map { stack in
            StackDetail(
                plane: stack.plane.rawValue, rowDirection: stack.rowDirection.map(Self.array),
                columnDirection: stack.columnDirection.map(Self.array), spacing: stack.spacing,
                issues: stack.issues.map(\.description),
                slices: stack.slices.map {
                    Slice(sopInstanceUID: $0.sopInstanceUID, frame: $0.frame, location: $0.location)
                })
        }
    }

    /// The organizer's view of an indexed instance: its UIDs, numbers and per-frame geometry. As when read from
    /// the file, an image without per-frame geometry (a cine, a single frame) is one slice: its first frame.
    static func header(_ record: InstanceRecord) -> InstanceHeader {
        let frames = max(1, record.frames)
        let described = record.perFrameGeometry.map { min($0.count, frames) } ?? 1
        let geometry = (1...max(1, described)).map { frame -> InstanceHeader.FrameGeometry in
            let stored = record.frameGeometry(frame: frame)
            return InstanceHeader.FrameGeometry(
                position: InstanceHeader.vector(stored?.imagePosition),
                orientation: InstanceHeader.orientation(stored?.imageOrientation),
                pixelSpacing: InstanceHeader.spacing(stored?.pixelSpacing))
        }
        return InstanceHeader(
            path: record.path, patientID: "", studyInstanceUID: record.studyInstanceUID,
            studyDate: record.studyDate, accessionNumber: nil, studyDescription: nil,
            seriesInstanceUID: record.seriesInstanceUID, seriesNumber: record.seriesNumber,
            seriesDescription: record.seriesDescription, modality: record.modality,
            sopInstanceUID: record.sopInstanceUID, instanceNumber: record.instanceNumber, echoNumber: nil,
            acquisitionNumber: nil, frames: frames, frameGeometry: geometry)
    }

    private static func array(_ vector: Vector3) -> [Double] { [vector.x, vector.y, vector.z] }
}
