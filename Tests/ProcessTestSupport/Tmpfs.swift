import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension ChildProcess {
    /// Runs a tool to its end (at most `timeout` seconds), its output appended to `output` (or discarded): its exit
    /// code, or -1 when it was killed by a signal or ran out of time (it is then killed).
    public static func run(_ path: String, _ arguments: [String], output: String? = nil, timeout: Double = 30) throws
        -> Int32
    {
        let child = try ChildProcess([path] + arguments, output: output)
        return child.wait(timeout: timeout).flatMap(ChildProcess.exitCode) ?? -1
    }
}

/// Small tmpfs mounts, for real full and read-only file systems in tests (root with CAP_SYS_ADMIN only).
public enum Tmpfs {
    /// Whether a small tmpfs can be mounted here (not in every container, never without root).
    public static let canMount: Bool = {
        guard geteuid() == 0 else { return false }
        let probe = FileManager.default.temporaryDirectory.appendingPathComponent("tmpfs-probe-\(UUID().uuidString)")
            .path
        guard (try? FileManager.default.createDirectory(atPath: probe, withIntermediateDirectories: true)) != nil else {
            return false
        }
        defer { try? FileManager.default.removeItem(atPath: probe) }
        guard (try? ChildProcess.run("/bin/mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", probe])) == 0 else {
            return false
        }
        _ = try? ChildProcess.run("/bin/umount", [probe])
        return true
    }()

    /// Mounts a tmpfs of `size` (mount's syntax: `64k`, `6m`) at `path`; true when mounted.
    public static func mount(at path: String, size: String) -> Bool {
        (try? ChildProcess.run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])) == 0
    }

    /// Remounts the tmpfs at `path` read-only; true when done.
    public static func remountReadOnly(_ path: String) -> Bool {
        (try? ChildProcess.run("/bin/mount", ["-o", "remount,ro", path])) == 0
    }

    /// Unmounts `path` (lazily: open files do not keep it).
    public static func unmount(_ path: String) {
        _ = try? ChildProcess.run("/bin/umount", ["-l", path])
    }
}
