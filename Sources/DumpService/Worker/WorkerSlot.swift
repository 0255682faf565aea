internal import DumpCore
internal import Download
internal import Foundation
internal import JobQueue
internal import Publishing
internal import Redis
internal import Synchronization

/// One of a worker's `--concurrency` lanes: claims a job, runs it in its own process while a
/// heartbeat renews the lease, publishes under the fence, and settles the job in the queue —
/// then the next one, until the worker shuts down.
final class WorkerSlot: Sendable {
    let id: String
    private let settings: WorkerSettings
    private let configuration: DumpConfiguration
    private let executable: String
    private let shutdown: Shutdown
    private let log: WorkerLog
    private let link: QueueLink
    private let beatLink: QueueLink
    /// True while the slot waits for work: only then may shutdown interrupt its connection.
    private let waiting = Mutex(false)

    init(id: String, settings: WorkerSettings, configuration: DumpConfiguration, endpoint: RedisEndpoint, executable: String, shutdown: Shutdown) {
        self.id = id
        self.settings = settings
        self.configuration = configuration
        self.executable = executable
        self.shutdown = shutdown
        log = WorkerLog(worker: id)
        link = QueueLink(
            endpoint: endpoint, prefix: configuration.redisKeyPrefix, name: "dumpyard-worker:\(id)", commandTimeout: .seconds(5),
            retryBaseMilliseconds: settings.retryBaseMilliseconds, log: log)
        let beatTimeout = min(max(settings.heartbeat * 2, .milliseconds(250)), .seconds(5))
        beatLink = QueueLink(
            endpoint: endpoint, prefix: configuration.redisKeyPrefix, name: "dumpyard-worker:\(id):beat", commandTimeout: beatTimeout,
            retryBaseMilliseconds: settings.retryBaseMilliseconds, log: log)
    }

    /// Claims and runs jobs until shutdown.
    func run() {
        while !shutdown.isRequested {
            guard let outcome = link.attempt("claim", { queue throws(QueueError) in try queue.claim(worker: id, lease: settings.lease) }) else {
                link.backOff()
                continue
            }
            switch outcome {
            case .job(let job): execute(job)
            case .empty(let retryIn): idle(upTo: min(retryIn ?? .seconds(1), .seconds(1)))
            }
        }
        _ = link.attempt("leaving") { queue throws(QueueError) in try queue.forget(worker: id) }
    }

    /// Ends an idle wait at once (shutdown).
    func interruptWait() {
        waiting.withLock { if $0 { link.interrupt() } }
    }

    private func idle(upTo timeout: Duration) {
        waiting.withLock { $0 = true }
        if !shutdown.isRequested {
            _ = link.attempt("wait", interrupted: { shutdown.isRequested }) { queue throws(QueueError) in
                try queue.awaitWork(upTo: timeout)
            }
        }
        waiting.withLock { $0 = false }
    }

    // MARK: - One job

    private func execute(_ job: ClaimedJob) {
        let run = JobRun(job: job, killGrace: settings.killGrace)
        guard let request = try? JSONDecoder().decode(JobRequest.self, from: Data(job.payload)) else {
            log("job \(job.id): its payload is not a job request; failing it")
            settle(run, failure: JobFailureReport(step: 1, message: "validate failed: the job's payload is not a job request", retryable: false))
            return
        }
        log("job \(job.id): claimed (attempt \(job.attempts), fence \(job.fence)): \(request.displayURL)")
        let urlKey = SourceKey.key(request.url)
        if !request.force, let urlKey, let record = knownDump(urlKey: urlKey, digest: nil) {
            log("job \(job.id): this URL was dumped before; nothing to download")
            run.stop(.alreadyDumped(record))
            settle(run, failure: nil)
            return
        }
        let heartbeat = JobHeartbeat(run: run, link: beatLink, settings: settings, shutdown: shutdown, log: log)
        defer { heartbeat.end() }
        var result: JobResult?
        var failure: JobFailureReport?
        var termination: JobProcess.Termination?
        do {
            let directory = try JobWorkDirectory(base: configuration.workDirectoryBase, job: job.id)
            defer { directory.remove() }
            var environment = ProcessInfo.processInfo.environment
            environment["WORK_DIR_BASE"] = directory.path
            environment["DUMPYARD_JOB_ID"] = job.id
            let process = try JobProcess(
                executable: executable, arguments: ["run-job", "--out", settings.outputDirectory], environment: environment,
                request: job.payload)
            run.attach(process)
            var lastStep = 0
            process.readEvents { event in
                if let step = event.step {
                    // A private job's details (file and member names) lose every trace of its source.
                    run.report(step: step, fraction: event.fraction ?? 0, detail: request.redacting(event.detail ?? ""))
                    if step != lastStep {
                        lastStep = step
                        crash(at: "step\(step)")
                    }
                }
                if let device = event.device { run.state.withLock { $0.device = device } }
                if let value = event.result { result = value }
                if let value = event.error { failure = value }
                if let digest = event.digest, !request.force, let record = knownDump(urlKey: nil, digest: digest) {
                    log("job \(job.id): these firmware bytes were dumped before; stopping it")
                    run.stop(.alreadyDumped(record))
                }
            }
            termination = process.finish()
        } catch {
            failure = JobFailureReport(step: run.state.withLock { $0.step }, message: "the worker could not run the job: \(error)", retryable: true)
        }
        if run.stopReason == nil, failure == nil, result == nil {
            let step = run.state.withLock { $0.step }
            let name = DumpStep(rawValue: step)?.description ?? "step \(step)"
            failure = JobFailureReport(
                step: step, message: "\(name) failed: the job's process ended without a result (\(termination?.description ?? "not started"))",
                retryable: true)
        }
        if var failure {
            failure.message = request.redacting(failure.message)
            settle(run, failure: failure)
        } else if let result, run.stopReason == nil {
            publish(run, result, force: request.force, urlKey: urlKey)
        } else {
            settle(run, failure: nil)
        }
    }

