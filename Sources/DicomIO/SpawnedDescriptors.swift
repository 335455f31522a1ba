import Foundation

/// Keeps a child started with `posix_spawn` from inheriting this process's open descriptors.
///
/// Files are often opened without `O_CLOEXEC` (Foundation's `Data.write`, DCMTK's `fopen`), and every other thread
/// of a multi-threaded process may hold one at the moment a child starts. Inherited, it stays open as long as the
/// child lives (a decoder worker lives for thousands of jobs): a file being written never reports its
/// `IN_CLOSE_WRITE` to the watcher, a deleted file keeps its space, a pipe never sees its end. Linux has no
/// `POSIX_SPAWN_CLOEXEC_DEFAULT`; glibc 2.34 and later have `posix_spawn_file_actions_addclosefrom_np`.
public enum SpawnedDescriptors {
    private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32

    /// Looked up at run time: Swift's Glibc module does not declare it (it needs _GNU_SOURCE).
    private static let closeFrom: CloseFrom? = dlsym(
        UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np"
    ).map { unsafeBitCast($0, to: CloseFrom.self) }

    /// Adds to `actions` the closing of every descriptor from `lowest` up. Call it after the `dup2`/`open` actions
    /// that set up the child's standard descriptors (actions run in order, so those stay open). Without the glibc
    /// call, each descriptor open now from `lowest` up is closed by its own action.
    public static func closeAll(from lowest: Int32 = 3, in actions: inout posix_spawn_file_actions_t) {
        if let closeFrom, closeFrom(&actions, lowest) == 0 { return }
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for descriptor in open.compactMap(Int32.init) where descriptor >= lowest {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
    }
}

/// Starts a child started with `posix_spawn` with clean signal state: nothing blocked, and the default action for
/// each of `signals` (this process may ignore or handle them; a child must not inherit that).
public enum SpawnedSignals {
    /// Sets `attributes` so that the child has an empty signal mask and default actions for `signals`.
    public static func reset(_ signals: [Int32], in attributes: inout posix_spawnattr_t) {
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in signals { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
    }
}
