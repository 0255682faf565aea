import DumpCore
import DumpTestSupport
import Foundation
import JobQueue
import Redis
import Synchronization
import Testing

/// The fault-injection harness of reference/queue.md §5.1: a real redis-server (AOF always) on a
/// free loopback port, `dumpyard worker` processes with scaled-down timings, synthetic jobs that
/// log each execution and each push, and the invariant checks run at quiescence.
final class QueueRig: @unchecked Sendable {
    private(set) var redis: RedisServer
    let directory: TemporaryDirectory
    let prefix = "fault:{q}:"
    /// Scaled timings (ms): heartbeat 200, self-fence 1400, lease 2000, reaper 200.
    var timings: [String: String] = [
        "DUMPYARD_HEARTBEAT_MS": "200", "DUMPYARD_SELF_FENCE_MS": "1400", "DUMPYARD_LEASE_MS": "2000",
        "DUMPYARD_REAP_MS": "200", "DUMPYARD_RETRY_BASE_MS": "200", "DUMPYARD_KILL_GRACE_MS": "500",
    ]
    private var workers: [WorkerProcess] = []
    private var connection: JobQueue?
    /// Every id submitted and acknowledged.
    private(set) var submitted: [String] = []

    init() throws {
        redis = try RedisServer()
        directory = try TemporaryDirectory("fault")
    }

    deinit {
        for worker in workers { worker.kill(SIGKILL) }
        for worker in workers { _ = worker.wait(timeout: .seconds(5)) }
    }

    var logDirectory: String { directory.path }

    /// The queue, on a connection of the test's own (reopened after a Redis restart).
    var queue: JobQueue {
        get throws {
            if let connection, !connection.connection.isBroken { return connection }
            let queue = JobQueue(connection: try RedisConnection(try RedisEndpoint(url: redis.url()), commandTimeout: .seconds(5)), prefix: prefix)
            connection = queue
            return queue
        }
    }

    /// Starts a worker process; `environment` adds to or overrides the rig's.
    @discardableResult
    func startWorker(_ id: String, arguments: [String] = [], environment: [String: String] = [:]) throws -> WorkerProcess {
        try startProcess(id, arguments: ["worker", id] + arguments, environment: environment)
    }

    /// Starts `dumpyard <arguments>` (a worker, the bot) with the rig's environment and
    /// `environment`; stopped with the rig.
    @discardableResult
    func startProcess(_ id: String, arguments: [String], environment: [String: String] = [:]) throws -> WorkerProcess {
        var env = ProcessInfo.processInfo.environment
        env.merge(timings) { $1 }
        env.merge([
            "REDIS_URL": redis.url(), "REDIS_KEY_PREFIX": prefix, "DUMPYARD_TEST_JOBS": "1", "DUMPYARD_TEST_LOG_DIR": logDirectory,
            "DUMPYARD_HOME": directory.file("home"), "WORK_DIR_BASE": directory.file("work"), "DUMPS_DIR": directory.file("dumps"),
            "DUMPYARD_THREADS": "1", "ALLOW_PRIVATE_URLS": "127.0.0.0/8",
        ]) { $1 }
        env.merge(environment) { $1 }
        let worker = try WorkerProcess(
            id: id, executable: TestPaths.dumpyardBinary, arguments: arguments, environment: env,
            log: directory.file("worker-\(id)-\(workers.count).log"))
        workers.append(worker)
        return worker
    }

    /// Submits a synthetic job (`synthetic:ms=…&fail=…&child=…`) or any URL.
    @discardableResult
    func submit(_ id: String, _ url: String = "synthetic:ms=20", priority: Int = 5, maxRetries: Int = 3, force: Bool = false) throws -> SubmitOutcome {
        let payload = Array(try JSONEncoder().encode(JobRequest(url: url, force: force, requestedBy: "fault-test")))
        let outcome = try queue.submit(id: id, payload: payload, priority: priority, maxRetries: maxRetries)
        if !submitted.contains(id) { submitted.append(id) }
        return outcome
    }

    /// Restarts Redis on the same port and data directory after a kill -9.
    func restartRedis() throws {
        redis.stop()
        redis = try RedisServer(reusing: redis)
        connection = nil
    }

    func killRedis() { redis.stop() }

    func job(_ id: String) throws -> [String: String] { try queue.job(id: id) ?? [:] }

    func state(_ id: String) throws -> JobState? { JobState(rawValue: try job(id)["state"] ?? "") }

    /// Waits until `condition` holds, polling every 50 ms; false after `timeout`.
    func wait(for timeout: Duration, _ condition: () throws -> Bool) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if (try? condition()) == true { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return (try? condition()) == true
    }

    /// Waits until every submitted job is in a terminal state.
    func waitQuiescent(_ timeout: Duration) -> Bool {
        wait(for: timeout) {
            let queue = try queue
            return try ["pending", "delayed", "active"].allSatisfy { try queue.members(of: $0).isEmpty }
                && submitted.allSatisfy { id in [.completed, .failed, .cancelled].contains(try state(id)) }
        }
    }

