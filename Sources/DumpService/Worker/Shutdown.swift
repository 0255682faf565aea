internal import Synchronization

/// The worker's stop request: SIGTERM or SIGINT starts the grace time, a second signal ends it.
final class Shutdown: Sendable {
    private let deadline = Mutex<ContinuousClock.Instant?>(nil)

    /// Starts the grace time (the first call) or ends it (later calls).
    func request(grace: Duration) {
        deadline.withLock { deadline in deadline = deadline == nil ? .now + grace : .now }
    }

    var isRequested: Bool { deadline.withLock { $0 != nil } }

    /// True once running jobs must be stopped and given back.
    var isPastGrace: Bool { deadline.withLock { $0.map { .now >= $0 } ?? false } }
}
