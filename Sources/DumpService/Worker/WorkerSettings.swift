internal import Foundation

/// How a worker runs: its id, how many jobs at once, where dumps go, and the queue timings
/// (reference/queue.md §3.7; tests scale them down through the environment).
struct WorkerSettings: Sendable {
    var id: String
    var concurrency = 1
    /// `DUMPS_DIR` or `--out`: the bare repositories the worker dumps into.
    var outputDirectory: String
    /// After SIGTERM a running job may finish within this time; then it is stopped and released.
    var grace: Duration = .seconds(60)
    /// Where jobs are published beyond the local repository (GITLAB_URL), if anywhere.
    var gitLab: GitLabSettings?
    var heartbeat: Duration = .seconds(5)
    var lease: Duration = .seconds(30)
    var reapInterval: Duration = .seconds(5)
    /// Without a successful heartbeat for this long the worker stops the job and publishes nothing.
    var selfFence: Duration = .seconds(20)
    /// A stopped job's process group gets SIGTERM, then SIGKILL after this long.
    var killGrace: Duration = .seconds(5)
    var retryBaseMilliseconds = 2000
    /// `DUMPYARD_TEST_JOBS=1`: synthetic jobs and crash points, for the fault-injection tests only.
    var testHooks = false
    /// `DUMPYARD_CRASH_AT` (with test hooks): `step<N>`, `before_publish`, `after_publish`,
    /// `before_complete` — the worker kills itself with SIGKILL there.
    var crashPoint: String?

    /// Settings from `dumpyard worker [worker-id] [--concurrency N] [--out DIR] [--grace SECONDS]`
    /// and the environment.
    init(arguments: [String], environment: [String: String], configuration: DumpConfiguration) throws(UsageError) {
        let parsed = try ParsedArguments(arguments, valued: ["--concurrency", "--out", "--grace"], flags: [])
        guard parsed.positionals.count <= 1 else { throw UsageError("worker takes at most one worker id") }
        let host = ProcessInfo.processInfo.hostName.split(separator: ".").first.map(String.init) ?? "worker"
        id = parsed.positionals.first ?? "\(host)-\(getpid())"
        guard !id.isEmpty, id.count <= 100, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.@:".contains($0)) }) else {
            throw UsageError("a worker id takes letters, digits and - _ . @ : (at most 100)")
        }
        outputDirectory = parsed.options["--out"] ?? environment["DUMPS_DIR"].flatMap { $0.isEmpty ? nil : $0 } ?? configuration.home + "/dumps"
        if let text = parsed.options["--concurrency"] ?? environment["WORKER_CONCURRENCY"] {
            guard let value = Int(text), (1...64).contains(value) else { throw UsageError("--concurrency is 1 to 64") }
            concurrency = value
        }
        if let text = parsed.options["--grace"] ?? environment["WORKER_GRACE_SECONDS"] {
            guard let value = Double(text), value >= 0, value <= 86400 else { throw UsageError("--grace is 0 to 86400 seconds") }
            grace = .milliseconds(Int64(value * 1000))
        }
        func milliseconds(_ name: String, _ current: inout Duration) throws(UsageError) {
            guard let text = environment[name], !text.isEmpty else { return }
            guard let value = Int64(text), value > 0, value <= 3_600_000 else { throw UsageError("\(name) is 1 to 3600000 milliseconds") }
            current = .milliseconds(value)
        }
        try milliseconds("DUMPYARD_HEARTBEAT_MS", &heartbeat)
        try milliseconds("DUMPYARD_LEASE_MS", &lease)
        try milliseconds("DUMPYARD_REAP_MS", &reapInterval)
        try milliseconds("DUMPYARD_SELF_FENCE_MS", &selfFence)
        try milliseconds("DUMPYARD_KILL_GRACE_MS", &killGrace)
        var base = Duration.milliseconds(retryBaseMilliseconds)
        try milliseconds("DUMPYARD_RETRY_BASE_MS", &base)
        retryBaseMilliseconds = Int(base.components.seconds * 1000 + base.components.attoseconds / 1_000_000_000_000_000)
        guard heartbeat < selfFence, selfFence < lease else {
            throw UsageError("timings must keep DUMPYARD_HEARTBEAT_MS < DUMPYARD_SELF_FENCE_MS < DUMPYARD_LEASE_MS")
        }
        testHooks = environment["DUMPYARD_TEST_JOBS"] == "1"
        crashPoint = testHooks ? environment["DUMPYARD_CRASH_AT"].flatMap { $0.isEmpty ? nil : $0 } : nil
    }
}
