internal import Synchronization

/// The worker's stop request: SIGTERM or SIGINT starts the grace time, a second signal ends it.
final class Shutdown: Sendable {
    private let deadline = Mutex<ContinuousClock.Instant?>(nil)
    private let listeners = Mutex<[ObjectIdentifier: @Sendable () -> Void]>([:])

    /// Starts the grace time (the first call) or ends it (later calls), and tells the listeners.
    func request(grace: Duration) {
        deadline.withLock { deadline in deadline = deadline == nil ? .now + grace : .now }
        for listener in listeners.withLock({ Array($0.values) }) { listener() }
    }

    /// Calls `action` on every stop request until `stopListening(owner)`.
    func listen(_ owner: AnyObject, _ action: @escaping @Sendable () -> Void) {
        listeners.withLock { $0[ObjectIdentifier(owner)] = action }
    }

    func stopListening(_ owner: AnyObject) {
        _ = listeners.withLock { $0.removeValue(forKey: ObjectIdentifier(owner)) }
    }

    var isRequested: Bool { deadline.withLock { $0 != nil } }

    /// True once running jobs must be stopped and given back.
    var isPastGrace: Bool { deadline.withLock { $0.map { .now >= $0 } ?? false } }
}
