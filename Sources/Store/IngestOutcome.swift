/// What `AnnulusStore.ingest` did with one instance record.
public enum IngestOutcome: Sendable, Equatable {
    /// A new SOP Instance UID: the instance was added (with its patient, study and series when new).
    case added
    /// The SOP Instance UID was indexed with the same content hash: nothing changed (when the file was found at
    /// another path, the index now points to the new path).
    case unchanged
    /// The SOP Instance UID was indexed with different content: the newer record replaced it.
    /// `previousPath` is where the replaced content was.
    case replaced(previousPath: String)
}