    // MARK: - Instrumentation

    /// Lines of `exec.log` (`exec <id> <pid> <ms>`) per job.
    func executions() -> [String: [Double]] {
        var result: [String: [Double]] = [:]
        for fields in lines("exec.log") where fields.count >= 4 { result[fields[1], default: []].append(Double(fields[3]) ?? 0) }
        return result
    }

    /// Pushes per job: all of them, and those that changed the destination (real publishes).
    func pushes() -> (all: [String: Int], changed: [String: Int]) {
        var all: [String: Int] = [:]
        var changed: [String: Int] = [:]
        for fields in lines("publish.log") where fields.count >= 3 {
            all[fields[1], default: 0] += 1
            if fields[2] == "1" { changed[fields[1], default: 0] += 1 }
        }
        return (all, changed)
    }

    private func lines(_ name: String) -> [[String]] {
        let text = (try? String(contentsOfFile: directory.file(name), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
    }

    /// The invariants of reference/queue.md §5.1 after quiescence: each job in exactly one set,
    /// its state matching it, no set member without a job, counters matching the sets, every
    /// completed job's publish recorded, no job published twice.
    func checkInvariants(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let queue = try queue
        var membership: [String: [String]] = [:]
        for set in ["pending", "delayed", "active", "failed", "done"] {
            for id in try queue.members(of: set) { membership[id, default: []].append(set) }
        }
        var counts: [JobState: Int] = [:]
        for id in submitted {
            let state = try #require(try self.state(id), "job \(id) is gone", sourceLocation: sourceLocation)
            counts[state, default: 0] += 1
            #expect(membership[id] == [state.set], "\(id) is \(state) but in \(membership[id] ?? [])", sourceLocation: sourceLocation)
        }
        let strays = Set(membership.keys).subtracting(submitted)
        #expect(strays.isEmpty, "set members that were never submitted: \(strays.sorted())", sourceLocation: sourceLocation)
        let stats = try queue.stats()
        #expect(stats["submitted"] == submitted.count, "stats.submitted \(stats["submitted"] ?? 0) ≠ \(submitted.count)", sourceLocation: sourceLocation)
        #expect((stats["completed"] ?? 0) == counts[.completed, default: 0], "stats.completed ≠ completed jobs", sourceLocation: sourceLocation)
        #expect((stats["cancelled"] ?? 0) == counts[.cancelled, default: 0], "stats.cancelled ≠ cancelled jobs", sourceLocation: sourceLocation)
        #expect(try queue.members(of: "failed").count == counts[.failed, default: 0], sourceLocation: sourceLocation)
        let changed = pushes().changed
        for id in submitted {
            let published = changed[id, default: 0]
            #expect(published <= 1, "job \(id) was published \(published) times", sourceLocation: sourceLocation)
            if try self.state(id) == .completed {
                #expect(try job(id)["published"] != nil, "completed job \(id) has no recorded publish", sourceLocation: sourceLocation)
            }
        }
    }
}

/// A `dumpyard worker` process started the way systemd would: a clean signal mask (children of
/// Swift Testing inherit a blocked one), its output in a log file.
final class WorkerProcess: @unchecked Sendable {
    let id: String
    let pid: pid_t
    let log: String
    private let status = Mutex<Int32?>(nil)

    init(id: String, executable: String, arguments: [String], environment: [String: String], log: String) throws {
        self.id = id
        self.log = log
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGTERM, SIGINT, SIGPIPE] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0.key + "=" + $0.value) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard rc == 0 else { throw SpawnFailed(executable: executable, code: rc) }
        pid = child
    }

    func kill(_ signal: Int32) {
        if status.withLock({ $0 }) == nil { Glibc.kill(pid, signal) }
    }

    /// Waits for the process to exit; its raw wait status, or nil after `timeout`.
    func wait(timeout: Duration) -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let known = status.withLock({ $0 }) { return known }
            var raw: Int32 = 0
            if waitpid(pid, &raw, WNOHANG) == pid {
                status.withLock { $0 = raw }
                return raw
            }
            guard ContinuousClock.now < deadline else { return nil }
            Thread.sleep(forTimeInterval: 0.02)
        }
    }

    var isRunning: Bool { wait(timeout: .zero) == nil }

    /// The worker's log so far (shown when a test fails).
    var output: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }
}

struct SpawnFailed: Error, CustomStringConvertible {
    var executable: String
    var code: Int32
    var description: String { "cannot start \(executable): \(String(cString: strerror(code)))" }
}

/// The end of each process's output, for a failed expectation.
func explain(_ processes: [WorkerProcess]) -> Comment {
    Comment(rawValue: processes.map { "--- \($0.id)\n" + String($0.output.suffix(4000)) }.joined(separator: "\n"))
}
