internal import DumpCore
internal import Foundation
internal import JobQueue

/// Follows the queue's event stream and turns each step and state change of a job the bot shows
/// into an edit of its status message, through the outbox (in order: one sequence per message).
/// Followed jobs are also re-read every few seconds (elapsed time, progress within a step, and
/// anything an event did not say). At the end: the final edit, the failure document, the channel
/// post. The cursor lives in Redis, so a restarted bot resumes where it stopped.
final class StatusFollower: @unchecked Sendable {
    private let link: BotLink
    private let settings: BotSettings
    private let log: WorkerLog
    private let stopped: @Sendable () -> Bool
    /// The text last queued for each job (no edit when nothing changed).
    private var shown: [String: String] = [:]
    /// The furthest step each job's message showed: it never goes back (an event read late, or a
    /// refresh that saw the job ahead of the events, cannot undo a step).
    private var shownStep: [String: Int] = [:]

    init(link: BotLink, settings: BotSettings, log: WorkerLog, stopped: @escaping @Sendable () -> Bool) {
        self.link = link
        self.settings = settings
        self.log = log
        self.stopped = stopped
    }

    /// The last event read (a stream id: Redis milliseconds, then a counter).
    private var cursor: String?

    func run() {
        var lastRefresh = ContinuousClock.now - settings.refresh
        while !stopped() {
            if cursor == nil {
                cursor = link.attempt("event cursor") { redis throws(QueueError) -> String in
                    if let stored = try redis.store.get("value", "cursor") { return stored }
                    return try redis.queue.newestEventID()
                }
                if cursor == nil {
                    link.backOff()
                    continue
                }
            }
            let events = link.attempt("events", interrupted: stopped) { redis throws(QueueError) in
                try redis.queue.events(after: cursor ?? "0-0", count: 200, block: .seconds(1))
            }
            guard let events else {
                link.backOff()
                continue
            }
            if !events.isEmpty {
                let followed = Set(link.attempt("followed jobs") { redis throws(QueueError) in try redis.store.followed() } ?? [])
                for event in events where followed.contains(event.job) { handle(event) }
                cursor = events.last?.id
                _ = link.attempt("event cursor") { redis throws(QueueError) in try redis.store.put("value", "cursor", cursor ?? "0-0") }
            }
            if ContinuousClock.now - lastRefresh >= settings.refresh {
                lastRefresh = .now
                refreshAll()
            }
        }
    }

    /// Re-reads every followed job now (also at start, to catch up on what happened meanwhile).
    func refreshAll() {
        guard let jobs = link.attempt("followed jobs", { redis throws(QueueError) in try redis.store.followed() }) else { return }
        for job in jobs { update(job, step: nil, state: nil, historyLine: nil) }
    }

    private func handle(_ event: QueueEvent) {
        let line: String
        if let step = event.step {
            line = "step \(step)/10 " + (DumpStep(rawValue: step)?.description ?? "")
        } else {
            line = (event.state?.rawValue.lowercased() ?? "event") + (event.info.isEmpty ? "" : ": " + event.info)
        }
        if event.state == .queued || event.state == .retrying { shownStep[event.job] = nil }  // a new attempt starts from step 1
        update(event.job, step: event.step ?? (event.state == .processing ? shownStep[event.job] ?? 1 : nil), state: event.state, historyLine: line)
    }

    /// `step`, `state`: an event's (the step to show, the state it announces), nil for what the
    /// job's record says (a refresh). A message never shows a step before one it showed. An event
    /// read after the job ended (the bot was behind, or away) still shows its step, running: the
    /// end is shown for the job's final event, or by a refresh.
    private func update(_ job: String, step eventStep: Int?, state eventState: JobState?, historyLine: String?) {
        let read = link.attempt("job \(job)") { redis throws(QueueError) -> (StatusRecord?, [String: String]?, Int64, Int64)? in
            // Finished since the batch of events was read: its end was handled once already.
            guard let since = try redis.store.followedSince(job) else { return nil }
            let record = try redis.store.get(StatusRecord.kind, job).flatMap { JobEvent.decode(StatusRecord.self, from: $0) }
            let now = try redis.store.now()
            if let historyLine {
                let time = Date(timeIntervalSince1970: Double(now) / 1000).formatted(.iso8601.time(includingFractionalSeconds: false))
                try redis.store.appendHistory(job, time + " " + historyLine)
            }
            return (record, try redis.queue.job(id: job), now, since)
        }
        guard let (record, fields, now, since) = read ?? nil else { return }
        guard let record, let fields else {
            // The job or its record is gone (expired, or never submitted): nothing left to show.
            // One followed a moment ago may be in the middle of being queued.
            guard now - since > 60_000 else { return }
            _ = link.attempt("unfollow \(job)") { redis throws(QueueError) in try redis.store.unfollow(job) }
            shown[job] = nil
            return
        }
        let furthest = shownStep[job] ?? 0
        let current = fields["state"].flatMap(JobState.init(rawValue:))
        if let eventStep, eventStep < furthest, current == .processing || current?.isFinal == true { return }
        let step = eventStep ?? shownStep[job]
        if eventStep == nil, eventState == nil, current?.isFinal == true, let finished = Int64(fields["finished"] ?? ""),
            let read = cursor.flatMap({ Int64($0.prefix { $0 != "-" }) }), finished >= read, now - finished < 60_000
        {
            return  // ended after the last event read: its steps and its end come with the events
        }
        var view = JobStatusReading.view(job: job, record: record, fields: fields, now: now, step: step)
        if eventStep != nil || eventState != nil, current?.isFinal == true, eventState != current {
            guard eventState != .queued && eventState != .retrying else { return }  // nothing new to show
            view = JobStatusReading.running(view, step: max(eventStep ?? furthest, 1))
        }
        if view.phase == .running { shownStep[job] = max(furthest, view.step) }
        queueEdit(job, record, view.html)
        if view.phase.isFinal {
            finish(job, record, fields, view)
            shownStep[job] = nil
        }
    }

