internal import DumpCore
internal import Foundation
internal import JobQueue
internal import Telegram

/// Moderated requests (reference/dumpbot.md §1.9): `#request <url>` in the request chat becomes a
/// review card in the review chat with Accept / Reject / Cancel; Accept opens the option toggles
/// and Submit queues the job, with its status message in the primary chat answering the request.
/// Every review action is checked: only the review chat's admins (or sudo users) may accept or
/// reject, and only the requester or an admin may cancel.
final class ReviewFlow: @unchecked Sendable {
    private unowned let bot: BotUpdates

    init(bot: BotUpdates) { self.bot = bot }

    struct Review: Codable, Sendable {
        var id: String
        var url: String
        var note: String
        var requester: Int64
        var requesterName: String
        var requestChat: Int64
        var requestMessage: Int
        var reviewMessage: Int
        /// The toggles' state, as option letters.
        var options: String
    }

    static let kind = "review"
    static let lifetime: Duration = .seconds(7 * 86400)

    func submit(_ message: TelegramUpdate.Message, url: String, note: String) {
        guard let reviewChat = bot.settings.reviewChat else { return }
        let id = String(format: "%08x", UInt32.random(in: .min ... .max))
        let requester = message.from?.id ?? 0
        let name = message.from?.shownName ?? String(requester)
        let card: Int
        do throws(TelegramError) {
            card = try bot.client.sendMessage(chat: reviewChat, html: BotTexts.review(request: id, requester: name, url: url, note: note), buttons: Self.cardButtons(id))
        } catch {
            bot.log("request not sent for review: \(error)")
            return bot.reply(message, "Your request could not be passed on for review; please try again later.")
        }
        let review = Review(
            id: id, url: url, note: note, requester: requester, requesterName: name, requestChat: message.chat.id, requestMessage: message.messageId,
            reviewMessage: card, options: "")
        guard save(review) else { return bot.reply(message, "Your request could not be recorded; please try again later.") }
        bot.reply(message, "Request submitted for review (ID <code>\(id)</code>).")
        bot.log("request \(id) from user \(requester) sent for review")
    }

    func callback(_ query: TelegramUpdate.CallbackQuery, _ message: TelegramUpdate.Message, _ callback: BotCallback) {
        let id: String
        switch callback {
        case .accept(let request), .reject(let request), .cancelRequest(let request), .toggle(let request, _), .submit(let request): id = request
        default: return bot.answer(query, nil)
        }
        guard message.chat.id == bot.settings.reviewChat else { return bot.answer(query, nil) }
        guard var review = load(id) else {
            bot.answer(query, "Request \(id) was not found or has expired.", alert: true)
            return
        }
        let user = query.from.id
        if case .cancelRequest = callback {
            guard user == review.requester || bot.isAdmin(user, in: message.chat.id) else {
                return bot.answer(query, "Only the requester or an admin can cancel this request.", alert: true)
            }
            delete(id)
            bot.answer(query, "Request cancelled")
            bot.send(.edit(chat: message.chat.id, message: review.reviewMessage, html: "Request <code>\(id)</code> cancelled by \(TelegramHTML.escaped(query.from.shownName))."))
            return
        }
        guard bot.isAdmin(user, in: message.chat.id) else {
            bot.log("review action on request \(id) refused: user \(user) is not an admin of the review chat")
            return bot.answer(query, "Only admins of the review chat can review requests.", alert: true)
        }
        switch callback {
        case .accept:
            bot.answer(query, "Choose the options")
            showOptions(review)
        case .toggle(_, let letter):
            var letters = Set(review.options)
            if letters.contains(letter) { letters.remove(letter) } else { letters.insert(letter) }
            review.options = String(letters.sorted { "afpb".firstIndex(of: $0)! < "afpb".firstIndex(of: $1)! })
            _ = save(review)
            bot.answer(query, nil)
            showOptions(review)
        case .submit:
            bot.answer(query, "Accepted")
            accept(review, options: DumpOptions(letters: [review.options]), by: query.from, answering: nil, update: "button:" + query.id)
        case .reject:
            bot.answer(query, nil)
            bot.send(.edit(
                chat: message.chat.id, message: review.reviewMessage,
                html: BotTexts.review(request: id, requester: review.requesterName, url: review.url, note: review.note)
                    + "\n\nTo reject: <code>/reject \(id) [reason]</code>, or answer this card with <code>/reject [reason]</code>.",
                buttons: Self.cardButtons(id)))
        default:
            break
        }
    }

