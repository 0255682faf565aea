internal import Download
internal import DumpCore
internal import Foundation
internal import JobQueue
internal import Telegram

/// `/dump`: the early answer, or a new job with its status message.
extension BotUpdates {
    /// `/dump`: the early answer when the URL was dumped or is being dumped, else a new job.
    func dump(_ message: TelegramUpdate.Message, url: String, options: DumpOptions) {
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
    func deletePrivateCommand(_ message: TelegramUpdate.Message) {
        do throws(TelegramError) { try client.deleteMessage(chat: message.chat.id, message: message.messageId) } catch {
            log("could not delete a private /dump message in chat \(message.chat.id): \(error) (the bot needs the right to delete messages)")
            // Through the outbox, first of all, which tries again (a 429, a 5xx, no answer).
            if error.code == 0 || error.code == 429 || error.code >= 500 {
                send(.delete(chat: message.chat.id, message: message.messageId), priority: .urgent)
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
        let messageID: Int?
        do throws(TelegramError) {
            messageID = try client.sendMessage(chat: chat, html: view.html, replyTo: replyTo, replyChat: replyChat)
        } catch where error.mayHaveApplied {
            // Telegram may have shown it (without telling its id): the job it names is queued all
            // the same, followed without a status message; the asker is told where to look.
            log("job \(id): its status message got no answer in chat \(chat) (\(error)); queued without one")
            messageID = nil
        } catch {
            log("job not queued: its status message could not be sent to chat \(chat): \(error)")
            // Through the outbox, which tries again: the asker learns that nothing was queued.
            send(.send(chat: chat, html: "Telegram did not take the job's status message (\(TelegramHTML.escaped(error.message))), so no job was queued: send the command again in a minute.", replyTo: replyTo, replyChat: replyChat))
            return nil
        }
        let key = SourceKey.key(url)
        let record = StatusRecord(
            chat: chat, message: messageID ?? StatusRecord.noMessage, options: options.letters, requester: requester, requestChat: request?.chat,
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
            guard let messageID else { return nil }
            var failed = view
            failed.phase = .failed
            failed.error = "the job queue (Redis) cannot be reached; send the command again later"
            try? client.editMessage(chat: chat, message: messageID, html: failed.html)
            return nil
        }
        if messageID == nil {
            send(.send(
                chat: chat, html: "Job <code>\(id)</code> is queued, but Telegram did not confirm its status message: <code>/status \(id)</code> shows it, and its end is told here.",
                replyTo: replyTo, replyChat: replyChat))
        }
        log("job \(id) queued from chat \(chat) by user \(requester)" + (options.letters.isEmpty ? "" : " (\(options.letters))"))
        return id
    }
}
