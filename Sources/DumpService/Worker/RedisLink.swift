internal import Foundation
internal import JobQueue
internal import Redis
internal import Synchronization

/// A thread's own Redis connection and the client built on it (the queue, the bot's store…):
/// opened on first use, reopened with backoff after Redis went away (the full handshake each
/// time: AUTH, SELECT, timeouts, name).
final class RedisLink<Client>: @unchecked Sendable {
    private let endpoint: RedisEndpoint
    private let name: String
    private let commandTimeout: Duration
    private let make: (RedisConnection) -> Client
    private var client: Client?
    private var failures = 0
    private let log: WorkerLog

    init(endpoint: RedisEndpoint, name: String, commandTimeout: Duration, log: WorkerLog, make: @escaping (RedisConnection) -> Client) {
        self.endpoint = endpoint
        self.name = name
        self.commandTimeout = commandTimeout
        self.make = make
        self.log = log
    }

    /// The open connection, for `interrupt()` from another thread.
    private let current = Mutex<RedisConnection?>(nil)

    /// The connection's socket can be shut down from another thread to end a blocking wait.
    func interrupt() { current.withLock { $0?.interrupt() } }

    /// Runs `body` on the queue; nil when Redis cannot be reached or the call failed (logged on the
    /// first failure of an outage). The next call reconnects.
    /// `interrupted` says whether a failure was the shutdown breaking an idle wait (not an outage).
    func attempt<T>(_ what: String, interrupted: () -> Bool = { false }, _ body: (Client) throws(QueueError) -> T) -> T? {
        do {
            let client = try open()
            let value = try body(client)
            if failures > 0 { log("Redis is back (\(name)) after \(failures) failed calls") }
            failures = 0
            return value
        } catch {
            client = nil
            current.withLock { $0 = nil }
            guard !interrupted() else { return nil }
            if failures == 0 { log("\(what): \(error)") }
            failures += 1
            return nil
        }
    }

    /// Keeps trying `body` until it succeeds or `deadline` passes, backing off between tries.
    func persist<T>(_ what: String, until deadline: ContinuousClock.Instant, _ body: (Client) throws(QueueError) -> T) -> T? {
        while true {
            if let value = attempt(what, body) { return value }
            guard ContinuousClock.now < deadline else { return nil }
            backOff()
        }
    }

    /// Sleeps a little longer after each failure in a row (50 ms doubling up to 2 s, with jitter).
    func backOff() {
        let base = min(2000.0, 50.0 * pow(2, Double(min(failures, 6))))
        Thread.sleep(forTimeInterval: base * Double.random(in: 0.5...1.0) / 1000)
    }

    private func open() throws(QueueError) -> Client {
        if let client { return client }
        do {
            let connection = try RedisConnection(endpoint, connectTimeout: .seconds(2), commandTimeout: commandTimeout, clientName: name)
            let client = make(connection)
            self.client = client
            current.withLock { $0 = connection }
            return client
        } catch {
            throw QueueError(operation: "connect", message: error.description)
        }
    }
}

/// A worker thread's queue connection.
typealias QueueLink = RedisLink<JobQueue>

extension RedisLink where Client == JobQueue {
    convenience init(endpoint: RedisEndpoint, prefix: String, name: String, commandTimeout: Duration, retryBaseMilliseconds: Int, log: WorkerLog) {
        self.init(endpoint: endpoint, name: name, commandTimeout: commandTimeout, log: log) { connection in
            let queue = JobQueue(connection: connection, prefix: prefix)
            queue.retryBaseDelayMilliseconds = retryBaseMilliseconds
            return queue
        }
    }
}
