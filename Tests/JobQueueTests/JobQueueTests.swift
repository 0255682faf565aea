import DumpTestSupport
import Foundation
import JobQueue
import Redis
import Testing

/// The queue's scripts against a real redis-server: each transition, and after each test the
/// invariants of reference/queue.md §5.1 — every job in exactly one set, its state matching the set.
@Suite struct JobQueueTests {
    static func queue(_ server: RedisServer) throws -> JobQueue {
        let queue = JobQueue(connection: try RedisConnection(try RedisEndpoint(url: server.url())), prefix: "t:{q}:")
        queue.retryBaseDelayMilliseconds = 100
        return queue
    }

    /// Every known job sits in exactly the set its state names.
    static func checkInvariants(_ queue: JobQueue, jobs: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let sets = ["pending", "delayed", "active", "failed", "done"]
        var membership: [String: [String]] = [:]
        for set in sets { for id in try queue.members(of: set) { membership[id, default: []].append(set) } }
        for id in jobs {
            let state = try #require(JobState(rawValue: try queue.job(id: id)?["state"] ?? ""), sourceLocation: sourceLocation)
            #expect(membership[id] == [state.set], "\(id) is \(state) but in \(membership[id] ?? [])", sourceLocation: sourceLocation)
        }
    }

    func claimed(_ outcome: ClaimOutcome, sourceLocation: SourceLocation = #_sourceLocation) throws -> ClaimedJob {
        guard case .job(let job) = outcome else {
            Issue.record("no job claimed: \(outcome)", sourceLocation: sourceLocation)
            throw QueueError(operation: "test", message: "no job")
        }
        return job
    }

    @Test func submitIsIdempotentAndClaimsFollowPriorityThenOrder() throws {
        let server = try RedisServer()
        let queue = try Self.queue(server)
        #expect(try queue.submit(id: "a", payload: Array("first".utf8)) == .queued)
        #expect(try queue.submit(id: "a", payload: Array("again".utf8)) == .exists(.queued))
        try queue.submit(id: "b", payload: [], priority: 5)
        try queue.submit(id: "urgent", payload: [], priority: 9)
        try queue.submit(id: "c", payload: [], priority: 5)
        var order: [String] = []
        while case .job(let job) = try queue.claim(worker: "w\(order.count)", lease: .seconds(30)) { order.append(job.id) }
        #expect(order == ["urgent", "a", "b", "c"])
        #expect(try queue.job(id: "a")?["payload"] == "first")
        #expect(try queue.stats()["submitted"] == 4)
        try Self.checkInvariants(queue, jobs: ["a", "b", "c", "urgent"])
    }

    @Test func aClaimRetriedAfterALostReplyGetsTheSameJob() throws {
        let server = try RedisServer()
        let queue = try Self.queue(server)
        try queue.submit(id: "a", payload: [])
        try queue.submit(id: "b", payload: [])
        let first = try claimed(try queue.claim(worker: "w1", lease: .seconds(30)))
        let again = try claimed(try queue.claim(worker: "w1", lease: .seconds(30)))
        #expect(again == first)
        try Self.checkInvariants(queue, jobs: ["a", "b"])
    }

    @Test func heartbeatCompleteAndStaleFences() throws {
        let server = try RedisServer()
        let queue = try Self.queue(server)
        try queue.submit(id: "a", payload: [])
        let job = try claimed(try queue.claim(worker: "w1", lease: .seconds(30)))
        #expect(try queue.heartbeat(job, lease: .seconds(30), step: 3, percent: 40, stepName: "unpack") == .ok)
        #expect(try queue.job(id: "a")?["step_name"] == "unpack")
        #expect(try queue.heartbeat(job, lease: .seconds(30), step: 2, percent: 12, stepName: "download", detail: "120 of 2048 MiB") == .ok)
        #expect(try queue.job(id: "a")?["detail"] == "120 of 2048 MiB")
        #expect(try queue.heartbeat(job, lease: .seconds(30), step: 3, percent: 40, stepName: "unpack") == .ok)
        #expect(try queue.job(id: "a")?["detail"] == nil, "a step without detail clears the last one")
        #expect(try queue.heartbeat(job, lease: .seconds(30), step: 4, percent: 45, stepName: "expand", detail: "system") == .ok)
        var stale = job
        stale.fence += 1
        #expect(try queue.complete(stale, result: "x") == .stale(.processing))
        #expect(try queue.heartbeat(stale, lease: .seconds(30), step: 4, percent: 50, stepName: "x") == .lost)
        #expect(try queue.complete(job, result: "branch@commit") == .done)
        #expect(try queue.complete(job, result: "branch@commit") == .alreadyDone)
        #expect(try queue.fail(job, error: "late", retryable: true) == .stale(.completed))
        #expect(try queue.job(id: "a")?["result"] == "branch@commit")
        #expect(try queue.job(id: "a")?["detail"] == nil, "a finished job keeps no progress detail")
        #expect(try queue.stats()["fence_rejected"] == 3)
        try Self.checkInvariants(queue, jobs: ["a"])
    }

