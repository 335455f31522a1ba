import Foundation
import Synchronization

/// A one-line progress counter on standard error, shown only when it is a terminal and the run is long.
///
/// Render jobs report from concurrent tasks, so the counts live behind a mutex, and each line is written while it
/// is held (the lines reach the terminal in the order of their counts).
final class Progress: Sendable {
    private struct Counts {
        var total: Int
        var done = 0
        var lastDraw = Date.distantPast
    }

    private let counts: Mutex<Counts>
    private let enabled: Bool

    init(total: Int) {
        counts = Mutex(Counts(total: total))
        enabled = isatty(STDERR_FILENO) == 1 && total >= 20
    }

    func extend(by count: Int) { counts.withLock { $0.total += count } }

    func advance() {
        counts.withLock { counts in
            counts.done += 1
            let now = Date()
            guard enabled, now.timeIntervalSince(counts.lastDraw) > 0.1 || counts.done == counts.total else { return }
            counts.lastDraw = now
            FileHandle.standardError.write(Data("\rrendering \(counts.done)/\(counts.total)".utf8))
        }
    }

    func finish() {
        guard enabled else { return }
        counts.withLock { _ in FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
