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