    @Test func retriesBackOffThenTheJobFails() throws {
        let server = try RedisServer()
        let queue = try Self.queue(server)
        try queue.submit(id: "a", payload: [], maxRetries: 2)
        for delay in [100, 200] {
            let job = try claimed(try queue.claim(worker: "w", lease: .seconds(30)))
            #expect(try queue.fail(job, error: "network", retryable: true) == .retrying(after: .milliseconds(delay)))
            try Self.checkInvariants(queue, jobs: ["a"])
            guard case .empty(let wait?) = try queue.claim(worker: "w", lease: .seconds(30)) else { Issue.record("claimable before its delay"); return }
            #expect(wait <= .milliseconds(delay))
            usleep(UInt32(delay + 30) * 1000)
        }
        let last = try claimed(try queue.claim(worker: "w", lease: .seconds(30)))
        #expect(last.attempts == 3)
        #expect(try queue.fail(last, error: "network", retryable: true) == .failed)
        #expect(try queue.members(of: "failed") == ["a"])
        #expect(try queue.retry(id: "a"))
        #expect(try claimed(try queue.claim(worker: "w", lease: .seconds(30))).attempts == 1)
        try Self.checkInvariants(queue, jobs: ["a"])
    }

    @Test func badFirmwareFailsAtOnceAndCancelWorksInEveryState() throws {
        let server = try RedisServer()
        let queue = try Self.queue(server)
        for id in ["bad", "waiting", "running"] { try queue.submit(id: id, payload: []) }
        let bad = try claimed(try queue.claim(worker: "w1", lease: .seconds(30)))
        #expect(try queue.fail(bad, error: "corrupt zip", retryable: false) == .failed)
        #expect(try queue.cancel(id: "waiting") == .cancelled)
        let running = try claimed(try queue.claim(worker: "w2", lease: .seconds(30)))
        #expect(running.id == "running", "a cancelled job is never claimed")
        #expect(try queue.cancel(id: "running") == .requested)
        #expect(try queue.heartbeat(running, lease: .seconds(30), step: 5, percent: 10, stepName: "read") == .cancel)
        #expect(try queue.cancel(id: "bad") == .alreadyFinished(.failed))
        #expect(try queue.cancel(id: "nobody") == .unknown)
        try Self.checkInvariants(queue, jobs: ["bad", "waiting", "running"])
        let overview = try queue.overview()
        #expect(overview.failed == 1 && overview.recentFailed == ["bad"] && overview.recent == ["waiting"])
    }

    @Test func anExpiredLeaseIsReapedAndTheOldOwnerIsFenced() throws {
        let server = try RedisServer()
        let queue = try Self.queue(server)
        try queue.submit(id: "a", payload: [])
        try queue.submit(id: "gone", payload: [])
        let crashed = try claimed(try queue.claim(worker: "dead", lease: .milliseconds(100)))
        let cancelled = try claimed(try queue.claim(worker: "dead2", lease: .milliseconds(100)))
        #expect(try queue.cancel(id: cancelled.id) == .requested)
        usleep(200_000)
        #expect(try queue.reap() == 2)
        #expect(try queue.job(id: crashed.id)?["state"] == "RETRYING")
        #expect(try queue.job(id: cancelled.id)?["state"] == "CANCELLED")
        #expect(try queue.complete(crashed, result: "late") == .stale(.retrying), "the old owner cannot finish it")
        usleep(150_000)
        let next = try claimed(try queue.claim(worker: "alive", lease: .seconds(30)))
        #expect(next.id == crashed.id && next.fence > crashed.fence && next.attempts == 2)
        #expect(try queue.stats()["lease_expired"] == 2)
        try Self.checkInvariants(queue, jobs: ["a", "gone"])
    }

    @Test func releaseGivesTheJobBackWithoutCountingTheAttempt() throws {
        let server = try RedisServer()
        let queue = try Self.queue(server)
        try queue.submit(id: "a", payload: [])
        try queue.submit(id: "b", payload: [])
        let job = try claimed(try queue.claim(worker: "w", lease: .seconds(30)))
        #expect(try queue.release(job) == .done)
        let again = try claimed(try queue.claim(worker: "w2", lease: .seconds(30)))
        #expect(again.id == "a" && again.attempts == 1 && again.fence == job.fence + 2, "back at the head of its priority")
        try Self.checkInvariants(queue, jobs: ["a", "b"])
    }

    @Test func scriptsAreLoadedAgainAfterRedisForgetsThem() throws {
        let server = try RedisServer()
        let queue = try Self.queue(server)
        try queue.submit(id: "a", payload: [])
        try queue.connection.command("SCRIPT", "FLUSH")
        #expect(try queue.submit(id: "b", payload: []) == .queued)
        server.stop()
        let restarted = try RedisServer(reusing: server)
        try queue.connection.reconnect()
        #expect(try queue.submit(id: "c", payload: []) == .queued, "a restarted Redis has no scripts but keeps the jobs")
        #expect(try queue.members(of: "pending") == ["a", "b", "c"])
        withExtendedLifetime(restarted) {}
    }

