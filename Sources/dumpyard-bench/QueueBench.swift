// The job queue benchmark (issue 5), run by scripts/bench-queue.sh against its own redis-server:
//   queue-submit <redis-url> <prefix> <count> [--wait]            submit no-op jobs bench-0…, 100 per round trip
//   queue-worker <redis-url> <prefix> <worker-id> <expected-total> [samples-file]
//   queue-latency <redis-url> <prefix> <n>                         submit→claimed wake-up latency
//   queue-wait <redis-url> <prefix> <count>                         time until `count` jobs are completed
// Each prints one JSON line. The queue is used through JobQueue's public API only.
import Foundation
import JobQueue
import Redis

enum QueueBench {
    /// The payload of every benchmark job: the workers do nothing with it.
    static let noop = Array("noop".utf8)

    /// Runs `queue-*` (arguments without the program name) and exits.
    static func run(_ arguments: [String]) -> Never {
        do {
            switch arguments.first {
            case "queue-submit" where arguments.count >= 4:
                try submit(url: arguments[1], prefix: arguments[2], count: count(arguments[3]), wait: arguments.dropFirst(4).contains("--wait"))
            case "queue-worker" where arguments.count >= 5:
                try worker(url: arguments[1], prefix: arguments[2], id: arguments[3], expected: count(arguments[4]), samples: arguments.count > 5 ? arguments[5] : nil)
            case "queue-latency" where arguments.count >= 4:
                try latency(url: arguments[1], prefix: arguments[2], count: count(arguments[3]))
            case "queue-wait" where arguments.count >= 4:
                try waitOnly(url: arguments[1], prefix: arguments[2], count: count(arguments[3]))
            default:
                fail("usage: dumpyard-bench queue-submit <url> <prefix> <count> [--wait] | queue-worker <url> <prefix> <id> <expected-total> [samples-file] | queue-latency <url> <prefix> <n> | queue-wait <url> <prefix> <count>")
            }
        } catch {
            fail("dumpyard-bench \(arguments.first ?? ""): \(error)")
        }
        exit(0)
    }

    // MARK: - Subcommands

    /// Submits `count` jobs in batches of 100; with `wait`, also waits until all are completed and
    /// reports jobs/s from the first submit to the last completion.
    static func submit(url: String, prefix: String, count: Int, wait: Bool) throws {
        let connection = try connect(url, name: "bench-submit")
        let queue = JobQueue(connection: connection, prefix: prefix)
        let start = ContinuousClock.now
        // Batches of 100 in one round trip each: Redis syncs its AOF once per batch.
        for start in stride(from: 0, to: count, by: 100) {
            let batch = (start..<min(start + 100, count)).map { JobSubmission(id: "bench-\($0)", payload: noop) }
            guard try queue.submit(batch: batch).allSatisfy({ $0 == .queued }) else { fail("bench jobs already exist: use a fresh prefix") }
        }
        let submitted = seconds(ContinuousClock.now - start)
        var line = String(format: "{\"submitted\":%d,\"submit_s\":%.3f,\"submit_per_s\":%.0f", count, submitted, Double(count) / submitted)
        if wait {
            let all = try waitCompleted(connection, prefix, count, since: start)
            line += String(format: ",\"all_done_s\":%.3f,\"jobs_per_s\":%.0f", all, Double(count) / all)
        }
        print(line + "}")
    }

    /// Waits until `count` jobs are completed (workers draining a filled queue): jobs/s from now.
    static func waitOnly(url: String, prefix: String, count: Int) throws {
        let start = ContinuousClock.now
        let connection = try connect(url, name: "bench-wait")
        let all = try waitCompleted(connection, prefix, count, since: start)
        print(String(format: "{\"completed\":%d,\"all_done_s\":%.3f,\"jobs_per_s\":%.0f}", count, all, Double(count) / all))
    }

