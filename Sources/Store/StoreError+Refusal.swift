extension StoreError {
    /// Whether the error refuses the request itself rather than reporting a failure of the store.
    ///
    /// A refusal means the caller asked for something the store cannot do as asked, and nothing was written: no
    /// store at the path, an unknown, ambiguous or too short study or annotation reference, an anchor outside the
    /// study, no author or reason, signing a signed finding or one changed since it was listed, changing a retracted one. Asking again unchanged gives
    /// the same answer. Everything else (an unusable, damaged, locked, read-only or full store, a bad record from a
    /// file) is a failure of the work, not of the request. The command line exits 2 for a refusal and 1 for a
    /// failure (docs/cli.md, "Exit status").
    public var isRefusal: Bool {
        switch self {
        case .missing, .emptyStudyReference, .unknownStudy, .ambiguousStudy, .unknownSeries, .unknownInstance,
            .invalidFrame, .authorRequired, .reasonRequired, .invalidPayload, .unknownAnnotation,
            .annotationPrefixTooShort, .ambiguousAnnotation, .annotationRetracted, .alreadySigned, .versionChanged:
            return true
        case .cannotCreateFolder, .cannotOpen, .emptyFile, .notADatabase, .damaged, .newerSchema, .migrationFailed,
            .locked, .readOnly, .diskFull, .database, .invalidRecord:
            return false
        }
    }
}
