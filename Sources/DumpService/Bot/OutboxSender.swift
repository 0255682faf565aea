internal import Foundation
internal import JobQueue
internal import Telegram

/// The only sender of queued Telegram calls (reference/dumpbot.md §2.7, kept and fixed): takes
/// the outbox's items by priority, one at a time, and carries them out.
/// - An edit older than one already delivered to its message is dropped (sequence and watermark).
/// - 429: the item goes back to the head of the outbox and every send waits `retry_after`, so
///   a storm reorders and loses nothing.
/// - No answer within the deadline: Telegram may still apply the call, late. The message gets no
///   edit for the quarantine time; then its newest text is sent again, so a late stale edit
///   cannot stay on top.
/// - 5xx and lost connections: tried again after 2 s, 4 s, 8 s…; other refusals (a deleted
///   message, a chat the bot left) and the last retry: into the capped dead letter. A new message,
///   document or channel post that got no answer is not sent again (it may have arrived: it
///   would show twice); it goes to the dead letter too.
final class OutboxSender: @unchecked Sendable {
    private let link: BotLink
    private let text: TelegramClient
    private let documents: TelegramClient
    private let settings: BotSettings
    private let log: WorkerLog
    private let stopped: @Sendable () -> Bool
    private var quarantined: [String: ContinuousClock.Instant] = [:]
    private var pausedUntil = ContinuousClock.now

    init(link: BotLink, text: TelegramClient, documents: TelegramClient, settings: BotSettings, log: WorkerLog, stopped: @escaping @Sendable () -> Bool) {
        self.link = link
        self.text = text
        self.documents = documents
        self.settings = settings
        self.log = log
        self.stopped = stopped
    }

    func run() {
        // Items a previous bot process took but never finished come first.
        if let recovered = link.attempt("outbox recovery", { redis throws(QueueError) in try redis.outbox.recover() }), recovered > 0 {
            log("outbox: \(recovered) message(s) left in flight by the last run are queued again")
        }
        while !stopped() {
            let pause = pausedUntil - .now
            if pause > .zero {
                Thread.sleep(forTimeInterval: min(pause, .milliseconds(250)).seconds)
                continue
            }
            guard let taken = link.attempt("outbox", { redis throws(QueueError) in try redis.outbox.take() }) else {
                link.backOff()
                continue
            }
            guard let item = taken else {
                Thread.sleep(forTimeInterval: 0.05)
                continue
            }
            process(item)
            Thread.sleep(forTimeInterval: settings.spacing.seconds)
        }
    }

    private func process(_ taken: OutboxItem) {
        var item = taken
        guard var message = BotMessage(decoding: item.body) else {
            settle(item, "dead letter") { outbox throws(QueueError) in try outbox.deadLetter(item, reason: "an outbox item dumpyard cannot read") }
            return
        }
        if let target = item.target {
            if let until = quarantined[target] {
                if ContinuousClock.now < until {
                    settle(item, "postponed edit") { outbox throws(QueueError) in try outbox.retry(item, after: until - .now) }
                    return
                }
                quarantined[target] = nil
            }
            // A retried edit sends the newest text of its message (status messages keep it): an
            // older one may have landed late.
            if item.attempts > 0, let (sequence, newest) = latest(target), sequence >= item.sequence {
                item.sequence = sequence
                message = newest
            }
            if link.attempt("outbox order", { redis throws(QueueError) in try redis.outbox.isSuperseded(item) }) == true {
                settle(item, "superseded edit") { outbox throws(QueueError) in try outbox.discard(item) }
                return
            }
        }
        do throws(TelegramError) {
            try send(message)
            settle(item, "delivery") { outbox throws(QueueError) in try outbox.delivered(item) }
        } catch {
            failed(item, message, error)
        }
    }

