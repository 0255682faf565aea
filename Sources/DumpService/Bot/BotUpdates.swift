internal import Download
internal import DumpCore
internal import Foundation
internal import JobQueue
internal import Synchronization
internal import Telegram

/// The bot's front: reads updates (long polling, the offset kept in Redis so a restart handles
/// nothing twice), ignores every chat it does not serve, and answers commands and buttons.
/// Replies go through the outbox; the messages whose id the bot needs (a status message, a review
/// card, a confirmation) are sent at once.
final class BotUpdates: @unchecked Sendable {
    let client: TelegramClient
    let link: BotLink
    let settings: BotSettings
    let log: WorkerLog
    let username: String?
    let environment: [String: String]
    /// Set by a confirmed `/restart`: the loop ends and the process starts itself again.
    let restartRequested = Atomic(false)
    /// Fingerprint lookups asking GitLab right now (each on a thread of its own, at most two).
    private let gitLabLookups = Atomic(0)
    private(set) lazy var reviews = ReviewFlow(bot: self)

    init(client: TelegramClient, link: BotLink, settings: BotSettings, log: WorkerLog, username: String?, environment: [String: String]) {
        self.client = client
        self.link = link
        self.settings = settings
        self.log = log
        self.username = username
        self.environment = environment
    }

    func run(stopped: @Sendable () -> Bool) {
        // Without the stored offset, Telegram would send the last unconfirmed updates again: wait
        // for Redis rather than handle a /dump twice.
        var offset: Int64?
        while !stopped() {
            guard let stored = link.attempt("update offset", { redis throws(QueueError) in try redis.store.get("value", "offset").flatMap { Int64($0) } }) else {
                link.backOff()
                continue
            }
            offset = stored
            break
        }
        var failures = 0
        while !stopped() && !restartRequested.load(ordering: .relaxed) {
            let updates: [TelegramUpdate]
            do throws(TelegramError) {
                updates = try client.updates(offset: offset, timeout: settings.pollTimeout)
                if failures > 0 { log("Telegram answers again") }
                failures = 0
            } catch {
                if failures == 0 || failures % 20 == 0 { log("getUpdates: \(error)") }
                failures += 1
                Thread.sleep(forTimeInterval: min(Double(failures), 30))
                continue
            }
            for update in updates {
                handle(update)
                offset = update.updateId + 1
                _ = link.attempt("update offset") { redis throws(QueueError) in try redis.store.put("value", "offset", String(offset ?? 0)) }
                if restartRequested.load(ordering: .relaxed) { break }
            }
        }
        // Confirms the last updates handled, so Telegram does not send them again.
        if let offset { _ = try? client.updates(offset: offset, timeout: 0) }
    }

    func handle(_ update: TelegramUpdate) {
        if let message = update.message, let text = message.text {
            handleMessage(message, text)
        } else if let query = update.callbackQuery {
            handleCallback(query)
        }
    }

    // MARK: - Messages

    private func handleMessage(_ message: TelegramUpdate.Message, _ text: String) {
        let chat = message.chat.id
        guard settings.servedChats.contains(chat) else { return }
        guard let command = BotCommand.parse(text, botUsername: username, isReply: message.replyToMessage != nil) else { return }
        let inAllowed = settings.allowedChats.contains(chat)
        var runsDump = false
        if case .dump = command { runsDump = inAllowed }
        if !runsDump, BotCommand.asksPrivateDump(text) {
            // A private /dump the bot will not run (a bad URL, a chat without /dump): its URL must
            // not stay visible either.
            deletePrivateCommand(message)
            if case .usage(let line) = command, inAllowed { send(.send(chat: chat, html: TelegramHTML.escaped(line), replyTo: nil)) }
            return
        }
        switch command {
        case .request(let url, let note):
            guard chat == settings.requestChat else { return }
            reviews.submit(message, url: url, note: note)
        case .accept(let request, let options):
            guard chat == settings.reviewChat else {
                if inAllowed { reply(message, "This command can only be used in the review chat.") }
                return
            }
            reviews.acceptCommand(message, request: request, options: options)
        case .reject(let request, let reason):
            guard chat == settings.reviewChat else {
                if inAllowed { reply(message, "This command can only be used in the review chat.") }
                return
            }
            reviews.rejectCommand(message, request: request, reason: reason)
        case .usage where BotCommand.isRequest(text) && chat != settings.requestChat:
            return
        case .usage(let line):
            reply(message, TelegramHTML.escaped(line))
        case .help where inAllowed || chat == settings.reviewChat:
            reply(message, BotTexts.help(isAdmin: isAdmin(message)))
        case _ where !inAllowed:
            return
        case .dump(let url, let options):
            dump(message, url: url, options: options)
        case .status(let job):
            status(message, job: job)
        case .lookup(let query):
            lookup(message, query: query)
        case .cancel, .retry, .restart, .clearQueue:
            guard isAdmin(message) else {
                reply(message, "You don't have permission to use this command: it is for the chat's admins.")
                return
            }
            switch command {
            case .cancel(let job): cancel(message, job: job)
            case .retry(let job): retry(message, job: job)
            case .restart: askRestart(message)
            default: clearQueue(message)
            }
        case .help:
            return
        }
    }