    @Test func aBatchSubmitIsOneRoundTripAndIdempotent() throws {
        let server = try RedisServer()
        let queue = try Self.queue(server)
        try queue.submit(id: "old", payload: [])
        try queue.connection.command("SCRIPT", "FLUSH")
        let batch = ["x", "old", "y", "x"].map { JobSubmission(id: $0, payload: Array($0.utf8), priority: $0 == "y" ? 9 : 5) }
        #expect(try queue.submit(batch: batch) == [.queued, .exists(.queued), .queued, .exists(.queued)])
        #expect(try queue.members(of: "pending") == ["y", "old", "x"])
        #expect(try queue.stats()["submitted"] == 3)
        try Self.checkInvariants(queue, jobs: ["old", "x", "y"])
    }

    @Test func historyIsCappedAndTrimmedJobsLeaveNoKeys() throws {
        let server = try RedisServer()
        let queue = try Self.queue(server)
        let count = 10_050
        for start in stride(from: 0, to: count, by: 500) {
            try queue.submit(batch: (start..<min(start + 500, count)).map { JobSubmission(id: "j\($0)", payload: []) })
        }
        var finished = 0
        while case .job(let job) = try queue.claim(worker: "w", lease: .seconds(30)) {
            #expect(try queue.complete(job, result: "ok") == .done)
            finished += 1
        }
        #expect(finished == count)
        #expect(try queue.members(of: "done").count == 10_000)
        #expect(try queue.job(id: "j0") == nil, "the oldest finished job's hash went with its id")
        #expect(try queue.job(id: "j\(count - 1)")?["state"] == "COMPLETED")
        guard case .integer(let keys) = try queue.connection.command("DBSIZE") else { throw QueueError(operation: "test", message: "DBSIZE") }
        #expect(keys < 10_000 + 20, "job hashes beyond the cap are deleted (\(keys) keys)")
        guard case .integer(let events) = try queue.connection.command("XLEN", "t:{q}:events") else { throw QueueError(operation: "test", message: "XLEN") }
        #expect(events <= 10_200, "the event stream stays near its cap (\(events))")
        #expect(try queue.stats()["completed"] == count)
    }

    @Test func aCancelAskedForWinsOverAFailureOrARelease() throws {
        let server = try RedisServer()
        let queue = try Self.queue(server)
        try queue.submit(id: "a", payload: [])
        try queue.submit(id: "b", payload: [])
        let a = try claimed(try queue.claim(worker: "w1", lease: .seconds(30)))
        let b = try claimed(try queue.claim(worker: "w2", lease: .seconds(30)))
        #expect(try queue.cancel(id: "a") == .requested && queue.cancel(id: "b") == .requested)
        #expect(try queue.fail(a, error: "disk full", retryable: true) == .cancelled)
        #expect(try queue.release(b) == .cancelled)
        #expect(try queue.job(id: "a")?["state"] == "CANCELLED" && queue.job(id: "b")?["state"] == "CANCELLED")
        #expect(try queue.claim(worker: "w3", lease: .seconds(30)) == .empty(retryIn: nil))
        #expect(try queue.stats()["cancelled"] == 2)
        try Self.checkInvariants(queue, jobs: ["a", "b"])
    }

    @Test func anIdUsedAgainAfterItsHashExpiredStartsAnew() throws {
        let server = try RedisServer()
        let queue = try Self.queue(server)
        try queue.submit(id: "a", payload: [])
        let job = try claimed(try queue.claim(worker: "w", lease: .seconds(30)))
        #expect(try queue.complete(job, result: "ok") == .done)
        // Seven days later the hash is gone while the id still sits in the history.
        try queue.connection.command("DEL", "t:{q}:job:a")
        #expect(try queue.submit(id: "a", payload: Array("again".utf8)) == .queued)
        #expect(try queue.members(of: "done").isEmpty && queue.members(of: "pending") == ["a"])
        try Self.checkInvariants(queue, jobs: ["a"])
    }

    @Test func anotherProcessWithTheSameWorkerIdDoesNotGetItsJob() throws {
        let server = try RedisServer()
        let first = try Self.queue(server)
        let second = try Self.queue(server)
        second.processToken = "another-process"
        try first.submit(id: "a", payload: [])
        try first.submit(id: "b", payload: [])
        let mine = try claimed(try first.claim(worker: "w", lease: .seconds(30)))
        #expect(try claimed(try first.claim(worker: "w", lease: .seconds(30))) == mine, "a retried claim gets the same job")
        let theirs = try claimed(try second.claim(worker: "w", lease: .seconds(30)))
        #expect(theirs.id != mine.id)
        try Self.checkInvariants(first, jobs: ["a", "b"])
    }

    @Test func anIdWithoutItsJobIsSkippedAndCounted() throws {
        let server = try RedisServer()
        let queue = try Self.queue(server)
        try queue.connection.command("ZADD", "t:{q}:pending", "0", "ghost")
        try queue.submit(id: "real", payload: [])
        #expect(try claimed(try queue.claim(worker: "w", lease: .seconds(30))).id == "real")
        #expect(try queue.stats()["orphans"] == 1)
    }
}
