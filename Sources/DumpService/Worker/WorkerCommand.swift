internal import Download
internal import DumpCore
internal import Foundation
internal import JobQueue
internal import Redis
internal import Staging

/// `dumpyard worker [worker-id] [--concurrency N] [--out DIR] [--grace SECONDS]`: the daemon that
/// runs queued jobs until SIGTERM or SIGINT (reference/queue.md §3).
enum WorkerCommand {
    static func run(_ arguments: [String], configuration: DumpConfiguration, environment: [String: String]) throws -> Int32 {
        var parsed = try WorkerSettings(arguments: arguments, environment: environment, configuration: configuration)
        // GitLab publishing when GITLAB_URL is set; a half-made setting stops the worker at start.
        if let url = environment["GITLAB_URL"], !url.isEmpty {
            do throws(UsageError) { parsed.gitLab = try GitLabSettings.from(environment) } catch {
                throw CommandLineTool.CommandFailure("worker cannot start: \(error)")
            }
        }
        let settings = parsed
        let endpoint: RedisEndpoint
        do { endpoint = try RedisEndpoint(url: configuration.redisURL) } catch {
            throw CommandLineTool.CommandFailure("REDIS_URL: \(error.description)")
        }
        // A download setting that every job would trip over stops the worker here, not each job
        // (which would move the whole queue into the dead letter).
        do throws(DownloadError) { _ = try DownloadSettings.options(environment) } catch {
            throw CommandLineTool.CommandFailure("worker cannot start: \(error.message)")
        }
        let log = WorkerLog(worker: settings.id)
        blockStopSignals()
        do {
            try Directories.create(settings.outputDirectory)
            try Directories.create(configuration.workDirectoryBase)
        } catch {
            throw CommandLineTool.CommandFailure("worker cannot start: \(error)")
        }
        let swept = JobWorkDirectory.sweep(configuration.workDirectoryBase)
        if swept > 0 { log("removed \(swept) work directories left by stopped workers") }

        let ids = settings.concurrency == 1 ? [settings.id] : (1...settings.concurrency).map { "\(settings.id)-\($0)" }
        try checkRedis(endpoint, ids: ids, settings: settings, configuration: configuration, log: log)
        let shutdown = Shutdown()
        let slots = ids.map {
            WorkerSlot(id: $0, settings: settings, configuration: configuration, endpoint: endpoint, executable: executablePath(), shutdown: shutdown)
        }
        Thread.detachNewThread {
            var signals = sigset_t()
            sigemptyset(&signals)
            sigaddset(&signals, SIGTERM)
            sigaddset(&signals, SIGINT)
            sigaddset(&signals, SIGHUP)
            var received: Int32 = 0
            while sigwait(&signals, &received) == 0 {
                let first = !shutdown.isRequested
                shutdown.request(grace: settings.grace)
                log(first ? "signal \(received): stopping; running jobs have \(Int(settings.grace.seconds)) s to finish" : "signal \(received): stopping now")
                slots.forEach { $0.interruptWait() }
            }
        }
        startReaper(settings: settings, configuration: configuration, endpoint: endpoint, shutdown: shutdown, log: log)
        log("started: \(settings.concurrency) job(s) at once, queue \(endpoint) prefix \(configuration.redisKeyPrefix), dumps in \(settings.outputDirectory)")
        let group = DispatchGroup()
        for slot in slots {
            group.enter()
            Thread.detachNewThread {
                slot.run()
                group.leave()
            }
        }
        group.wait()
        log("stopped")
        return 0
    }

    /// Fails at once on a login Redis refuses or a server that does not speak Redis (a restart
    /// would not help: systemd's start limit should see it); a Redis not up yet is waited for.
    /// Warns when a worker with one of `ids` was seen within a lease: ids must be unique.
    private static func checkRedis(
        _ endpoint: RedisEndpoint, ids: [String], settings: WorkerSettings, configuration: DumpConfiguration, log: WorkerLog
    ) throws {
        let connection: RedisConnection
        do {
            connection = try RedisConnection(endpoint, connectTimeout: .seconds(5), commandTimeout: .seconds(5), clientName: "dumpyard-worker:\(settings.id):start")
        } catch {
            let refused = ["AUTH", "SELECT", "CLIENT SETNAME"].contains(error.operation)
                || ["WRONGPASS", "NOAUTH", "invalid password", "Protocol error", "NOPERM"].contains { error.message.contains($0) }
            if refused {
                throw CommandLineTool.CommandFailure("worker cannot start: \(error)")
            }
            log("Redis is not reachable yet (\(error)); waiting for it")
            return
        }
        for id in ids {
            let key = configuration.redisKeyPrefix + "worker:" + id
            guard let seen = try? connection.command("HGET", key, "seen").text.flatMap(Int64.init),
                let time = try? connection.command("TIME"), case .array(let parts) = time, parts.count == 2,
                let seconds = parts[0].integer
            else { continue }
            let age = seconds * 1000 + (parts[1].integer ?? 0) / 1000 - seen
            if age < settings.lease.milliseconds {
                log("warning: a worker with id \(id) was seen \(age) ms ago: if another process runs with this id, give each a unique id")
            }
        }
    }

    /// Blocks SIGTERM, SIGINT and SIGHUP in every thread (the signal thread takes them with `sigwait`)
    /// and ignores SIGPIPE (a job process or Redis gone must not kill the worker).
    static func blockStopSignals() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGTERM)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGHUP)
        pthread_sigmask(SIG_BLOCK, &set, nil)
        signal(SIGPIPE, SIG_IGN)
    }

    /// Every few seconds, jobs whose lease ran out go back to the queue (or to CANCELLED).
    private static func startReaper(settings: WorkerSettings, configuration: DumpConfiguration, endpoint: RedisEndpoint, shutdown: Shutdown, log: WorkerLog) {
        let link = QueueLink(
            endpoint: endpoint, prefix: configuration.redisKeyPrefix, name: "dumpyard-worker:\(settings.id):reaper", commandTimeout: .seconds(5),
            retryBaseMilliseconds: settings.retryBaseMilliseconds, log: log)
        Thread.detachNewThread {
            while !shutdown.isRequested {
                if let reaped = link.attempt("reap", { queue throws(QueueError) in try queue.reap() }), reaped > 0 {
                    log("took back \(reaped) job(s) whose lease ran out")
                }
                Thread.sleep(forTimeInterval: settings.reapInterval.seconds * Double.random(in: 0.8...1.2))
            }
        }
    }

    /// This program's own file, to start job processes from.
    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let count = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard count > 0 else { return CommandLine.arguments[0] }
        let path = String(decoding: buffer[0..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return path.hasSuffix(" (deleted)") ? String(path.dropLast(" (deleted)".count)) : path
    }
}