    /// `/dump`: the early answer when the URL was dumped or is being dumped, else a new job.
    private func dump(_ message: TelegramUpdate.Message, url: String, options: DumpOptions) {
        let chat = message.chat.id
        if options.isPrivate { deletePrivateCommand(message) }
        let replyTo = options.isPrivate ? nil : message.messageId
        if let answer = earlyAnswer(url: url, options: options) {
            send(.send(chat: chat, html: answer, replyTo: replyTo))
            return
        }
        startJob(chat: chat, replyTo: replyTo, replyChat: nil, requester: message.from?.id ?? 0, url: url, options: options, request: nil)
    }

    /// First of all for a private dump: the URL must not stay visible in the chat.
    private func deletePrivateCommand(_ message: TelegramUpdate.Message) {
        do throws(TelegramError) { try client.deleteMessage(chat: message.chat.id, message: message.messageId) } catch {
            log("could not delete a private /dump message in chat \(message.chat.id): \(error) (the bot needs the right to delete messages)")
            // Through the outbox, first of all, which tries again (a 429, a 5xx, no answer).
            if error.code == 0 || error.code == 429 || error.code >= 500 {
                send(BotMessage(kind: .delete, chat: message.chat.id, message: message.messageId), priority: .urgent)
            }
        }
    }

    /// "Already dumped" (with the repository) or "being dumped" (with the job), unless `f`.
    func earlyAnswer(url: String, options: DumpOptions) -> String? {
        guard !options.force, let key = SourceKey.key(url) else { return nil }
        let found = link.attempt("lookup") { redis throws(QueueError) -> (String?, String?, String?) in
            let record = try redis.queue.dump(urlKey: key)
            let active = try redis.store.get("active", key)
            var state: String?
            if let active { state = try redis.queue.job(id: active)?["state"] }
            return (record, active, state)
        }
        guard let (record, active, state) = found else { return nil }
        if let record, let dumped = JobEvent.decode(JobRecord.self, from: record) {
            return "<b>Already dumped</b>\n" + Self.describe(dumped) + "\nSend the command again with <code>f</code> to dump it again."
        }
        if let active, let state, ["QUEUED", "PROCESSING", "RETRYING"].contains(state) {
            return "This firmware is being dumped now: job <code>\(TelegramHTML.escaped(active))</code> (\(state.lowercased())). /status \(TelegramHTML.escaped(active))"
        }
        return nil
    }