    /// Step 9 under the fence, step 10, then COMPLETED (reference/queue.md §3.9).
    private func publish(_ run: JobRun, _ result: JobResult, force: Bool, urlKey: String?) {
        let job = run.job
        run.report(step: DumpStep.publish.rawValue, fraction: 0, detail: result.branch)
        crash(at: "before_publish")
        let deadline = ContinuousClock.now + settings.lease
        guard let intent = link.persist("publish of job \(job.id)", until: deadline, { queue throws(QueueError) in try queue.beginPublish(job) }) else {
            log("job \(job.id): Redis unreachable before publishing; publishing nothing (the job is retried)")
            return
        }
        let record: String
        switch intent {
        case .stale(let state):
            log("job \(job.id): lost before publishing (now \(state?.rawValue ?? "unknown")); publishing nothing")
            return
        case .alreadyPublished(let recorded):
            log("job \(job.id): an earlier attempt published it; not pushing again")
            record = recorded
        case .begin(let startedBefore):
            // The fence holds and a beat got through lately: the lease outlives the push.
            guard run.stopReason == nil, ContinuousClock.now - run.state.withLock({ $0.lastRenewal }) < settings.selfFence else {
                log("job \(job.id): no recent heartbeat; publishing nothing")
                return
            }
            let status: String
            let location: String
            do {
                var publisher = JobPublisher(testLogDirectory: settings.testHooks ? ProcessInfo.processInfo.environment["DUMPYARD_TEST_LOG_DIR"] : nil)
                if let gitLab = settings.gitLab { publisher.gitLab = try GitLabPublication(settings: gitLab, configuration: configuration) }
                (status, location) = try publisher.publish(result, job: job.id, force: force)
            } catch {
                // A refusal (another build on the branch, bad credentials) is final; an outage is retried.
                let retryable = !(error is PublishingError)
                settle(run, failure: JobFailureReport(step: DumpStep.publish.rawValue, message: "publish failed: \(error)", retryable: retryable))
                return
            }
            if startedBefore { log("job \(job.id): an earlier attempt began publishing; the push found \(status == "already_dumped" ? "it done" : "it undone")") }
            crash(at: "after_publish")
            record = JobEvent.encode(JobRecord(
                status: status, repository: location, branch: result.branch, commit: result.commit, brand: result.brand,
                codename: result.codename, files: result.files, digest: result.digest, fingerprint: result.fingerprint, release: result.release,
                platform: result.platform))
            guard link.persist("publish record of job \(job.id)", until: deadline, { queue throws(QueueError) in try queue.finishPublish(job, result: record) }) != nil else {
                log("job \(job.id): published, but Redis is unreachable to record it; a retry will find the branch in place")
                return
            }
        }
        crash(at: "before_complete")
        // Step 10 nudges a beat that races the completion below: its "no longer held" is no news.
        run.state.withLock { $0.settling = true }
        run.report(step: DumpStep.notify.rawValue, fraction: 1, detail: "done")
        let outcome = link.persist("completion of job \(job.id)", until: deadline) { queue throws(QueueError) in try queue.complete(job, result: record) }
        log("job \(job.id): " + (outcome.map { Self.describe($0, done: "completed") } ?? "Redis unreachable to complete it; a retry will find it published"))
        if outcome == .done || outcome == .alreadyDone {
            remember(record, job: job.id, urlKey: urlKey, digest: result.digest)
        }
    }

