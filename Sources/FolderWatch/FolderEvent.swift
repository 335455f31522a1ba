/// One thing that happened in the watched tree, always with an absolute path.
///
/// Only `.closedAfterWrite` and `.movedIn` mean "complete". A `.found` file may still be being written (it was
/// discovered by a scan, not an event): check that its size and modification time are stable before taking it.
public enum FolderEvent: Sendable, Hashable, CustomStringConvertible {
    /// A writer closed the file after writing to it (`IN_CLOSE_WRITE`): the file is complete.
    case closedAfterWrite(String)
    /// The file was renamed into the tree or within it (`IN_MOVED_TO`): the file is complete.
    case movedIn(String)
    /// The file was created or modified (`IN_CREATE`, `IN_MODIFY`): someone is writing it; not complete yet.
    case writing(String)
    /// The file was discovered by a scan (a new directory, or the rescan after an overflow), not by an event.
    case found(String)
    /// The file was deleted or renamed away (`IN_DELETE`, `IN_MOVED_FROM`): forget it.
    case removed(String)
    /// The kernel queue overflowed (`IN_Q_OVERFLOW`) and events were lost.
    ///
    /// The watcher rescans the whole tree itself; every file then present follows as `.found` in the same batch.
    case overflow
    /// A directory inside the tree could not be watched (watch limit, permissions): changes in it will be missed.
    ///
    /// Files already in it are still reported as `.found`. The error's description says what to do.
    case watchFailed(FolderWatchError)

    /// The absolute path the event is about, or nil for `.overflow`; for `.watchFailed`, the directory's path.
    public var path: String? {
        switch self {
        case .closedAfterWrite(let path), .movedIn(let path), .writing(let path), .found(let path),
            .removed(let path):
            return path
        case .watchFailed(let error):
            return error.path
        case .overflow:
            return nil
        }
    }

    /// True for the events that mean a writer has finished with the file (`.closedAfterWrite`, `.movedIn`).
    public var isComplete: Bool {
        switch self {
        case .closedAfterWrite, .movedIn: return true
        default: return false
        }
    }

    /// A short text such as `closed-after-write /in/a.dcm`.
    public var description: String {
        switch self {
        case .closedAfterWrite(let path): return "closed-after-write \(path)"
        case .movedIn(let path): return "moved-in \(path)"
        case .writing(let path): return "writing \(path)"
        case .found(let path): return "found \(path)"
        case .removed(let path): return "removed \(path)"
        case .overflow: return "overflow"
        case .watchFailed(let error): return "watch-failed \(error.description)"
        }
    }
}
