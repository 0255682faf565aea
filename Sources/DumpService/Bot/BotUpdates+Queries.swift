internal import Download
internal import DumpCore
internal import Foundation
internal import JobQueue
internal import Synchronization
internal import Telegram

/// `/status` and `/lookup`: what the queue and GitLab know, for anyone in an allowed chat.
extension BotUpdates {
    func status(_ message: TelegramUpdate.Message, job: String?) {
        let e = TelegramHTML.escaped
        if let job {
            let read = link.attempt("status") { redis throws(QueueError) -> (String?, [String: String]?, Int64) in
                (try redis.store.get(StatusRecord.kind, job), try redis.queue.job(id: job), try redis.store.now())
            }
            guard let (stored, fields, now) = read else { return reply(message, "The job queue cannot be reached right now.") }
            guard let fields else { return reply(message, "No job <code>\(e(job))</code>.") }
            let request = fields["payload"].flatMap { try? JSONDecoder().decode(JobRequest.self, from: Data($0.utf8)) }
            let record = stored.flatMap { JobEvent.decode(StatusRecord.self, from: $0) }
                ?? StatusRecord(
                    chat: 0, message: 0, options: DumpOptions(alt: request?.alt ?? false, force: request?.force ?? false, isPrivate: request?.isPrivate ?? false).letters,
                    requester: 0)
            return reply(message, JobStatusReading.view(job: job, record: record, fields: fields, now: now).html)
        }
        let read = link.attempt("status") { redis throws(QueueError) -> (QueueOverview, [(String, [String: String])], Int) in
            let overview = try redis.queue.overview()
            var active: [(String, [String: String])] = []
            for id in try redis.store.followed().reversed() where active.count < 5 {
                if let fields = try redis.queue.job(id: id) { active.append((id, fields)) }
            }
            return (overview, active, try redis.outbox.counts().dead)
        }
        guard let (overview, active, dead) = read else { return reply(message, "The job queue cannot be reached right now.") }
        var lines = ["<b>Queue</b>: \(overview.queued) queued · \(overview.running) running · \(overview.retrying) retrying · \(overview.failed) failed"]
        if !overview.workers.isEmpty {
            lines.append("<b>Workers</b>: " + overview.workers.prefix(10).map { worker in
                e(worker.id) + (worker.job.map { " (job <code>\(e($0))</code>)" } ?? " (idle)")
            }.joined(separator: ", "))
        } else {
            lines.append("<b>Workers</b>: none seen lately")
        }
        if !active.isEmpty {
            lines.append("<b>Jobs</b>:")
            for (id, fields) in active {
                let request = fields["payload"].flatMap { try? JSONDecoder().decode(JobRequest.self, from: Data($0.utf8)) }
                let url = request.map { $0.isPrivate ? "(private)" : TelegramHTML.cut($0.displayURL, 50) } ?? ""
                var step = ""
                if let number = Int(fields["step"] ?? ""), let current = DumpStep(rawValue: number) { step = " · \(current.description) \(fields["pct"] ?? "0")%" }
                lines.append("<code>\(e(id))</code> \(e(fields["state"]?.lowercased() ?? "")) \(e(url))\(e(step))")
            }
        }
        if !overview.recent.isEmpty { lines.append("<b>Recent</b>: " + overview.recent.prefix(8).map { "<code>\(e($0))</code>" }.joined(separator: ", ")) }
        if dead > 0 { lines.append("Undeliverable Telegram messages: \(dead)") }
        reply(message, lines.joined(separator: "\n"))
    }

    func lookup(_ message: TelegramUpdate.Message, query: String) {
        let e = TelegramHTML.escaped
        let isDigest = query.count == 64 && query.allSatisfy(\.isHexDigit)
        if !isDigest, SourceKey.key(query) == nil, let build = BuildFingerprint(query) {
            return lookupOnGitLab(build, answering: message)
        }
        let key = isDigest ? nil : SourceKey.key(query)
        guard isDigest || key != nil else { return reply(message, "Usage: /lookup &lt;http(s) URL | SHA-256 of the firmware | build fingerprint&gt;") }
        guard let found = link.attempt("lookup", { redis throws(QueueError) in try redis.queue.dump(urlKey: key, digest: isDigest ? query.lowercased() : nil) }) else {
            return reply(message, "The job queue cannot be reached right now.")
        }
        guard let found, let record = JobEvent.decode(JobRecord.self, from: found) else { return reply(message, "Not dumped yet.") }
        reply(message, "<b>Already dumped</b>\n" + Self.describe(record) + (record.dumpedBy.map { "\nBy job <code>\(e($0))</code>" } ?? ""))
    }

    /// Asks GitLab on a thread of its own (short timeouts, at most two at once), so a slow GitLab
    /// holds up no other command; the answer is sent when it comes.
    func lookupOnGitLab(_ build: BuildFingerprint, answering message: TelegramUpdate.Message) {
        guard environment["GITLAB_URL"].map({ !$0.isEmpty }) == true else { return reply(message, "Fingerprint lookups need GitLab (GITLAB_URL) configured for the bot.") }
        guard gitLabLookups.wrappingAdd(1, ordering: .relaxed).newValue <= 2 else {
            gitLabLookups.wrappingSubtract(1, ordering: .relaxed)
            return reply(message, "GitLab is being asked for two other builds: ask again in a minute.")
        }
        Thread.detachNewThread { [self] in
            let answer = gitLabAnswer(build)
            do throws(TelegramError) { try client.sendMessage(chat: message.chat.id, html: answer, replyTo: message.messageId) } catch {
                log("lookup answer to chat \(message.chat.id): \(error)")
            }
            gitLabLookups.wrappingSubtract(1, ordering: .relaxed)
        }
    }

    func gitLabAnswer(_ build: BuildFingerprint) -> String {
        do {
            switch try BrowseCommands.find(build, environment: environment, timeout: .seconds(10), attempts: 2) {
            case .found(let project, let web, _, let branch, _):
                let link = web.map { JobStatusReading.webLink($0, branch: branch) } ?? project
                return "<b>Already dumped</b>\nRepository: <a href=\"\(TelegramHTML.escaped(link))\">\(TelegramHTML.escaped(project))</a>\nBranch: <code>\(TelegramHTML.escaped(branch))</code>"
            case .notFound(let why):
                return "Not dumped yet: " + TelegramHTML.escaped(why)
            }
        } catch {
            // The details (GitLab's address among them) go to the log, not to the chat.
            log("lookup of \(build.project) on GitLab: \(error)")
            return "GitLab could not be asked right now; try again later."
        }
    }

    static func describe(_ record: JobRecord) -> String {
        let e = TelegramHTML.escaped
        let link = JobStatusReading.webLink(record.repository, branch: record.branch)
        let repository = link.hasPrefix("http") ? "<a href=\"\(e(link))\">\(e(record.repository))</a>" : "<code>\(e(record.repository))</code>"
        return "Device: \(e(record.brand)) \(e(record.codename))\nRepository: \(repository)\nBranch: <code>\(e(record.branch))</code>"
    }
}
