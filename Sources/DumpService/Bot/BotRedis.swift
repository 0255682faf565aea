internal import DumpCore
internal import JobQueue
internal import Redis

/// The Redis side of one bot thread, on one connection: the job queue, the outbox of Telegram
/// calls and the bot's own records.
struct BotRedis {
    let queue: JobQueue
    let outbox: MessageOutbox
    let store: BotStore
}

typealias BotLink = RedisLink<BotRedis>

extension RedisLink where Client == BotRedis {
    /// `prefix` is the queue's (`REDIS_KEY_PREFIX`); the outbox and the store live beside it.
    convenience init(endpoint: RedisEndpoint, prefix: String, name: String, log: WorkerLog) {
        self.init(endpoint: endpoint, name: name, commandTimeout: .seconds(10), log: log) { connection in
            BotRedis(
                queue: JobQueue(connection: connection, prefix: prefix),
                outbox: MessageOutbox(connection: connection, prefix: prefix + "outbox:"),
                store: BotStore(connection: connection, prefix: prefix + "bot:"))
        }
    }
}

/// What the bot keeps of a job it shows: its status message, the options, who asked and where.
struct StatusRecord: Codable, Sendable, Hashable {
    var chat: Int64
    var message: Int
    /// Option letters (`afpb`).
    var options: String
    var requester: Int64
    /// A moderated request's original message (the status message answers it across chats).
    var requestChat: Int64?
    var requestMessage: Int?
    /// The URL's dedup key, while the job runs (a second `/dump` of it is told so).
    var urlKey: String?

    var dumpOptions: DumpOptions { DumpOptions(letters: [options]) }
    /// The status message to edit; nil when Telegram never confirmed one.
    var statusMessage: Int? { message == Self.noMessage ? nil : message }

    static let kind = "status"
    /// `message` of a job whose status message Telegram never confirmed: nothing to edit.
    static let noMessage = 0
    /// Kept for 30 days: `/status`, `/retry` and late edits find the message.
    static let lifetime: Duration = .seconds(30 * 86400)
}