    func acceptCommand(_ message: TelegramUpdate.Message, request: String?, options: DumpOptions) {
        guard bot.isAdmin(message) else {
            bot.log("/accept refused: user \(message.from?.id ?? 0) is not an admin of the review chat")
            return bot.reply(message, "Only admins of the review chat can accept requests.")
        }
        guard let id = request ?? Self.requestID(in: message.replyToMessage) else {
            return bot.reply(message, "Answer a review card, or give the request id: /accept &lt;id&gt; [a|f|p|b]")
        }
        guard let review = load(id) else { return bot.reply(message, "Request <code>\(id)</code> was not found or has expired.") }
        accept(review, options: options, by: message.from, answering: message, update: "command:\(message.chat.id):\(message.messageId)")
    }

    func rejectCommand(_ message: TelegramUpdate.Message, request: String?, reason: String) {
        let e = TelegramHTML.escaped
        guard bot.isAdmin(message) else {
            bot.log("/reject refused: user \(message.from?.id ?? 0) is not an admin of the review chat")
            return bot.reply(message, "Only admins of the review chat can reject requests.")
        }
        guard let id = request ?? Self.requestID(in: message.replyToMessage) else {
            return bot.reply(message, "Answer a review card, or give the request id: /reject &lt;id&gt; [reason]")
        }
        guard let review = take(id) else { return bot.reply(message, "Request <code>\(id)</code> was not found or has expired.") }
        let admin = e(message.from?.shownName ?? "an admin")
        bot.send(.edit(
            chat: message.chat.id, message: review.reviewMessage,
            html: "Request <code>\(id)</code> rejected by \(admin).\nReason: \(e(reason))"))
        bot.send(.send(chat: review.requestChat, html: "Your request was rejected: \(e(reason))", replyTo: review.requestMessage))
        bot.log("request \(id) rejected by user \(message.from?.id ?? 0)")
    }

    /// Queues the job of an accepted request, once: two admins accepting at once queue one job,
    /// and the request stays until its job is queued. `update` names the press or command: the
    /// same update handled again after a crash (its offset was not saved) goes on where the
    /// first try stopped, with the same job id, so no second job is queued.
    private func accept(
        _ candidate: Review, options: DumpOptions, by admin: TelegramUpdate.User?, answering command: TelegramUpdate.Message?, update: String
    ) {
        let e = TelegramHTML.escaped
        let claimed = bot.link.attempt("review \(candidate.id)") { redis throws(QueueError) -> Bool in
            if try redis.store.add("accepting", candidate.id, update, ttl: .seconds(600)) { return true }
            return try redis.store.get("accepting", candidate.id) == update
        }
        guard let claimed else {
            if let command { bot.reply(command, "The job queue cannot be reached right now; the request stays open.") }
            return
        }
        guard claimed, let review = load(candidate.id) else {
            if let command { bot.reply(command, "Request <code>\(candidate.id)</code> was already handled.") }
            return
        }
        defer { _ = bot.link.attempt("review \(candidate.id)") { redis throws(QueueError) in try redis.store.delete("accepting", candidate.id) } }
        let reviewChat = bot.settings.reviewChat ?? 0
        let adminName = e(admin?.shownName ?? "an admin")
        if let answer = bot.earlyAnswer(url: review.url, options: options) {
            delete(review.id)
            bot.send(.edit(chat: reviewChat, message: review.reviewMessage, html: "Request <code>\(review.id)</code>: " + answer))
            bot.send(.send(chat: review.requestChat, html: answer, replyTo: review.requestMessage))
            if options.isPrivate { deleteRequestMessage(review) }
            return
        }
        let primary = bot.settings.allowedChats.first ?? review.requestChat
        // A private dump's status message answers no message: the request holds the URL.
        let replyTo = options.isPrivate ? nil : review.requestMessage
        let replyChat = options.isPrivate || primary == review.requestChat ? nil : review.requestChat
        // Queued by a try this one repeats (the bot stopped before the request was deleted): the
        // job and its status message are there; only the answers are left to give.
        let jobID = "rq-" + review.id
        let queuedBefore = bot.link.attempt("job \(jobID)") { redis throws(QueueError) in try redis.queue.job(id: jobID) != nil } == true
        let job = queuedBefore ? jobID : bot.startJob(
            chat: primary, replyTo: replyTo, replyChat: replyChat, requester: review.requester,
            url: review.url, options: options, request: (review.requestChat, review.requestMessage), jobID: jobID)
        guard let job else {
            if let command { bot.reply(command, "The job could not be queued; the request stays open.") }
            return
        }
        delete(review.id)
        bot.send(.edit(
            chat: reviewChat, message: review.reviewMessage,
            html: "Request <code>\(review.id)</code> accepted by \(adminName): job <code>\(e(job))</code>"
                + (options.labels.isEmpty ? "" : " (" + e(options.labels.joined(separator: ", ")) + ")")))
        let note = options.isPrivate ? "Your request was accepted for private processing." : "Your request was accepted: job <code>\(e(job))</code>."
        bot.send(.send(chat: review.requestChat, html: note, replyTo: review.requestMessage))
        if options.isPrivate { deleteRequestMessage(review) }
        if let command { bot.reply(command, "Request <code>\(review.id)</code> accepted: job <code>\(e(job))</code>.") }
        bot.log("request \(review.id) accepted by user \(admin?.id ?? 0): job \(job)")
    }