    /// The dump recorded for this URL or these bytes, as this job's record ("already dumped").
    private func knownDump(urlKey: String?, digest: String?) -> String? {
        guard let found = link.attempt("lookup", { queue throws(QueueError) in try queue.dump(urlKey: urlKey, digest: digest) }) ?? nil,
            var record = JobEvent.decode(JobRecord.self, from: found)
        else { return nil }
        record.status = "already_dumped"
        return JobEvent.encode(record)
    }

    /// Indexes a finished dump by its source URL and its bytes.
    private func remember(_ record: String, job: String, urlKey: String?, digest: String?) {
        guard var decoded = JobEvent.decode(JobRecord.self, from: record) else { return }
        decoded.dumpedBy = decoded.dumpedBy ?? job
        let indexed = JobEvent.encode(decoded)
        // A job that found its build already dumped (a forced job that changed nothing) fills gaps
        // in the index but does not replace the job that dumped it.
        let keepExisting = decoded.status == "already_dumped"
        _ = link.attempt("index") { queue throws(QueueError) in
            try queue.remember(dump: indexed, urlKey: urlKey, digest: digest, keepExisting: keepExisting)
        }
    }

    /// Puts the job where it belongs after a failure or a stop; nothing is published.
    private func settle(_ run: JobRun, failure: JobFailureReport?) {
        let job = run.job
        let deadline = ContinuousClock.now + settings.lease
        switch run.stopReason {
        case .lost?:
            return  // Another worker owns it: nothing to record.
        case .fenced?:
            // The fence may still hold if Redis only paused: count the attempt, else the reaper does.
            let outcome = link.attempt("fail of job \(job.id)") { queue throws(QueueError) in
                try queue.fail(job, error: "the worker lost contact with Redis", retryable: true)
            }
            log("job \(job.id): fenced off; " + (outcome.map { Self.describe($0, done: "failed") } ?? "left for the reaper"))
        case .cancel?:
            let outcome = link.persist("cancel of job \(job.id)", until: deadline) { queue throws(QueueError) in try queue.finishCancelled(job) }
            log("job \(job.id): " + (outcome.map { Self.describe($0, done: "cancelled") } ?? "stopped; Redis unreachable to record the cancel"))
        case .alreadyDumped(let record)?:
            let done = link.persist("completion of job \(job.id)", until: deadline) { queue throws(QueueError) -> FinishOutcome in
                if case .stale(let state) = try queue.beginPublish(job) { return .stale(state) }
                _ = try queue.finishPublish(job, result: record)
                return try queue.complete(job, result: record)
            }
            log("job \(job.id): already dumped; " + (done.map { Self.describe($0, done: "completed") } ?? "Redis unreachable to complete it"))
        case .shutdown?:
            let outcome = link.persist("release of job \(job.id)", until: deadline) { queue throws(QueueError) in try queue.release(job) }
            log("job \(job.id): " + (outcome.map { Self.describe($0, done: "released to the queue") } ?? "Redis unreachable to release it; the reaper will"))
        case nil:
            guard let failure else { return }
            let outcome = link.persist("fail of job \(job.id)", until: deadline) { queue throws(QueueError) in
                try queue.fail(job, error: failure.message, retryable: failure.retryable)
            }
            log("job \(job.id): \(failure.message); " + (outcome.map { Self.describe($0, done: "failed") } ?? "Redis unreachable to record it"))
        }
    }

    private static func describe(_ outcome: FinishOutcome, done: String) -> String {
        switch outcome {
        case .done: done
        case .alreadyDone: "\(done) (recorded before)"
        case .failed: "failed for good (dead letter)"
        case .cancelled: "cancelled (its cancel was asked for)"
        case .retrying(let after): "retrying in \(String(format: "%.1f", after.seconds)) s"
        case .stale(let state): "not recorded: another owner has it (\(state?.rawValue ?? "unknown"))"
        }
    }

    /// The crash points of the fault-injection tests: the worker dies here with SIGKILL.
    private func crash(at point: String) {
        guard settings.testHooks, settings.crashPoint == point else { return }
        log("crash point \(point): SIGKILL")
        kill(getpid(), SIGKILL)
    }
}