    /// Sends the status message, records it, follows the job and queues it; the job id.
    @discardableResult
    func startJob(
        chat: Int64, replyTo: Int?, replyChat: Int64?, requester: Int64, url: String, options: DumpOptions, request: (chat: Int64, message: Int)?,
        jobID: String? = nil
    ) -> String? {
        let id = jobID ?? QueueCommands.newJobID()
        let job = JobRequest(url: url, alt: options.alt, force: options.force, isPrivate: options.isPrivate, requestedBy: "telegram:\(requester)")
        let view = JobStatusView(job: id, url: job.displayURL, options: options)
        let messageID: Int
        do throws(TelegramError) {
            messageID = try client.sendMessage(chat: chat, html: view.html, replyTo: replyTo, replyChat: replyChat)
        } catch where error.mayHaveApplied {
            // Telegram may have shown it (without telling its id): the job it names is queued all
            // the same, followed without a status message; the asker is told where to look.
            log("job \(id): its status message got no answer in chat \(chat) (\(error)); queued without one")
            messageID = StatusRecord.noMessage
            send(.send(
                chat: chat, html: "Job <code>\(id)</code> is queued, but Telegram did not confirm its status message: <code>/status \(id)</code> shows it.",
                replyTo: replyTo, replyChat: replyChat))
        } catch {
            log("job not queued: its status message could not be sent to chat \(chat): \(error)")
            // Through the outbox, which tries again: the asker learns that nothing was queued.
            send(.send(chat: chat, html: "Telegram did not take the job's status message (\(TelegramHTML.escaped(error.message))), so no job was queued: send the command again in a minute.", replyTo: replyTo, replyChat: replyChat))
            return nil
        }
        let key = SourceKey.key(url)
        let record = StatusRecord(
            chat: chat, message: messageID, options: options.letters, requester: requester, requestChat: request?.chat,
            requestMessage: request?.message, urlKey: key)
        guard let payload = try? Array(JSONEncoder().encode(job)) else { return nil }
        // The submit comes last (and is idempotent on the id): when this fails, the job is either
        // not queued, or queued with everything the bot needs to follow it.
        var queued: Void? = link.attempt("queueing job \(id)") { redis throws(QueueError) in
            try redis.store.put(StatusRecord.kind, id, JobEvent.encode(record), ttl: StatusRecord.lifetime)
            try redis.store.follow(id, since: try redis.store.now())
            if let key { try redis.store.put("active", key, id, ttl: .seconds(86400)) }
            _ = try redis.queue.submit(id: id, payload: payload)
        }
        if queued == nil, link.attempt("job \(id)", { redis throws(QueueError) in try redis.queue.job(id: id) != nil }) == true { queued = () }
        guard queued != nil else {
            guard messageID != StatusRecord.noMessage else { return nil }
            var failed = view
            failed.phase = .failed
            failed.error = "the job queue (Redis) cannot be reached; send the command again later"
            try? client.editMessage(chat: chat, message: messageID, html: failed.html)
            return nil
        }
        log("job \(id) queued from chat \(chat) by user \(requester)" + (options.letters.isEmpty ? "" : " (\(options.letters))"))
        return id
    }