    private func failed(_ item: OutboxItem, _ message: BotMessage, _ error: TelegramError) {
        let about = message.job.map { "job \($0): " } ?? ""
        switch error.code {
        case 429:
            let wait = Duration.seconds(max(error.retryAfter ?? 1, 1))
            pausedUntil = .now + wait
            log("outbox: \(about)Telegram asks to wait \(wait.seconds) s (429); every send waits")
            settle(item, "put back") { outbox throws(QueueError) in try outbox.putBack(item) }
        case 0 where item.target != nil:
            let target = item.target ?? ""
            quarantined[target] = .now + settings.quarantine
            log("outbox: \(about)\(message.kind.rawValue) \(error.message); no edit of that message for \(Int(settings.quarantine.seconds)) s, then its newest text again")
            settle(item, "retry") { outbox throws(QueueError) in try outbox.retry(item, after: settings.quarantine) }
        case 0 where error.mayHaveApplied && [.send, .document, .channel].contains(message.kind):
            // Telegram may have posted it: sent again, it could show twice (a public channel post,
            // a failure document). At most once, then: the dead letter keeps it for the operator.
            log("outbox: \(about)\(message.kind.rawValue) got no answer (\(error.message)); not sent again, it may have arrived; moved to the dead letter")
            settle(item, "dead letter") { outbox throws(QueueError) in try outbox.deadLetter(item, reason: "no answer; Telegram may have carried it out: \(error.message)") }
        case 0, 500...:
            // An edit is only ever replaced by a newer one: it is tried for longer (about 1.5 h
            // with the default 2 s base), so a job's last state is not lost to a long outage.
            let limit = message.kind == .edit ? settings.maxRetries * 5 : settings.maxRetries
            guard item.attempts < limit else { fallthrough }
            let delay = min(settings.retryBase * (1 << min(item.attempts, 16)), settings.retryBase * 150)
            log("outbox: \(about)\(message.kind.rawValue) failed (\(error)); again in \(delay.seconds) s")
            settle(item, "retry") { outbox throws(QueueError) in try outbox.retry(item, after: delay) }
        default:
            if message.kind == .delete, error.message.contains("message to delete not found") {
                settle(item, "delivery") { outbox throws(QueueError) in try outbox.delivered(item) }
                return
            }
            log("outbox: \(about)\(message.kind.rawValue) refused, moved to the dead letter: \(error)")
            settle(item, "dead letter") { outbox throws(QueueError) in try outbox.deadLetter(item, reason: error.description) }
        }
    }

    private func send(_ message: BotMessage) throws(TelegramError) {
        switch message.kind {
        case .send:
            try text.sendMessage(
                chat: message.chat, html: message.text ?? "", replyTo: message.replyTo, replyChat: message.replyChat, buttons: message.telegramButtons)
        case .edit:
            try text.editMessage(chat: message.chat, message: message.message ?? 0, html: message.text ?? "", buttons: message.telegramButtons)
        case .delete:
            try text.deleteMessage(chat: message.chat, message: message.message ?? 0)
        case .document:
            let contents = message.document.flatMap { Data(base64Encoded: $0) }.map { Array($0) } ?? []
            try documents.sendDocument(chat: message.chat, fileName: message.fileName ?? "log.txt", contents: contents, html: message.text, replyTo: message.replyTo)
        case .channel:
            try text.sendMessage(channel: message.channel ?? "", html: message.text ?? "")
        }
    }

    /// The newest edit queued for `target`, with its sequence.
    private func latest(_ target: String) -> (Int64, BotMessage)? {
        guard let stored = link.attempt("newest edit", { redis throws(QueueError) in try redis.store.get("latest", target) }) ?? nil,
            let newline = stored.firstIndex(of: "\n"), let sequence = Int64(stored[..<newline]),
            let message = BotMessage(decoding: Array(stored[stored.index(after: newline)...].utf8))
        else { return nil }
        return (sequence, message)
    }

    /// Records what became of an item, waiting for Redis when it cannot be reached (the item
    /// stays in flight meanwhile: nothing else is sent, so nothing overtakes it). A settle whose
    /// answer was lost changes nothing when repeated: the item is no longer held. Stopped before
    /// it is settled, the next start's recovery sends it again.
    private func settle(_ item: OutboxItem, _ what: String, _ body: (MessageOutbox) throws(QueueError) -> Void) {
        while link.attempt("outbox \(what)", { redis throws(QueueError) in try body(redis.outbox) }) == nil, !stopped() {
            link.backOff()
        }
    }
}
