import Foundation

/// One watcher per data folder: an exclusive `flock` on `<data>/watch.lock`, released by the kernel when the
/// process ends however it ends (SIGKILL included). Two watchers sharing an archive would clear each other's
/// staged placements and race on the same sources.
public final class WatchLock: Sendable {
    private let descriptor: Int32
    /// The lock file.
    public let path: String

    /// Takes the lock, waiting up to `wait` seconds for a previous watcher to finish dying; throws a message
    /// naming the process that holds it otherwise.
    ///
    /// The descriptor is stored only once the lock is held: when an initialiser throws after every stored property
    /// is set, `deinit` runs too, and its second close would close whatever another thread had opened under the
    /// same number in between.
    public init(dataFolder: String, wait: Double = 10) throws {
        let path = dataFolder + "/watch.lock"
        let locked = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o640)
        guard locked >= 0 else {
            throw WatchError.file(path, "cannot open the watcher's lock file: \(String(cString: strerror(errno)))")
        }
        let deadline = Date().addingTimeInterval(wait)
        while flock(locked, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR, Date() < deadline else {
                let holder =
                    (try? String(contentsOfFile: path, encoding: .utf8))?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "?"
                close(locked)
                throw WatchError.file(
                    path,
                    "another watcher (pid \(holder)) is using this data folder; stop it first, or give this one "
                        + "its own --data folder")
            }
            usleep(100_000)
        }
        let pid = Data("\(getpid())\n".utf8)
        ftruncate(locked, 0)
        _ = pid.withUnsafeBytes { pwrite(locked, $0.baseAddress, $0.count, 0) }
        self.path = path
        descriptor = locked
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