    private func status(_ message: TelegramUpdate.Message, job: String?) {
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
                let url = request.map { $0.isPrivate ? "(private)" : JobStatusView.cut($0.displayURL, 50) } ?? ""
                var step = ""
                if let number = Int(fields["step"] ?? ""), let current = DumpStep(rawValue: number) { step = " · \(current.description) \(fields["pct"] ?? "0")%" }
                lines.append("<code>\(e(id))</code> \(e(fields["state"]?.lowercased() ?? "")) \(e(url))\(e(step))")
            }
        }
        if !overview.recent.isEmpty { lines.append("<b>Recent</b>: " + overview.recent.prefix(8).map { "<code>\(e($0))</code>" }.joined(separator: ", ")) }
        if dead > 0 { lines.append("Undeliverable Telegram messages: \(dead)") }
        reply(message, lines.joined(separator: "\n"))
    }

    private func lookup(_ message: TelegramUpdate.Message, query: String) {
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
    private func lookupOnGitLab(_ build: BuildFingerprint, answering message: TelegramUpdate.Message) {
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

    private func gitLabAnswer(_ build: BuildFingerprint) -> String {
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

    private func cancel(_ message: TelegramUpdate.Message, job: String) {
        let e = TelegramHTML.escaped
        guard let outcome = link.attempt("cancel", { redis throws(QueueError) in try redis.queue.cancel(id: job) }) else {
            return reply(message, "The job queue cannot be reached right now.")
        }
        switch outcome {
        case .cancelled: reply(message, "Job <code>\(e(job))</code> is cancelled (it had not started).")
        case .requested: reply(message, "Job <code>\(e(job))</code> is running: its worker stops it now.")
        case .alreadyFinished(let state): reply(message, "Job <code>\(e(job))</code> already ended (\(state.rawValue.lowercased())).")
        case .unknown: reply(message, "No job <code>\(e(job))</code>.")
        }
        log("job \(job): cancel asked by user \(message.from?.id ?? 0): \(outcome)")
    }

    private func retry(_ message: TelegramUpdate.Message, job: String) {
        let e = TelegramHTML.escaped
        let done = link.attempt("retry") { redis throws(QueueError) -> (Bool, String?) in
            guard try redis.queue.retry(id: job) else { return (false, try redis.queue.job(id: job)?["state"]) }
            // Its status message follows it again.
            if try redis.store.get(StatusRecord.kind, job) != nil { try redis.store.follow(job, since: try redis.store.now()) }
            return (true, nil)
        }
        guard let (retried, state) = done else { return reply(message, "The job queue cannot be reached right now.") }
        if retried {
            reply(message, "Job <code>\(e(job))</code> is queued again.")
        } else {
            reply(message, state.map { "Job <code>\(e(job))</code> is not failed (\($0.lowercased())): only failed jobs are retried." } ?? "No job <code>\(e(job))</code>.")
        }
    }

    private func clearQueue(_ message: TelegramUpdate.Message) {
        let e = TelegramHTML.escaped
        let cleared = link.attempt("clear queue") { redis throws(QueueError) -> [String] in
            var ids: [String] = []
            for id in try redis.queue.members(of: "pending") where try redis.queue.cancel(id: id) == .cancelled { ids.append(id) }
            return ids
        }
        guard let cleared else { return reply(message, "The job queue cannot be reached right now.") }
        guard !cleared.isEmpty else { return reply(message, "No queued job to clear.") }
        var text = "Cleared \(cleared.count) queued job\(cleared.count == 1 ? "" : "s"): " + cleared.prefix(20).map { "<code>\(e($0))</code>" }.joined(separator: ", ")
        if cleared.count > 20 { text += " …and \(cleared.count - 20) more" }
        reply(message, text)
        log("cleared \(cleared.count) queued job(s) for user \(message.from?.id ?? 0)")
    }

    // MARK: - Restart

    private struct RestartRecord: Codable {
        var user: Int64
        var chat: Int64
    }

    private func askRestart(_ message: TelegramUpdate.Message) {
        guard message.senderChat == nil else {
            return reply(message, "Send /restart as yourself, not anonymously: only the admin who asked can confirm it.")
        }
        let user = message.from?.id ?? 0
        let token = String(UInt32.random(in: .min ... .max), radix: 16)
        guard link.attempt("restart", { redis throws(QueueError) in
            try redis.store.put("restart", token, JobEvent.encode(RestartRecord(user: user, chat: message.chat.id)), ttl: settings.confirmExpiry)
        }) != nil else { return reply(message, "The job queue cannot be reached right now.") }
        let name = TelegramHTML.escaped(message.from?.shownName ?? String(user))
        let seconds = Int(settings.confirmExpiry.seconds.rounded())
        let buttons = [[TelegramButton("Restart", data: BotCallback.restartConfirm(user: user, token: token).data),
                        TelegramButton("Cancel", data: BotCallback.restartCancel(user: user, token: token).data)]]
        do throws(TelegramError) {
            try client.sendMessage(
                chat: message.chat.id, html: "<b>Restart the bot?</b>\nOnly \(name) can answer; this expires in \(seconds) s.", replyTo: message.messageId,
                buttons: buttons)
        } catch {
            log("restart confirmation not sent: \(error)")
        }
    }

    private func handleCallback(_ query: TelegramUpdate.CallbackQuery) {
        guard let message = query.message, settings.servedChats.contains(message.chat.id), let callback = query.data.flatMap(BotCallback.init(data:)) else {
            answer(query, nil)
            return
        }
        switch callback {
        case .restartConfirm(let user, let token), .restartCancel(let user, let token):
            guard query.from.id == user else { return answer(query, "Only the admin who asked can answer this.", alert: true) }
            // The stored record, not the button's data, says who asked and where: only they may
            // answer, in that chat; the token is spent only by them.
            let read = link.attempt("restart") { redis throws(QueueError) in try redis.store.get("restart", token) } ?? nil
            guard let read, let asked = JobEvent.decode(RestartRecord.self, from: read) else {
                answer(query, "This confirmation has expired.", alert: true)
                send(.edit(chat: message.chat.id, message: message.messageId, html: "<b>Restart request expired</b>"))
                return
            }
            guard asked.user == query.from.id, asked.chat == message.chat.id else { return answer(query, "Only the admin who asked can answer this.", alert: true) }
            guard (link.attempt("restart") { redis throws(QueueError) in try redis.store.take("restart", token) } ?? nil) != nil else {
                return answer(query, "This confirmation was answered already.", alert: true)
            }
            guard case .restartConfirm = callback else {
                answer(query, "Cancelled")
                send(.edit(chat: message.chat.id, message: message.messageId, html: "<b>Restart cancelled</b>"))
                return
            }
            guard isAdmin(asked.user, in: asked.chat) else { return answer(query, "You are no longer an admin of this chat.", alert: true) }
            answer(query, "Restarting")
            try? client.editMessage(chat: message.chat.id, message: message.messageId, html: "<b>Restarting…</b>")
            _ = link.attempt("restart") { redis throws(QueueError) in
                try redis.store.put("value", "restarted", "\(message.chat.id):\(message.messageId)", ttl: .seconds(300))
            }
            log("restart confirmed by user \(user)")
            restartRequested.store(true, ordering: .relaxed)
        default:
            reviews.callback(query, message, callback)
        }
    }

    /// After a restart: the confirmation message says it is done.
    func announceRestart() {
        guard let stored = link.attempt("restart", { redis throws(QueueError) in try redis.store.take("value", "restarted") }) ?? nil else { return }
        let parts = stored.split(separator: ":")
        guard parts.count == 2, let chat = Int64(parts[0]), let message = Int(parts[1]) else { return }
        send(.edit(chat: chat, message: message, html: "<b>Restart complete</b>"), priority: .high)
    }

    // MARK: - Helpers

    /// Admins: configured sudo users, and a served chat's creator and administrators. A failed
    /// query counts as no.
    /// The sender of `message` is an admin of its chat: an anonymous admin (sent on behalf of the
    /// chat itself, which only its admins can do) or an admin by id.
    func isAdmin(_ message: TelegramUpdate.Message) -> Bool {
        if let senderChat = message.senderChat { return senderChat.id == message.chat.id && settings.servedChats.contains(senderChat.id) }
        return isAdmin(message.from?.id ?? 0, in: message.chat.id)
    }

    func isAdmin(_ user: Int64, in chat: Int64) -> Bool {
        if settings.sudoUsers.contains(user) { return true }
        guard settings.servedChats.contains(chat) else { return false }
        do throws(TelegramError) {
            let status = try client.memberStatus(chat: chat, user: user)
            return status == "creator" || status == "administrator"
        } catch {
            log("admin check of user \(user) in chat \(chat) failed: \(error)")
            return false
        }
    }

    func reply(_ message: TelegramUpdate.Message, _ html: String) {
        send(.send(chat: message.chat.id, html: html, replyTo: message.messageId))
    }

    func send(_ message: BotMessage, priority: OutboxPriority = .high) {
        if link.attempt("outbox", { redis throws(QueueError) in try redis.outbox.enqueue(message.encoded, priority: priority, target: message.target) }) == nil {
            log("a reply was lost: Redis cannot be reached")
        }
    }

    func answer(_ query: TelegramUpdate.CallbackQuery, _ text: String?, alert: Bool = false) {
        do throws(TelegramError) { try client.answerCallback(query.id, text: text, alert: alert) } catch {
            log("answerCallbackQuery: \(error)")
        }
    }
}
