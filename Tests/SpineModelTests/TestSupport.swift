import SpineModel

/// The validation error `body` throws, or `nil` when it succeeds.
func validationError<T>(_ body: () throws(SpineValidationError) -> T) -> SpineValidationError? {
    do {
        _ = try body()
        return nil
    } catch {
        return error
    }
}

/// The error of parsing `kind` with `assignments`, or `nil` when it parses.
func parseError(_ kind: String, _ assignments: [String]) -> SpineValidationError? {
    validationError { () throws(SpineValidationError) in try Finding.parse(kind: kind, assignments: assignments) }
}

/// The error of parsing a level, or `nil` when it parses.
func levelError(_ text: String) -> SpineValidationError? {
    validationError { () throws(SpineValidationError) in try DiscLevel.parse(text) }
}
