/// A watcher problem an administrator can act on; every message names the file or folder.
public enum WatchError: Error, CustomStringConvertible, Sendable {
    /// A file operation failed.
    case file(String, String)
    /// The watched folder cannot be watched.
    case folder(String, String)

    /// The message.
    public var description: String {
        switch self {
        case .file(let path, let reason): "\(path): \(reason)"
        case .folder(let path, let reason): "cannot watch \(path): \(reason)"
        }
    }
}
