public import Redis

/// The Redis job queue (reference/queue.md §3): submit, claim, heartbeat, complete, fail,
/// release, cancel, reap and retry, each one Lua script run with EVALSHA (EVAL again when Redis
/// lost its scripts, after a restart or `SCRIPT FLUSH`). One instance per thread: it owns its
/// connection.
public final class JobQueue {
    public let connection: RedisConnection
    /// Prefix of every key (`dumpyard:{q}:`): the hash tag keeps them in one cluster slot.
    public let prefix: String
    /// The first retry waits this long, the next ones twice as long each (2 s, 4 s, 8 s).
    public var retryBaseDelayMilliseconds = 2000
    private let scripts: ScriptRunner

    public init(connection: RedisConnection, prefix: String = "dumpyard:{q}:") {
        self.connection = connection
        self.prefix = prefix
        scripts = ScriptRunner(connection: connection, prefix: prefix)
    }

    /// Submits a job; idempotent on `id`.
    @discardableResult
    public func submit(id: String, payload: [UInt8], priority: Int = 5, maxRetries: Int = 3) throws(QueueError) -> SubmitOutcome {
        let reply = try run(
            "submit", QueueScripts.submit, [Array(id.utf8), payload, Array(String(min(max(priority, 0), 9)).utf8), Array(String(max(maxRetries, 0)).utf8)])
        switch reply.first {
        case "QUEUED": return .queued
        case "EXISTS": return .exists(JobState(rawValue: reply.text(1)) ?? .queued)
        default: throw unexpected("submit", reply)
        }
    }

    /// Submits many jobs in one round trip (a pipeline of the same script: Redis syncs its AOF
    /// once for the lot instead of once per job); each is idempotent on its id.
    @discardableResult
    public func submit(batch: [JobSubmission]) throws(QueueError) -> [SubmitOutcome] {
        let replies = try scripts.pipeline(
            "submit", QueueScripts.submit,
            batch.map { job in
                [Array(job.id.utf8), job.payload, Array(String(min(max(job.priority, 0), 9)).utf8), Array(String(max(job.maxRetries, 0)).utf8)]
            })
        return try replies.map { reply throws(QueueError) in
            let parsed = try ScriptReply(reply, script: "submit")
            switch parsed.first {
            case "QUEUED": return .queued
            case "EXISTS": return .exists(JobState(rawValue: parsed.text(1)) ?? .queued)
            default: throw unexpected("submit", parsed)
            }
        }
    }

    /// This process's token: a claim retried after a lost reply gets back the job this process
    /// holds, never one another process with the same worker id holds.
    public static let processToken = String(UInt64.random(in: 1...UInt64.max), radix: 36)
    /// The token this queue claims with (the process's, unless a test plays another process).
    public var processToken = JobQueue.processToken

    /// Takes the next job for `worker` with a lease of `lease` (nil: none waiting; `retryIn` says
    /// when the next retry is due).
    public func claim(worker: String, lease: Duration) throws(QueueError) -> ClaimOutcome {
        let reply = try run("claim", QueueScripts.claim, [worker, String(lease.wholeMilliseconds), processToken])
        switch reply.first {
        case "JOB":
            guard let fence = Int64(reply.text(2)), let attempts = Int(reply.text(3)) else { throw unexpected("claim", reply) }
            return .job(ClaimedJob(id: reply.text(1), fence: fence, attempts: attempts, payload: reply.bytes(4)))
        case "WAIT": return .empty(retryIn: .milliseconds(Int64(Double(reply.text(1)) ?? 0)))
        case "EMPTY": return .empty(retryIn: nil)
        default: throw unexpected("claim", reply)
        }
    }

    /// Renews the lease and reports progress: `passed` are the steps entered since the last beat
    /// before `step` (each gets its event), `device` is "brand codename" once known. `.cancel` asks
    /// the worker to stop; `.lost` means another owner has the job now (the worker must stop and
    /// publish nothing).
    public func heartbeat(
        _ job: ClaimedJob, lease: Duration, step: Int, percent: Int, stepName: String, detail: String = "", passed: [Int] = [],
        device: String? = nil
    ) throws(QueueError) -> HeartbeatOutcome {
        let reply = try run(
            "heartbeat", QueueScripts.heartbeat,
            [
                job.id, String(job.fence), String(lease.wholeMilliseconds), String(step), String(percent), stepName, detail,
                passed.map(String.init).joined(separator: ","), device ?? "",
            ])
        switch reply.first {
        case "OK": return .ok
        case "CANCEL": return .cancel
        case "LOST": return .lost
        default: throw unexpected("heartbeat", reply)
        }
    }

    /// Marks the job COMPLETED with `result`; idempotent under the same fence.
    public func complete(_ job: ClaimedJob, result: String) throws(QueueError) -> FinishOutcome {
        try finish("complete", QueueScripts.complete, [job.id, String(job.fence), result])
    }

    /// Fails the attempt: retried later when `retryable` and attempts remain, else FAILED.
    public func fail(_ job: ClaimedJob, error: String, retryable: Bool) throws(QueueError) -> FinishOutcome {
        try finish("fail", QueueScripts.fail, [job.id, String(job.fence), error, retryable ? "1" : "0", String(retryBaseDelayMilliseconds)])
    }

