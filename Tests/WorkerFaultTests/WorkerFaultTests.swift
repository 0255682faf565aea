import DumpTestSupport
import Foundation
import JobQueue
import Redis
import Testing

/// The fault-injection scenarios of reference/queue.md §5.2 against a real redis-server and real
/// worker processes, with timings scaled down (§5.1). Each ends with the invariant check.
@Suite(.serialized) struct WorkerFaultTests {
    /// Records every worker's log when an expectation fails, so a red run says what happened.
    @Test("1. 50 jobs, 3 workers, no faults: each runs and publishes once")
    func scenario1NoFaults() throws {
        let rig = try QueueRig()
        for n in 0..<50 { try rig.submit("j\(n)", "synthetic:ms=5") }
        let workers = try (1...3).map { try rig.startWorker("w\($0)") }
        #expect(rig.waitQuiescent(.seconds(90)), explain(workers))
        let executions = rig.executions()
        for id in rig.submitted {
            #expect(try rig.state(id) == .completed, explain(workers))
            #expect(executions[id]?.count == 1, "job \(id) ran \(executions[id]?.count ?? 0) times")
        }
        let pushes = rig.pushes()
        #expect(pushes.all.count == 50 && pushes.all.values.allSatisfy { $0 == 1 } && pushes.changed.count == 50)
        try rig.checkInvariants()
    }

    @Test("2. Priority: a high job submitted last starts next; FIFO within a priority")
    func scenario2Priority() throws {
        let rig = try QueueRig()
        try rig.submit("busy", "synthetic:ms=150")
        let worker = try rig.startWorker("w1")
        #expect(rig.wait(for: .seconds(20)) { try rig.state("busy") == .processing })
        for n in 1...3 { try rig.submit("low\(n)", "synthetic:ms=1", priority: 1) }
        try rig.submit("high", "synthetic:ms=1", priority: 9)
        #expect(rig.waitQuiescent(.seconds(60)), explain([worker]))
        let started = try ["high", "low1", "low2", "low3"].map { Int(try rig.job($0)["started"] ?? "") ?? 0 }
        #expect(started == started.sorted() && Set(started).count == 4, "start order high, low1, low2, low3: \(started)")
        try rig.checkInvariants()
    }

    @Test("3. kill -9 at step 5: the job is taken back and completed once elsewhere")
    func scenario3KillAtStep5() throws {
        let rig = try QueueRig()
        try rig.submit("j", "synthetic:ms=50")
        let doomed = try rig.startWorker("doomed", environment: ["DUMPYARD_CRASH_AT": "step5"])
        let status = try #require(doomed.wait(timeout: .seconds(30)), explain([doomed]))
        #expect(status & 0x7f == SIGKILL)
        let killed = ContinuousClock.now
        let rescuer = try rig.startWorker("rescuer")
        #expect(rig.wait(for: .seconds(20)) { try rig.job("j")["worker"] == "rescuer" })
        let recovery = ContinuousClock.now - killed
        #expect(rig.waitQuiescent(.seconds(30)), explain([doomed, rescuer]))
        #expect(recovery < .seconds(4), "taken back after \(recovery) (lease 2 s + reaper 0.2 s)")
        #expect(try rig.state("j") == .completed)
        #expect(try rig.job("j")["attempts"] == "2")
        #expect(rig.executions()["j"]?.count == 2)
        #expect(rig.pushes().all["j"] == 1)
        #expect(try rig.queue.stats()["lease_expired"] == 1)
        try rig.checkInvariants()
    }

