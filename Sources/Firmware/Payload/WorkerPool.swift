#if canImport(Glibc)
internal import Glibc
#endif

/// A fixed number of threads running one body each, joined before returning: the caller's
/// thread is one of them. Work distribution is the body's business (it pulls from shared state).
/// Plain pthreads, so the body is released before `run` returns and may borrow non-escaping state.
enum WorkerPool {
    private final class Job {
        let body: (Int) -> Void
        let worker: Int
        init(body: @escaping (Int) -> Void, worker: Int) {
            self.body = body
            self.worker = worker
        }
    }

    /// Runs `body(worker)` on `threads` threads (worker = 0..<threads) and waits for all of them.
    static func run(threads: Int, _ body: @Sendable (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            var started: [pthread_t] = []
            for worker in 1..<max(threads, 1) {
                let job = Unmanaged.passRetained(Job(body: body, worker: worker)).toOpaque()
                var thread = pthread_t()
                let rc = pthread_create(&thread, nil, { raw in
                    let job = Unmanaged<Job>.fromOpaque(raw!).takeRetainedValue()
                    job.body(job.worker)
                    return nil
                }, job)
                if rc == 0 {
                    started.append(thread)
                } else {
                    // No thread: run its share here instead.
                    let job = Unmanaged<Job>.fromOpaque(job).takeRetainedValue()
                    job.body(job.worker)
                }
            }
            body(0)
            for thread in started { pthread_join(thread, nil) }
        }
    }
}