    /// A private request's `#request` goes, after the answer to it (which is sent alone when the
    /// message is gone): its URL must not stay visible.
    private func deleteRequestMessage(_ review: Review) {
        bot.send(.delete(chat: review.requestChat, message: review.requestMessage))
    }

    private func showOptions(_ review: Review) {
        let options = DumpOptions(letters: [review.options])
        let toggles: [(Character, String, Bool)] = [
            ("a", "Alt extractor", options.alt), ("f", "Force", options.force), ("p", "Private", options.isPrivate), ("b", "Blacklist", options.blacklist),
        ]
        var buttons = toggles.map { letter, label, on in
            [BotMessage.Button(text: (on ? "✅ " : "⬜ ") + label, data: BotCallback.toggle(request: review.id, option: letter).data)]
        }
        buttons.append([
            BotMessage.Button(text: "Submit", data: BotCallback.submit(request: review.id).data),
            BotMessage.Button(text: "Cancel request", data: BotCallback.cancelRequest(request: review.id).data),
        ])
        bot.send(.edit(
            chat: bot.settings.reviewChat ?? 0, message: review.reviewMessage,
            html: BotTexts.review(request: review.id, requester: review.requesterName, url: review.url, note: review.note, options: options),
            buttons: buttons))
    }

    private static func cardButtons(_ id: String) -> [[TelegramButton]] {
        [
            [TelegramButton("Accept", data: BotCallback.accept(request: id).data), TelegramButton("Reject", data: BotCallback.reject(request: id).data)],
            [TelegramButton("Cancel request", data: BotCallback.cancelRequest(request: id).data)],
        ]
    }

    /// The id a review card names ("Request ID: 0badcafe").
    static func requestID(in message: TelegramUpdate.RepliedMessage?) -> String? {
        guard let text = message?.text, let range = text.range(of: "Request ID: ") else { return nil }
        let id = String(text[range.upperBound...].prefix(8))
        return BotCommand.isRequestID(id) ? id.lowercased() : nil
    }

    private func load(_ id: String) -> Review? {
        (bot.link.attempt("review \(id)") { redis throws(QueueError) in try redis.store.get(Self.kind, id) } ?? nil).flatMap { JobEvent.decode(Review.self, from: $0) }
    }

    private func take(_ id: String) -> Review? {
        (bot.link.attempt("review \(id)") { redis throws(QueueError) in try redis.store.take(Self.kind, id) } ?? nil).flatMap { JobEvent.decode(Review.self, from: $0) }
    }

    private func save(_ review: Review) -> Bool {
        bot.link.attempt("review \(review.id)") { redis throws(QueueError) in try redis.store.put(Self.kind, review.id, JobEvent.encode(review), ttl: Self.lifetime) } != nil
    }

    private func delete(_ id: String) {
        _ = bot.link.attempt("review \(id)") { redis throws(QueueError) in try redis.store.delete(Self.kind, id) }
    }
}

extension BotMessage {
    static func edit(chat: Int64, message: Int, html: String, buttons: [[TelegramButton]]) -> BotMessage {
        BotMessage(kind: .edit, chat: chat, message: message, text: html, buttons: buttons.map { $0.map { Button(text: $0.text, data: $0.data) } })
    }

    static func edit(chat: Int64, message: Int, html: String, buttons: [[Button]]) -> BotMessage {
        BotMessage(kind: .edit, chat: chat, message: message, text: html, buttons: buttons)
    }
}
