import DicomIO
/// The anatomical plane of a stack, from the direction of its slice normal.
public enum ImagePlane: String, Sendable, Codable {
    /// Normal along the patient's left-right axis.
    case sagittal
    /// Normal along the anterior-posterior axis.
    case coronal
    /// Normal along the superior-inferior axis.
    case axial
    /// Normal more than about 37° from every axis.
    case oblique
    /// No orientation in the header.
    case unknown

    /// Classifies a slice normal: the plane of the dominant axis when it carries at least 80% of the
    /// normal (within about 37°), else oblique. Angled "axial" disc blocks (10–20°) stay axial.
    public init(normal: Vector3) {
        let components = [abs(normal.x), abs(normal.y), abs(normal.z)]
        let largest = components.max() ?? 0
        guard largest >= 0.8 else {
            self = .oblique
            return
        }
        self = components[0] == largest ? .sagittal : components[1] == largest ? .coronal : .axial
    }
}

/// One image of a stack: a file and a frame, with its place along the stack's normal.
public struct StackSlice: Sendable, Equatable {
    /// The file.
    public var path: String
    /// SOP Instance UID of the file.
    public var sopInstanceUID: String
    /// 0-based frame within the file.
    public var frame: Int
    /// Instance Number, when present.
    public var instanceNumber: Int?
    /// ImagePositionPatient of the frame, when present.
    public var position: Vector3?
    /// Distance along the slice normal (position · normal), mm; nil without geometry.
    public var location: Double?
}

/// Something about a stack's slice geometry a reader should know.
public enum GeometryIssue: Sendable, Equatable, CustomStringConvertible {
    /// No usable positions: slices ordered by Instance Number instead.
    case orderedByInstanceNumber
    /// Two slices at the same location.
    case duplicatePosition(location: Double)
    /// A step much larger than the usual spacing (missing slices?).
    case gap(after: Double, step: Double)
    /// Steps that differ from the usual spacing by more than 10%.
    case irregularSpacing(minimum: Double, maximum: Double)

    /// A sentence for reports.
    public var description: String {
        switch self {
        case .orderedByInstanceNumber:
            "no usable ImagePositionPatient/ImageOrientationPatient: slices ordered by InstanceNumber"
        case .duplicatePosition(let location):
            "two slices at the same position (\(formatted(location)) mm along the normal)"
        case .gap(let after, let step):
            "gap of \(formatted(step)) mm after the slice at \(formatted(after)) mm (missing slices?)"
        case .irregularSpacing(let minimum, let maximum):
            "irregular spacing: steps from \(formatted(minimum)) to \(formatted(maximum)) mm"
        }
    }

    private func formatted(_ value: Double) -> String {
        let rounded = (value * 100).rounded() / 100
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}

/// Slices of one series that share an orientation and belong together (one echo, one acquisition),
/// in spatial order.
public struct SliceStack: Sendable, Equatable {
    /// Slices, ordered by location along the normal (or by Instance Number, see issues).
    public var slices: [StackSlice]
    /// The shared orientation, when known.
    public var rowDirection: Vector3?
    /// The shared orientation, when known.
    public var columnDirection: Vector3?
    /// Plane of the stack.
    public var plane: ImagePlane
    /// Echo number shared by the stack, when the series has several.
    public var echoNumber: Int?
    /// The usual step between slices along the normal (median), mm; nil for a single slice.
    public var spacing: Double?
    /// Geometry problems found.
    public var issues: [GeometryIssue]
}

/// A series and its stacks.
public struct SeriesModel: Sendable, Equatable {
    /// Series Instance UID.
    public var uid: String
    /// Series Number.
    public var number: Int?
    /// Series Description.
    public var description: String?
    /// Modality.
    public var modality: String?
    /// Stacks, in the order of their first instance.
    public var stacks: [SliceStack]
}

/// A study and its series.
public struct StudyModel: Sendable, Equatable {
    /// Study Instance UID.
    public var uid: String
    /// Study Date.
    public var date: String?
    /// Accession Number.
    public var accessionNumber: String?
    /// Study Description.
    public var description: String?
    /// Series ordered by Series Number, then UID.
    public var series: [SeriesModel]
}

/// A patient and their studies.
public struct PatientModel: Sendable, Equatable {
    /// Patient ID.
    public var id: String
    /// Studies ordered by date, then UID.
    public var studies: [StudyModel]
}
