import Glibc

/// Why a folder (or one directory inside it) cannot be watched, with text an operator can act on.
public struct FolderWatchError: Error, CustomStringConvertible, Sendable, Hashable {
    /// What went wrong.
    public enum Kind: String, Sendable, Hashable {
        /// The folder to watch does not exist.
        case missing
        /// The path exists but is not a directory.
        case notADirectory
        /// The kernel refused to create an inotify instance (`inotify_init1`).
        case inotifyUnavailable
        /// The per-user inotify watch limit is reached (`ENOSPC`).
        case watchLimitReached
        /// Any other failure to watch a directory (permissions, …).
        case cannotWatch
    }

    /// What went wrong.
    public let kind: Kind
    /// The absolute path of the folder or directory concerned.
    public let path: String
    /// The `errno` reported by the system call, or 0 when none was involved.
    public let code: Int32

    /// Creates an error; `code` is the `errno` of the failing call, if any.
    public init(kind: Kind, path: String, code: Int32 = 0) {
        self.kind = kind
        self.path = path
        self.code = code
    }

    /// The message: names the path and says what to do.
    public var description: String {
        switch kind {
        case .missing:
            return "The folder to watch does not exist: \(path). Create it or give the right path."
        case .notADirectory:
            return "The path to watch is not a directory: \(path). Give the folder the exports are written to."
        case .inotifyUnavailable:
            return "Cannot watch \(path): inotify_init1 failed (\(Self.reason(code))). "
                + "The per-user limit of inotify instances (/proc/sys/fs/inotify/max_user_instances) may be "
                + "reached: close other watchers or raise it."
        case .watchLimitReached:
            return "Cannot watch \(path): the inotify watch limit is reached. Raise it, e.g. "
                + "`sudo sysctl fs.inotify.max_user_watches=524288` (see /proc/sys/fs/inotify/max_user_watches), "
                + "or watch a smaller folder."
        case .cannotWatch:
            return "Cannot watch \(path): \(Self.reason(code)). Check that this user may read the directory."
        }
    }

    private static func reason(_ code: Int32) -> String {
        guard code != 0, let text = strerror(code) else { return "unknown error" }
        return String(cString: text)
    }
}
