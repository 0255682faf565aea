internal import DumpCore
internal import JobQueue
internal import Synchronization
internal import Telegram

/// `/restart` with its confirmation, and the buttons (the review buttons go to `ReviewFlow`).
extension BotUpdates {
    private struct RestartRecord: Codable {
        var user: Int64
        var chat: Int64
    }

    func askRestart(_ message: TelegramUpdate.Message) {
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

    func handleCallback(_ query: TelegramUpdate.CallbackQuery) {
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
}
