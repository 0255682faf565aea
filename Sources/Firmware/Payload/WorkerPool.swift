internal import Dispatch
internal import Foundation

/// A fixed number of threads running one body each, joined before returning: the caller's
/// thread is one of them. Work distribution is the body's business (it pulls from shared state).
enum WorkerPool {
    /// Runs `body(worker)` on `threads` threads (worker = 0..<threads) and waits for all of them.
    static func run(threads: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let group = DispatchGroup()
        for worker in 1..<max(threads, 1) {
            group.enter()
            let thread = Thread {
                body(worker)
                group.leave()
            }
            thread.stackSize = 1 << 20
            thread.start()
        }
        body(0)
        group.wait()
    }
}
