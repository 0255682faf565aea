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
    let gitLabLookups = Atomic(0)
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

    func handleMessage(_ message: TelegramUpdate.Message, _ text: String) {
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

    // MARK: - Helpers

    /// The sender of `message` is an admin of its chat: an anonymous admin (sent on behalf of the
    /// chat itself, which only its admins can do) or an admin by id.
    func isAdmin(_ message: TelegramUpdate.Message) -> Bool {
        if let senderChat = message.senderChat { return senderChat.id == message.chat.id && settings.servedChats.contains(senderChat.id) }
        return isAdmin(message.from?.id ?? 0, in: message.chat.id)
    }

    /// Admins: configured sudo users, and a served chat's creator and administrators. A failed
    /// query counts as no.
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