    /// Gives the job back (graceful shutdown): the attempt is not counted.
    public func release(_ job: ClaimedJob) throws(QueueError) -> FinishOutcome {
        try finish("release", QueueScripts.release, [job.id, String(job.fence)])
    }

    /// Ends a job its worker stopped because its cancel was requested.
    public func finishCancelled(_ job: ClaimedJob) throws(QueueError) -> FinishOutcome {
        try finish("cancelled", QueueScripts.cancelled, [job.id, String(job.fence)])
    }

    /// Records, under the job's fence, that its publish begins (reference/queue.md §3.9).
    public func beginPublish(_ job: ClaimedJob) throws(QueueError) -> PublishIntent {
        let reply = try run("publish_begin", QueueScripts.publishBegin, [job.id, String(job.fence)])
        switch reply.first {
        case "PUBLISHED": return .alreadyPublished(result: reply.text(1))
        case "STARTED": return .begin(startedBefore: !reply.text(1).isEmpty)
        case "STALE": return .stale(JobState(rawValue: reply.text(1)))
        default: throw unexpected("publish_begin", reply)
        }
    }

    /// Records, under the job's fence, that its publish is done with `result`.
    public func finishPublish(_ job: ClaimedJob, result: String) throws(QueueError) -> FinishOutcome {
        try finish("publish_done", QueueScripts.publishDone, [job.id, String(job.fence), result])
    }

    /// Cancels a job: at once when it waits, by request when it runs.
    @discardableResult
    public func cancel(id: String) throws(QueueError) -> CancelOutcome {
        let reply = try run("cancel", QueueScripts.cancel, [id])
        switch reply.first {
        case "CANCELLED": return .cancelled
        case "REQUESTED": return .requested
        case "FINISHED": return .alreadyFinished(JobState(rawValue: reply.text(1)) ?? .completed)
        case "UNKNOWN": return .unknown
        default: throw unexpected("cancel", reply)
        }
    }

    /// Takes back jobs whose lease ran out (at most `limit`); returns how many.
    @discardableResult
    public func reap(limit: Int = 100) throws(QueueError) -> Int {
        let reply = try run("reap", QueueScripts.reap, [String(limit), String(retryBaseDelayMilliseconds)])
        return Int(reply.text(1)) ?? 0
    }

    /// Puts a FAILED job back in the queue; false when it is not FAILED.
    public func retry(id: String) throws(QueueError) -> Bool {
        try run("retry", QueueScripts.retry, [id]).first == "OK"
    }

    /// Waits up to `timeout` (at most a few seconds: a blocked connection serves nobody) for a
    /// wake-up token that `submit` and `release` leave; true when one came. Only a latency hint:
    /// `claim` decides, and a token without a job is harmless.
    @discardableResult
    public func awaitWork(upTo timeout: Duration) throws(QueueError) -> Bool {
        let milliseconds = max(10, timeout.wholeMilliseconds)
        let fraction = String(milliseconds % 1000)
        let seconds = "\(milliseconds / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
        let reply = try call(["BLPOP", prefix + "wake", seconds])
        if case .error(let message) = reply { throw QueueError(operation: "wait", message: message) }
        if case .array = reply { return true }
        return false
    }

    /// Removes a worker's entry (it stops cleanly).
    public func forget(worker: String) throws(QueueError) {
        _ = try call(["DEL", prefix + "worker:" + worker])
        _ = try call(["ZREM", prefix + "workers", worker])
    }

    /// Remembers a finished dump under its source URL key and its firmware digest, for the
    /// "already dumped" answers that come before any download. `keepExisting` leaves an entry
    /// already there alone (a job that found its build dumped does not become its dumper).
    public func remember(dump record: String, urlKey: String?, digest: String?, keepExisting: Bool = false) throws(QueueError) {
        let set = keepExisting ? "HSETNX" : "HSET"
        if let urlKey { _ = try call([set, prefix + "index:url", urlKey, record]) }
        if let digest { _ = try call([set, prefix + "index:digest", digest, record]) }
    }

    /// The dump recorded for a URL key or a firmware digest, if any.
    public func dump(urlKey: String? = nil, digest: String? = nil) throws(QueueError) -> String? {
        if let urlKey, let record = try call(["HGET", prefix + "index:url", urlKey]).text { return record }
        if let digest, let record = try call(["HGET", prefix + "index:digest", digest]).text { return record }
        return nil
    }

    /// A job's fields (nil when unknown).
    public func job(id: String) throws(QueueError) -> [String: String]? {
        let reply = try call(["HGETALL", prefix + "job:" + id])
        guard case .array(let items) = reply, !items.isEmpty else { return nil }
        var fields: [String: String] = [:]
        for pair in stride(from: 0, to: items.count - 1, by: 2) { fields[items[pair].text ?? ""] = items[pair + 1].text ?? "" }
        return fields
    }

