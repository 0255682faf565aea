internal import Foundation
internal import Telegram

/// One Telegram call waiting in the outbox (its JSON body): a message to send, an edit, a
/// deletion, a document, or a channel post.
struct BotMessage: Codable, Sendable, Hashable {
    enum Kind: String, Codable, Sendable { case send, edit, delete, document, channel }

    struct Button: Codable, Sendable, Hashable {
        var text: String
        var data: String
    }

    var kind: Kind
    var chat: Int64
    /// The message an edit or a deletion is for.
    var message: Int?
    /// HTML text (a document's caption).
    var text: String?
    var replyTo: Int?
    var replyChat: Int64?
    var buttons: [[Button]]?
    var fileName: String?
    /// A document's bytes, base64.
    var document: String?
    /// A channel post's `@channel` or id.
    var channel: String?
    /// The job the message is about, for logs.
    var job: String?

    /// Edits of one message keep their order: this is their ordering key.
    var target: String? {
        guard kind == .edit, let message else { return nil }
        return "\(chat):\(message)"
    }

    static func edit(chat: Int64, message: Int, html: String, job: String? = nil) -> BotMessage {
        BotMessage(kind: .edit, chat: chat, message: message, text: html, job: job)
    }

    static func send(chat: Int64, html: String, replyTo: Int? = nil, replyChat: Int64? = nil) -> BotMessage {
        BotMessage(kind: .send, chat: chat, text: html, replyTo: replyTo, replyChat: replyChat)
    }

    static func delete(chat: Int64, message: Int) -> BotMessage {
        BotMessage(kind: .delete, chat: chat, message: message)
    }

    var telegramButtons: [[TelegramButton]] {
        (buttons ?? []).map { $0.map { TelegramButton($0.text, data: $0.data) } }
    }

    var encoded: [UInt8] { (try? Array(JSONEncoder().encode(self))) ?? [] }

    init(
        kind: Kind, chat: Int64, message: Int? = nil, text: String? = nil, replyTo: Int? = nil, replyChat: Int64? = nil, buttons: [[Button]]? = nil,
        fileName: String? = nil, document: String? = nil, channel: String? = nil, job: String? = nil
    ) {
        self.kind = kind
        self.chat = chat
        self.message = message
        self.text = text
        self.replyTo = replyTo
        self.replyChat = replyChat
        self.buttons = buttons
        self.fileName = fileName
        self.document = document
        self.channel = channel
        self.job = job
    }

    init?(decoding bytes: [UInt8]) {
        guard let decoded = try? JSONDecoder().decode(BotMessage.self, from: Data(bytes)) else { return nil }
        self = decoded
    }
}