    @Test("4. kill -9 after the push, before it is recorded or completed: no second publish")
    func scenario4KillAfterPublish() throws {
        let rig = try QueueRig()
        try rig.submit("pushed", "synthetic:ms=5")
        let first = try rig.startWorker("first", environment: ["DUMPYARD_CRASH_AT": "after_publish"])
        #expect(first.wait(timeout: .seconds(30)) != nil, explain([first]))
        try rig.submit("recorded", "synthetic:ms=5")
        let second = try rig.startWorker("second", environment: ["DUMPYARD_CRASH_AT": "before_complete"])
        #expect(rig.wait(for: .seconds(30)) { try rig.job("recorded")["published"] != nil })
        #expect(second.wait(timeout: .seconds(30)) != nil, explain([second]))
        let rescuer = try rig.startWorker("rescuer")
        #expect(rig.waitQuiescent(.seconds(30)), explain([first, second, rescuer]))
        let pushes = rig.pushes()
        // Pushed, not recorded: the retry pushes again with the same key and finds it done.
        #expect(pushes.all["pushed"] == 2 && pushes.changed["pushed"] == 1)
        // Recorded as published: the retry does not push at all.
        #expect(pushes.all["recorded"] == 1)
        #expect(try rig.queue.stats()["publish_dedup"] == 1)
        for id in ["pushed", "recorded"] { #expect(try rig.state(id) == .completed) }
        try rig.checkInvariants()
    }

    @Test("5. SIGSTOP a worker past its lease: another completes the job, the resumed one publishes nothing")
    func scenario5StoppedPastLease() throws {
        let rig = try QueueRig()
        try rig.submit("j", "synthetic:ms=400")
        let sleeper = try rig.startWorker("sleeper")
        #expect(rig.wait(for: .seconds(20)) { Int(try rig.job("j")["step"] ?? "") ?? 0 >= 2 })
        sleeper.kill(SIGSTOP)
        let other = try rig.startWorker("other")
        #expect(rig.wait(for: .seconds(30)) { try rig.state("j") == .completed }, explain([sleeper, other]))
        Thread.sleep(forTimeInterval: 6 - 3.2)  // stopped for about 3 × the lease in all
        sleeper.kill(SIGCONT)
        #expect(rig.wait(for: .seconds(10)) { sleeper.output.contains("job j: lost") }, explain([sleeper, other]))
        Thread.sleep(forTimeInterval: 1)
        #expect(rig.pushes().all["j"] == 1, explain([sleeper, other]))
        #expect(rig.executions()["j"]?.count == 2)
        #expect((try rig.queue.stats()["fence_rejected"] ?? 0) >= 1)
        try rig.checkInvariants()
    }

    @Test("6. SIGSTOP a worker for half its lease: no takeover")
    func scenario6ShortStop() throws {
        let rig = try QueueRig()
        try rig.submit("j", "synthetic:ms=250")
        let worker = try rig.startWorker("w1")
        let other = try rig.startWorker("w2")
        #expect(rig.wait(for: .seconds(20)) { Int(try rig.job("j")["step"] ?? "") ?? 0 >= 2 })
        let owner = try rig.job("j")["worker"] == "w1" ? worker : other
        owner.kill(SIGSTOP)
        Thread.sleep(forTimeInterval: 1.0)
        owner.kill(SIGCONT)
        #expect(rig.waitQuiescent(.seconds(30)), explain([worker, other]))
        #expect(rig.executions()["j"]?.count == 1, explain([worker, other]))
        #expect(try rig.job("j")["attempts"] == "1")
        try rig.checkInvariants()
    }

    @Test("7. kill -9 redis-server mid-run and restart it: nothing acknowledged is lost")
    func scenario7RedisRestart() throws {
        let rig = try QueueRig()
        for n in 0..<20 { try rig.submit("j\(n)", "synthetic:ms=30") }
        let workers = try (1...3).map { try rig.startWorker("w\($0)") }
        #expect(rig.wait(for: .seconds(30)) { try rig.queue.members(of: "done").count >= 4 })
        rig.killRedis()
        Thread.sleep(forTimeInterval: 1)
        try rig.restartRedis()
        // Acknowledged submits survived (AOF always).
        for id in rig.submitted { #expect(try rig.state(id) != nil, "job \(id) lost in the restart") }
        #expect(rig.waitQuiescent(.seconds(60)), explain(workers))
        for id in rig.submitted { #expect(try rig.state(id) == .completed) }
        try rig.checkInvariants()
    }

    @Test("9. SIGSTOP redis-server for twice the lease: workers fence themselves off, jobs re-run, none published twice")
    func scenario9RedisPaused() throws {
        let rig = try QueueRig()
        for n in 0..<4 { try rig.submit("j\(n)", "synthetic:ms=300") }
        let workers = try (1...2).map { try rig.startWorker("w\($0)") }
        #expect(rig.wait(for: .seconds(20)) { try rig.queue.members(of: "active").count == 2 })
        rig.redis.pause()
        Thread.sleep(forTimeInterval: 4)
        rig.redis.resume()
        #expect(rig.waitQuiescent(.seconds(60)), explain(workers))
        #expect(workers.contains { $0.output.contains("fencing off") }, explain(workers))
        for id in rig.submitted { #expect(try rig.state(id) == .completed) }
        try rig.checkInvariants()
    }

    @Test("10. CLIENT KILL of a worker's heartbeat connection: it reconnects and keeps its lease")
    func scenario10HeartbeatConnectionKilled() throws {
        let rig = try QueueRig()
        try rig.submit("j", "synthetic:ms=300")
        let worker = try rig.startWorker("w1")
        #expect(rig.wait(for: .seconds(20)) { Int(try rig.job("j")["step"] ?? "") ?? 0 >= 2 })
        for _ in 0..<3 {
            let clients = try rig.queue.connection.command("CLIENT", "LIST").text ?? ""
            let line = clients.split(separator: "\n").first { $0.contains("name=dumpyard-worker:w1:beat ") }
            if let id = line?.split(separator: " ").first(where: { $0.hasPrefix("id=") })?.dropFirst(3) {
                try rig.queue.connection.command("CLIENT", "KILL", "ID", String(id))
            }
            Thread.sleep(forTimeInterval: 0.3)
        }
        #expect(rig.waitQuiescent(.seconds(30)), explain([worker]))
        #expect(try rig.executions()["j"]?.count == 1 && rig.job("j")["attempts"] == "1", explain([worker]))
        #expect(worker.output.contains("Redis is back"), "the heartbeat connection was reopened")
        try rig.checkInvariants()
    }

    @Test("Two workers started with one id do not run one job twice")
    func duplicateWorkerIds() throws {
        let rig = try QueueRig()
        for n in 0..<3 { try rig.submit("j\(n)", "synthetic:ms=150") }
        let first = try rig.startWorker("twin")
        #expect(rig.wait(for: .seconds(20)) { rig.executions()["j0"] != nil })
        let second = try rig.startWorker("twin")
        #expect(rig.waitQuiescent(.seconds(30)), explain([first, second]))
        #expect(rig.executions().values.allSatisfy { $0.count == 1 }, "\(rig.executions())")
        #expect(second.output.contains("a worker with id twin was seen"), explain([second]))
        try rig.checkInvariants()
    }

    @Test("--concurrency 3 runs three jobs at once in one worker")
    func concurrency() throws {
        let rig = try QueueRig()
        for n in 0..<6 { try rig.submit("j\(n)", "synthetic:ms=150") }
        let worker = try rig.startWorker("w", arguments: ["--concurrency", "3"])
        #expect(rig.wait(for: .seconds(20)) { try rig.queue.members(of: "active").count == 3 }, explain([worker]))
        #expect(rig.waitQuiescent(.seconds(30)), explain([worker]))
        let owners = Set(try rig.submitted.map { try rig.job($0)["worker"] ?? "" })
        #expect(owners == ["w-1", "w-2", "w-3"])
        try rig.checkInvariants()
    }

    @Test("11. Cancel a queued job, a running one, and one whose worker died")
    func scenario11Cancel() throws {
        let rig = try QueueRig()
        try rig.submit("running", "synthetic:ms=1000&child=1")
        try rig.submit("queued", "synthetic:ms=5")
        #expect(try rig.queue.cancel(id: "queued") == .cancelled)
        let worker = try rig.startWorker("w1")
        #expect(rig.wait(for: .seconds(20)) { Int(try rig.job("running")["step"] ?? "") ?? 0 >= 6 })
        #expect(try rig.queue.cancel(id: "running") == .requested)
        let asked = ContinuousClock.now
        #expect(rig.wait(for: .seconds(5)) { try rig.state("running") == .cancelled }, explain([worker]))
        #expect(ContinuousClock.now - asked < .seconds(2), "stopped within a heartbeat and the kill grace")
        #expect(rig.wait(for: .seconds(3)) { try Tool.run("pgrep", ["-f", "^/bin/sleep 600$"]).status != 0 }, "the step's child process was stopped")

        try rig.submit("orphan", "synthetic:ms=1000")
        #expect(rig.wait(for: .seconds(20)) { rig.executions()["orphan"] != nil })
        worker.kill(SIGKILL)
        #expect(try rig.queue.cancel(id: "orphan") == .requested)
        let reaper = try rig.startWorker("reaper")
        #expect(rig.wait(for: .seconds(10)) { try rig.state("orphan") == .cancelled }, explain([worker, reaper]))
        #expect(rig.executions()["queued"] == nil && rig.executions()["orphan"]?.count == 1)
        #expect(rig.pushes().all.isEmpty)
        try rig.checkInvariants()
    }

    @Test("12. A job that always fails, real timings: 4 attempts 2, 4, 8 s apart, then the dead letter")
    func scenario12RetryTimings() throws {
        let rig = try QueueRig()
        rig.timings["DUMPYARD_RETRY_BASE_MS"] = "2000"
        try rig.submit("doomed", "synthetic:ms=1&fail=retryable")
        let worker = try rig.startWorker("w1")
        #expect(rig.waitQuiescent(.seconds(40)), explain([worker]))
        #expect(try rig.state("doomed") == .failed)
        #expect(try rig.job("doomed")["attempts"] == "4")
        #expect(try rig.job("doomed")["last_error"]?.contains("synthetic retryable failure") == true)
        let starts = rig.executions()["doomed"] ?? []
        let gaps = zip(starts.dropFirst(), starts).map { ($0 - $1) / 1000 }
        #expect(gaps.count == 3)
        for (gap, expected) in zip(gaps, [2.0, 4.0, 8.0]) {
            #expect(gap >= expected && gap < expected + 1.5, "retry gap \(gap) s, expected \(expected) s")
        }
        print("scenario 12: retry gaps \(gaps.map { String(format: "%.2f", $0) }.joined(separator: ", ")) s")
        try rig.checkInvariants()
    }

    @Test("12b. A bad-firmware failure is not retried")
    func scenario12FatalFailure() throws {
        let rig = try QueueRig()
        try rig.submit("bad", "synthetic:ms=1&fail=fatal")
        let worker = try rig.startWorker("w1")
        #expect(rig.waitQuiescent(.seconds(20)), explain([worker]))
        #expect(try rig.state("bad") == .failed && rig.job("bad")["attempts"] == "1")
        try rig.checkInvariants()
    }

    @Test("13. SIGTERM: a short grace releases the job (attempt not counted), a long one lets it finish")
    func scenario13GracefulShutdown() throws {
        let rig = try QueueRig()
        try rig.submit("long", "synthetic:ms=1000")
        let short = try rig.startWorker("short", arguments: ["--grace", "0.3"])
        #expect(rig.wait(for: .seconds(20)) { try rig.state("long") == .processing })
        short.kill(SIGTERM)
        let status = try #require(short.wait(timeout: .seconds(10)), explain([short]))
        #expect(status == 0, "exit status 0 after a release")
        #expect(try rig.state("long") == .queued && rig.job("long")["attempts"] == "0")
        #expect(try rig.queue.stats()["released"] == 1)

        try rig.submit("brief", "synthetic:ms=100", priority: 9)
        let patient = try rig.startWorker("patient", arguments: ["--grace", "30"])
        #expect(rig.wait(for: .seconds(20)) { try rig.job("brief")["worker"] == "patient" })
        patient.kill(SIGTERM)
        #expect(patient.wait(timeout: .seconds(20)) == 0, explain([patient]))
        #expect(try rig.state("brief") == .completed)
        #expect(try rig.state("long") == .queued, "a stopping worker claims nothing new")

        let last = try rig.startWorker("last")
        #expect(rig.waitQuiescent(.seconds(30)), explain([short, patient, last]))
        #expect(try rig.job("long")["attempts"] == "1")
        try rig.checkInvariants()
    }

    @Test("13b. The grace time is kept to the quarter second with production heartbeats; a second signal ends it")
    func graceIsKeptAndASecondSignalEndsIt() throws {
        let rig = try QueueRig()
        // A 5 s heartbeat (the default): the grace time must not wait for the next beat.
        let slow = ["DUMPYARD_HEARTBEAT_MS": "5000", "DUMPYARD_SELF_FENCE_MS": "20000", "DUMPYARD_LEASE_MS": "30000"]
        try rig.submit("long", "synthetic:ms=30000")
        let short = try rig.startWorker("short", arguments: ["--grace", "0.5"], environment: slow)
        #expect(rig.wait(for: .seconds(20)) { try rig.state("long") == .processing })
        var signalled = ContinuousClock.now
        short.kill(SIGTERM)
        #expect(try #require(short.wait(timeout: .seconds(10)), explain([short])) == 0)
        let graceful = ContinuousClock.now - signalled
        #expect(graceful < .milliseconds(2500), "stopped \(graceful) after SIGTERM with a 0.5 s grace")
        #expect(try rig.state("long") == .queued && rig.job("long")["attempts"] == "0")
        #expect(short.output.contains("grace time is over"), "\(short.output)")

        let patient = try rig.startWorker("patient", arguments: ["--grace", "60"], environment: slow)
        #expect(rig.wait(for: .seconds(20)) { try rig.job("long")["worker"] == "patient" && rig.state("long") == .processing })
        patient.kill(SIGTERM)
        Thread.sleep(forTimeInterval: 0.3)
        signalled = ContinuousClock.now
        patient.kill(SIGTERM)
        #expect(try #require(patient.wait(timeout: .seconds(10)), explain([patient])) == 0)
        let forced = ContinuousClock.now - signalled
        #expect(forced < .milliseconds(2500), "stopped \(forced) after the second signal")
        #expect(try rig.state("long") == .queued && rig.job("long")["attempts"] == "0")
        #expect(try rig.queue.stats()["released"] == 2)
        try rig.checkInvariants()
    }

    @Test("A job that leaves a process behind still ends, and the process is stopped")
    func leftoverProcessIsStopped() throws {
        let rig = try QueueRig()
        try rig.submit("messy", "synthetic:ms=5&child=1")
        let worker = try rig.startWorker("w1")
        #expect(rig.waitQuiescent(.seconds(20)), explain([worker]))
        #expect(try rig.state("messy") == .completed)
        #expect(rig.wait(for: .seconds(3)) { try Tool.run("pgrep", ["-f", "^/bin/sleep 600$"]).status != 0 }, "the leftover sleep was stopped")
        try rig.checkInvariants()
    }

    @Test("14. The same id submitted again after a lost reply is one job")
    func scenario14DuplicateSubmit() throws {
        let rig = try QueueRig()
        #expect(try rig.submit("once", "synthetic:ms=5") == .queued)
        #expect(try rig.submit("once", "synthetic:ms=5") == .exists(.queued))
        let worker = try rig.startWorker("w1")
        #expect(rig.waitQuiescent(.seconds(20)), explain([worker]))
        #expect(try rig.submit("once", "synthetic:ms=5") == .exists(.completed))
        #expect(rig.executions()["once"]?.count == 1)
        try rig.checkInvariants()
    }
}
