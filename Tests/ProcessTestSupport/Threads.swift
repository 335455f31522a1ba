import Foundation

/// Plain threads for tests that block (sockets, child processes, a cache under contention) and must really run at
/// once: the cooperative pool is only as wide as the machine has cores.
public enum Threads {
    /// Runs `body(index)` on `count` threads at once and returns when all have finished.
    public static func run(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) async {
        await withCheckedContinuation { continuation in
            let group = DispatchGroup()
            for index in 0..<count {
                group.enter()
                Thread {
                    body(index)
                    group.leave()
                }.start()
            }
            group.notify(queue: .global()) { continuation.resume() }
        }
    }
}
