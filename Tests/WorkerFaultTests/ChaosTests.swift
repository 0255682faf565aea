import DumpTestSupport
import Foundation
import JobQueue
import Redis
import Synchronization
import Testing

/// Scenario 15 of reference/queue.md §5.2: 200 short jobs, 4 workers, a random kill -9 or SIGSTOP
/// every 0.5–2 s, one kill -9 and restart of redis-server, a few cancels. Prints the figures of
/// §5.3 and requires lost 0 and duplicate publishes 0. `DUMPYARD_CHAOS_JOBS` and
/// `DUMPYARD_CHAOS_STEP_MS` make a longer soak.
extension WorkerFaultTests {
    @Test("15. Chaos: kills, stops and a Redis restart while 200 jobs run: lost 0, duplicate publishes 0")
    func scenario15Chaos() throws {
        let environment = ProcessInfo.processInfo.environment
        let jobCount = Int(environment["DUMPYARD_CHAOS_JOBS"] ?? "") ?? 200
        let stepMilliseconds = Int(environment["DUMPYARD_CHAOS_STEP_MS"] ?? "") ?? 100
        let rig = try QueueRig()
        let started = ContinuousClock.now
        for n in 0..<jobCount { try rig.submit("c\(n)", "synthetic:ms=\(stepMilliseconds)") }
        var workers: [String: WorkerProcess] = [:]
        var all: [WorkerProcess] = []
        for n in 1...4 {
            let worker = try rig.startWorker("w\(n)")
            workers["w\(n)"] = worker
            all.append(worker)
        }
        let monitor = ChaosMonitor(url: rig.redis.url(), prefix: rig.prefix)
        var generator = SystemRandomNumberGenerator()
        var kills = 0, stops = 0, redisRestarts = 0, cancels = 0
        var pending: [(job: String, at: Double)] = []
        var recoveries: [Double] = []
        let deadline = ContinuousClock.now + .seconds(240)
        func now() -> Double { Date().timeIntervalSince1970 * 1000 }

        while ContinuousClock.now < deadline {
            let finished = try rig.queue.members(of: "done").count + rig.queue.members(of: "failed").count
            if finished == jobCount { break }
            Thread.sleep(forTimeInterval: Double.random(in: 0.5...2.0, using: &generator))
            // Recovery: a killed worker's job running again (an execution after the kill) or ended.
            let executions = rig.executions()
            pending.removeAll { item in
                let ended = [.completed, .failed, .cancelled].contains((try? rig.state(item.job)) ?? nil)
                let rerun = executions[item.job]?.contains { $0 > item.at } == true
                if ended || rerun { recoveries.append((now() - item.at) / 1000) }
                return ended || rerun
            }
            if redisRestarts == 0 && finished >= jobCount / 3 {
                rig.killRedis()
                Thread.sleep(forTimeInterval: 0.5)
                try rig.restartRedis()
                monitor.reconnect(url: rig.redis.url())
                redisRestarts += 1
                continue
            }
            if cancels < 5 && Int.random(in: 0..<6, using: &generator) == 0 {
                _ = try? rig.queue.cancel(id: "c\(Int.random(in: 0..<jobCount, using: &generator))")
                cancels += 1
            }
            let name = "w\(Int.random(in: 1...4, using: &generator))"
            guard let victim = workers[name] else { continue }
            let held = try heldJob(rig, worker: name)
            if Bool.random(using: &generator) {
                victim.kill(SIGKILL)
                _ = victim.wait(timeout: .seconds(5))
                kills += 1
                if let held { pending.append((held, now())) }
                Thread.sleep(forTimeInterval: Double.random(in: 0.1...0.8, using: &generator))
                // Restarted under the same id, as systemd restarts dumpyard-worker@N.
                let fresh = try rig.startWorker(name)
                workers[name] = fresh
                all.append(fresh)
            } else {
                victim.kill(SIGSTOP)
                stops += 1
                Thread.sleep(forTimeInterval: Double.random(in: 0.3...3.0, using: &generator))
                victim.kill(SIGCONT)
            }
        }
        let quiet = rig.waitQuiescent(.seconds(60))
        monitor.stop()
        let wall = (ContinuousClock.now - started)
        #expect(quiet, Comment(rawValue: all.suffix(4).map { String($0.output.suffix(2000)) }.joined(separator: "\n---\n")))

        let queue = try rig.queue
        let stats = try queue.stats()
        var states: [JobState: Int] = [:]
        for id in rig.submitted { if let state = try rig.state(id) { states[state, default: 0] += 1 } }
        let terminal = states[.completed, default: 0] + states[.failed, default: 0] + states[.cancelled, default: 0]
        let lost = jobCount - terminal
        let pushes = rig.pushes()
        let duplicatePublishes = pushes.changed.values.filter { $0 > 1 }.count
        let duplicateExecutions = rig.executions().values.filter { $0.count > 1 }.count
        let sorted = recoveries.sorted()
        let p95 = sorted.isEmpty ? 0 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * 0.95))]
        print("""
            scenario 15 (chaos) figures:
              jobs submitted \(jobCount), completed \(states[.completed, default: 0]), failed (dead letter) \(states[.failed, default: 0]), cancelled \(states[.cancelled, default: 0])
              lost \(lost), duplicate publishes \(duplicatePublishes), duplicate executions \(duplicateExecutions), pushes repeated and absorbed \(pushes.all.values.reduce(0, +) - pushes.changed.values.reduce(0, +))
              lease expiries \(stats["lease_expired"] ?? 0), fence rejections \(stats["fence_rejected"] ?? 0), releases \(stats["released"] ?? 0), retries \(stats["retried"] ?? 0), publish dedup \(stats["publish_dedup"] ?? 0)
              worker kills \(kills), worker stops \(stops), Redis restarts \(redisRestarts), cancels asked \(cancels)
              recovery (kill → running elsewhere or ended): max \(String(format: "%.2f", sorted.last ?? 0)) s, p95 \(String(format: "%.2f", p95)) s over \(sorted.count)
              peak Redis used_memory \(monitor.peakMemory / 1024) KiB, wall time \(String(format: "%.1f", wall.seconds)) s
            """)
        #expect(lost == 0)
        #expect(duplicatePublishes == 0)
        let unpublished = try rig.submitted.filter { try rig.state($0) == .completed && pushes.changed[$0] != 1 }
        #expect(unpublished.isEmpty, "completed but never published: \(unpublished)")
        #expect(redisRestarts == 1 && kills > 0)
        try rig.checkInvariants()
    }

    /// The job `worker` holds now, if any.
    func heldJob(_ rig: QueueRig, worker: String) throws -> String? {
        try rig.queue.connection.command("HGET", rig.prefix + "worker:" + worker, "job").text
    }
}

/// Samples Redis's `used_memory` every 100 ms on a connection of its own.
final class ChaosMonitor: @unchecked Sendable {
    private let state = Mutex<(url: String, peak: Int, running: Bool)>(("", 0, true))

    init(url: String, prefix: String) {
        state.withLock { $0.url = url }
        Thread.detachNewThread { [self] in
            var connection: RedisConnection?
            var current = ""
            while state.withLock({ $0.running }) {
                let url = state.withLock { $0.url }
                if url != current || connection?.isBroken != false {
                    connection = try? RedisConnection(try RedisEndpoint(url: url), commandTimeout: .seconds(1))
                    current = url
                }
                if case .string(let bytes)? = try? connection?.command("INFO", "memory") {
                    let text = String(decoding: bytes, as: UTF8.self)
                    if let line = text.split(separator: "\r\n").first(where: { $0.hasPrefix("used_memory:") }),
                        let value = Int(line.dropFirst("used_memory:".count))
                    {
                        state.withLock { $0.peak = max($0.peak, value) }
                    }
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
    }

    func reconnect(url: String) { state.withLock { $0.url = url } }
    func stop() { state.withLock { $0.running = false } }
    var peakMemory: Int { state.withLock { $0.peak } }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