    /// The queue's counters (`submitted`, `completed`, …).
    public func stats() throws(QueueError) -> [String: Int] {
        guard case .array(let items) = try call(["HGETALL", prefix + "stats"]) else { return [:] }
        var stats: [String: Int] = [:]
        for pair in stride(from: 0, to: items.count - 1, by: 2) { stats[items[pair].text ?? ""] = Int(items[pair + 1].text ?? "") ?? 0 }
        return stats
    }

    /// The ids in one of the queue's sets: `pending`, `delayed`, `active`, `failed`, `done`.
    public func members(of set: String) throws(QueueError) -> [String] {
        guard case .array(let items) = try call(["ZRANGE", prefix + set, "0", "-1"]) else { return [] }
        return items.compactMap(\.text)
    }

    // MARK: - Scripts

    private func finish(_ name: String, _ source: String, _ arguments: [String]) throws(QueueError) -> FinishOutcome {
        let reply = try run(name, source, arguments)
        switch reply.first {
        case "OK": return .done
        case "OK_ALREADY": return .alreadyDone
        case "RETRYING": return .retrying(after: .milliseconds(Int64(Double(reply.text(1)) ?? 0)))
        case "FAILED": return .failed
        case "CANCELLED": return .cancelled
        case "STALE": return .stale(JobState(rawValue: reply.text(1)))
        default: throw unexpected(name, reply)
        }
    }

    private func run(_ name: String, _ source: String, _ arguments: [String]) throws(QueueError) -> ScriptReply {
        try scripts.run(name, source, arguments)
    }

    private func run(_ name: String, _ source: String, _ arguments: [[UInt8]]) throws(QueueError) -> ScriptReply {
        try scripts.run(name, source, arguments)
    }

    private func call(_ arguments: [String]) throws(QueueError) -> RedisReply {
        try scripts.call(arguments)
    }

    private func unexpected(_ name: String, _ reply: ScriptReply) -> QueueError {
        QueueError(operation: name, message: "unexpected reply \(reply.items.map { String(decoding: $0, as: UTF8.self) })")
    }
}

/// What `dumpyard status` shows: how many jobs sit in each set, the workers seen lately with
/// the age of their last heartbeat, and the latest finished jobs.
public struct QueueOverview: Sendable, Hashable, Codable {
    public struct Worker: Sendable, Hashable, Codable {
        public var id: String
        public var job: String?
        public var heartbeatAgeSeconds: Double
    }

    public var queued: Int
    public var running: Int
    public var retrying: Int
    public var failed: Int
    public var finished: Int
    public var workers: [Worker]
    /// Ids of the latest finished (completed or cancelled) jobs, newest first.
    public var recent: [String]
    /// Ids of the latest failed jobs (the dead-letter set), newest first: what `retry` takes.
    public var recentFailed: [String]
}

extension JobQueue {
    /// The queue at a glance; workers not seen for `staleAfter` (two default leases: a worker that
    /// was killed stops showing within a minute) are left out.
    public func overview(staleAfter: Duration = .seconds(60)) throws(QueueError) -> QueueOverview {
        let sets = ["pending", "active", "delayed", "failed", "done"]
        let replies: [RedisReply]
        do {
            replies = try connection.pipeline(
                sets.map { [Array("ZCARD".utf8), Array((prefix + $0).utf8)] } + [
                    [Array("TIME".utf8)],
                    [Array("ZRANGE".utf8), Array((prefix + "workers").utf8), Array("0".utf8), Array("-1".utf8), Array("WITHSCORES".utf8)],
                    [Array("ZRANGE".utf8), Array((prefix + "done").utf8), Array("0".utf8), Array("9".utf8), Array("REV".utf8)],
                    [Array("ZRANGE".utf8), Array((prefix + "failed").utf8), Array("0".utf8), Array("9".utf8), Array("REV".utf8)],
                ])
        } catch { throw QueueError(operation: "status", message: error.description) }
        let counts = replies.prefix(5).map { Int($0.integer ?? 0) }
        var now: Double = 0
        if case .array(let time) = replies[5], time.count == 2 {
            now = Double(time[0].integer ?? 0) * 1000 + Double(time[1].integer ?? 0) / 1000
        }
        var workers: [QueueOverview.Worker] = []
        if case .array(let items) = replies[6] {
            for pair in stride(from: 0, to: items.count - 1, by: 2) {
                let id = items[pair].text ?? ""
                let age = max(0, now - (Double(items[pair + 1].text ?? "") ?? 0)) / 1000
                guard age <= Double(staleAfter.components.seconds) else { continue }
                let job = (try? connection.command([Array("HGET".utf8), Array((prefix + "worker:" + id).utf8), Array("job".utf8)]))?.text
                workers.append(QueueOverview.Worker(id: id, job: job, heartbeatAgeSeconds: age))
            }
        }
        var recent: [String] = []
        if case .array(let items) = replies[7] { recent = items.compactMap(\.text) }
        var recentFailed: [String] = []
        if case .array(let items) = replies[8] { recentFailed = items.compactMap(\.text) }
        return QueueOverview(
            queued: counts[0], running: counts[1], retrying: counts[2], failed: counts[3], finished: counts[4], workers: workers,
            recent: recent, recentFailed: recentFailed)
    }
}
