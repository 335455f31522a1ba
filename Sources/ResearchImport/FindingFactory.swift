import SpineModel

/// Builds findings through `Finding.parse(kind:assignments:)`, the validation clinicians' entries go through.
enum FindingFactory {
    /// The finding of `kind` with `assignments`, or the validation error.
    static func make(_ kind: FindingKind, _ assignments: [String]) -> Result<Finding, SpineValidationError> {
        do {
            return .success(try Finding.parse(kind: kind.rawValue, assignments: assignments))
        } catch {
            return .failure(error)
        }
    }
}
