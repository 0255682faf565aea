/// What the bot reads of an update (getUpdates): a message or a pressed button.
public struct TelegramUpdate: Decodable, Sendable, Hashable {
    public struct Chat: Decodable, Sendable, Hashable {
        public var id: Int64
        public var type: String?
    }

    public struct User: Decodable, Sendable, Hashable {
        public var id: Int64
        public var username: String?
        public var firstName: String?
        public var isBot: Bool?

        /// `@username`, else the first name, else the id: how messages name a user.
        public var shownName: String { username.map { "@" + $0 } ?? firstName ?? String(id) }
    }

    /// The message another one answers (its own reply is not kept).
    public struct RepliedMessage: Decodable, Sendable, Hashable {
        public var messageId: Int
        public var from: User?
        public var text: String?
    }

    public struct Message: Decodable, Sendable, Hashable {
        public var messageId: Int
        public var chat: Chat
        public var from: User?
        /// The chat a message was sent on behalf of: the chat itself for an anonymous admin, a
        /// linked channel otherwise (`from` is then Telegram's placeholder bot).
        public var senderChat: Chat?
        public var text: String?
        public var replyToMessage: RepliedMessage?
    }

    public struct CallbackQuery: Decodable, Sendable, Hashable {
        public var id: String
        public var from: User
        public var data: String?
        public var message: Message?
    }

    public var updateId: Int64
    public var message: Message?
    public var callbackQuery: CallbackQuery?

    enum CodingKeys: String, CodingKey {
        case updateId, message, callbackQuery
    }

    /// A message or button this model cannot read (a field of an unexpected shape) is left out,
    /// not an error: the update keeps its id, so the offset moves past it and one odd update
    /// cannot stop the bot.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        updateId = try container.decode(Int64.self, forKey: .updateId)
        message = try? container.decodeIfPresent(Message.self, forKey: .message)
        callbackQuery = try? container.decodeIfPresent(CallbackQuery.self, forKey: .callbackQuery)
    }
}

/// An inline keyboard button that sends `data` back as a callback query.
public struct TelegramButton: Sendable, Hashable {
    public var text: String
    public var data: String

    public init(_ text: String, data: String) {
        self.text = text
        self.data = data
    }
}
