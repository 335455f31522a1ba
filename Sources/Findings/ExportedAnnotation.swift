import SpineModel
import AnnulusRecords

/// One exported annotation version with its finding read from the payload.
struct ExportedAnnotation {
    /// The stored version.
    var version: AnnotationVersion
    /// The finding, when the payload is a readable `LevelAnnotation`.
    var annotation: LevelAnnotation?
    /// Why the payload could not be read, otherwise.
    var problem: String?

    init(_ version: AnnotationVersion) {
        self.version = version
        do {
            annotation = try LevelAnnotation.decode(version.payload)
        } catch {
            problem = error.message
        }
    }

    /// The level's canonical name (the stored spelling when the payload is unreadable).
    var levelName: String { annotation?.level.name ?? version.level }
    /// The kind's JSON name (the stored spelling when the payload is unreadable).
    var kindName: String { annotation?.finding.kind.rawValue ?? version.findingKind }
}