    /// Claims and completes jobs until `expected` are completed; idle, it waits on the wake list.
    /// Every claim's round trip is timed (to `samples`, one millisecond figure a line, if given).
    static func worker(url: String, prefix: String, id: String, expected: Int, samples: String?) throws {
        let connection = try connect(url, name: "bench-\(id)")
        let queue = JobQueue(connection: connection, prefix: prefix)
        var claims: [Double] = []
        var jobs = 0
        var waits = 0
        let start = ContinuousClock.now
        while true {
            let before = ContinuousClock.now
            let outcome = try queue.claim(worker: id, lease: .seconds(30))
            claims.append(seconds(ContinuousClock.now - before) * 1000)
            if case .job(let job) = outcome {
                guard case .done = try queue.complete(job, result: "ok") else { fail("complete \(job.id): not done") }
                jobs += 1
                continue
            }
            // The done set is capped (10,000 ids): the exact count is the `completed` counter.
            if try completed(connection, prefix) >= expected { break }
            if case .error(let message) = try connection.command("BLPOP", prefix + "wake", "1") { fail("BLPOP: \(message)") }
            waits += 1
        }
        if let samples { try claims.map { String(format: "%.4f\n", $0) }.joined().write(toFile: samples, atomically: false, encoding: .utf8) }
        let summary = Summary(claims)
        print("{\"worker\":\"\(id)\"," + String(
            format: "\"jobs\":%d,\"claims\":%d,\"waits\":%d,\"wall_s\":%.3f,\"claim_ms\":{\"p50\":%.3f,\"p99\":%.3f,\"max\":%.3f}}",
            jobs, claims.count, waits, seconds(ContinuousClock.now - start), summary.p50, summary.p99, summary.max))
    }

    /// Submits `count` jobs 20 ms apart to idle workers, waits until all are completed, then reads
    /// each job's `created` and `started` (Redis time, ms): the wake-up latency submit→claimed.
    static func latency(url: String, prefix: String, count: Int) throws {
        let connection = try connect(url, name: "bench-latency")
        let queue = JobQueue(connection: connection, prefix: prefix)
        let ids = (0..<count).map { "lat-\($0)" }
        for id in ids {
            guard case .queued = try queue.submit(id: id, payload: noop) else { fail("\(id) already exists: use a fresh prefix") }
            usleep(20_000)
        }
        let start = ContinuousClock.now
        while try completed(connection, prefix) < count {
            guard seconds(ContinuousClock.now - start) < 60 else { fail("queue-latency: not all jobs completed within 60 s") }
            usleep(10_000)
        }
        let replies = try connection.pipeline(ids.map { [Array("HMGET".utf8), Array((prefix + "job:" + $0).utf8), Array("created".utf8), Array("started".utf8)] })
        let latencies = replies.map { reply -> Double in
            guard case .array(let fields) = reply, fields.count == 2, let created = fields[0].integer, let started = fields[1].integer else {
                fail("queue-latency: a job hash lacks created/started: \(reply)")
            }
            return Double(started - created)
        }
        let summary = Summary(latencies)
        print(String(format: "{\"jobs\":%d,\"wake_ms\":{\"p50\":%.0f,\"p99\":%.0f,\"max\":%.0f}}", count, summary.p50, summary.p99, summary.max))
    }

    // MARK: - Helpers

    /// Nearest-rank percentiles of a sample.
    struct Summary {
        var p50 = 0.0, p99 = 0.0, max = 0.0

        init(_ samples: [Double]) {
            let sorted = samples.sorted()
            guard let last = sorted.last else { return }
            func rank(_ p: Double) -> Double { sorted[Swift.max(0, Int((p * Double(sorted.count)).rounded(.up)) - 1)] }
            p50 = rank(0.5)
            p99 = rank(0.99)
            max = last
        }
    }

    /// Polls the `completed` counter every 2 ms until it reaches `count`; seconds since `start`.
    static func waitCompleted(_ connection: RedisConnection, _ prefix: String, _ count: Int, since start: ContinuousClock.Instant) throws -> Double {
        while try completed(connection, prefix) < count {
            guard seconds(ContinuousClock.now - start) < 600 else { fail("not all jobs completed within 600 s") }
            usleep(2000)
        }
        return seconds(ContinuousClock.now - start)
    }

    static func connect(_ url: String, name: String) throws -> RedisConnection {
        try RedisConnection(try RedisEndpoint(url: url), clientName: name)
    }

    /// The queue's `completed` counter.
    static func completed(_ connection: RedisConnection, _ prefix: String) throws -> Int {
        let reply = try connection.command("HGET", prefix + "stats", "completed")
        return Int(reply.integer ?? 0)
    }

    static func count(_ text: String) -> Int {
        guard let value = Int(text), value > 0 else { fail("not a positive count: \(text)") }
        return value
    }

    static func seconds(_ duration: Duration) -> Double {
        let (whole, attoseconds) = duration.components
        return Double(whole) + Double(attoseconds) / 1e18
    }
}