    private func queueEdit(_ job: String, _ record: StatusRecord, _ html: String) {
        guard shown[job] != html, let statusMessage = record.statusMessage else { return }
        let message = BotMessage.edit(chat: record.chat, message: statusMessage, html: html, job: job)
        let queued: Void? = link.attempt("status edit of job \(job)") { redis throws(QueueError) in
            let item = try redis.outbox.enqueue(message.encoded, priority: .normal, target: message.target)
            try redis.store.put("latest", message.target ?? "", "\(item.sequence)\n" + String(decoding: message.encoded, as: UTF8.self), ttl: .seconds(15 * 86400))
        }
        if queued != nil { shown[job] = html }
    }

    /// The end of a job: its failure document (for a failure), its channel post (for a new public
    /// dump), and no more following.
    private func finish(_ job: String, _ record: StatusRecord, _ fields: [String: String], _ view: JobStatusView) {
        var extra: [(BotMessage, OutboxPriority)] = []
        if record.statusMessage == nil {
            // No status message to edit: the end is told in a message of its own.
            extra.append((.send(chat: record.chat, html: view.html), .high))
        }
        let request = fields["payload"].flatMap { try? JSONDecoder().decode(JobRequest.self, from: Data($0.utf8)) }
        let options = record.dumpOptions
        if view.phase == .failed {
            let history = link.attempt("history of job \(job)") { redis throws(QueueError) in try redis.store.history(job) } ?? []
            let text = BotTexts.failureLog(
                job: job, url: options.isPrivate ? nil : request?.displayURL, worker: view.worker, started: Self.time(fields["created"]),
                failed: Self.time(fields["finished"]), history: history, error: view.error ?? "", step: view.step)
            extra.append((BotMessage(
                kind: .document, chat: record.chat, text: "Failure log of job <code>\(TelegramHTML.escaped(job))</code>", replyTo: record.statusMessage,
                fileName: "dump_failure_\(job.prefix(12)).txt", document: Data(text.utf8).base64EncodedString(), job: job), .normal))
        }
        if view.phase == .completed, let channel = settings.channel, !options.isPrivate,
            let result = fields["result"].flatMap({ JobEvent.decode(JobRecord.self, from: $0) }), result.status != "already_dumped"
        {
            // The link as shown leads to the host the whitelist was asked about.
            let link = options.blacklist || request.map({ settings.whitelist.allows($0.url) }) != true ? nil : request?.shownLink
            let post = BotTexts.channelPost(
                brand: result.brand, codename: result.codename, release: result.release ?? "", fingerprint: result.fingerprint ?? "",
                platform: result.platform ?? "", repository: JobStatusReading.webLink(result.repository, branch: result.branch), firmwareURL: link)
            extra.append((BotMessage(kind: .channel, chat: 0, text: post, channel: channel, job: job), .low))
        }
        let done: Void? = link.attempt("end of job \(job)") { redis throws(QueueError) in
            // The document and the post go out at most once per end of the job (a retried job ends
            // again later), even when a crash comes before the unfollow below.
            if try redis.store.add("ended", job + ":" + (fields["finished"] ?? ""), "1", ttl: .seconds(15 * 86400)) {
                for (message, priority) in extra { try redis.outbox.enqueue(message.encoded, priority: priority) }
            }
            if let key = record.urlKey, try redis.store.get("active", key) == job { try redis.store.delete("active", key) }
            try redis.store.unfollow(job)
        }
        if done != nil {
            shown[job] = nil
            log("job \(job): \(view.phase.rawValue); status message final")
        }
    }

    private static func time(_ milliseconds: String?) -> String {
        guard let value = milliseconds.flatMap(Double.init) else { return "unknown" }
        return Date(timeIntervalSince1970: value / 1000).formatted(.iso8601)
    }
}
