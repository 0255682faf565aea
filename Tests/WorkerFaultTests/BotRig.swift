import DumpTestSupport
import Foundation
import JobQueue
import Testing

/// The bot's end-to-end rig: the queue rig (a real redis-server, worker processes), the Telegram
/// Bot API stand-in, and a loopback HTTP server that serves the sample firmware. Chats: a group
/// where `/dump` works, a request chat and a review chat; users: an admin, a member, a requester.
final class BotRig: @unchecked Sendable {
    let queue: QueueRig
    let telegram: TelegramStandIn
    let files: HTTPTestServer
    static let group: Int64 = -1001
    static let requests: Int64 = -1002
    static let reviews: Int64 = -1003
    static let channel: Int64 = -1009
    static let admin: Int64 = 10
    static let member: Int64 = 20
    static let requester: Int64 = 30
    /// Scaled-down timings: 1 s long polls, 2 s call deadline, refresh every 0.5 s.
    var environment: [String: String]

    init() throws {
        queue = try QueueRig()
        telegram = try TelegramStandIn()
        files = try HTTPTestServer()
        for chat in [Self.group, Self.requests, Self.reviews] { try telegram.addChat(chat) }
        try telegram.control("POST", "chats", ["id": Self.channel, "type": "channel", "title": "Dumps", "username": "dumps_channel"])
        try telegram.setRole(chat: Self.group, user: Self.admin, "administrator")
        try telegram.setRole(chat: Self.reviews, user: Self.admin, "creator")
        try telegram.setRole(chat: Self.group, user: Self.member, "member")
        try telegram.setRole(chat: Self.reviews, user: Self.member, "member")
        environment = [
            "TELEGRAM_BOT_TOKEN": telegram.token, "TELEGRAM_API_BASE_URL": telegram.state.base_url, "ALLOWED_CHATS": "[\(Self.group)]",
            "REQUEST_CHAT_ID": String(Self.requests), "REVIEW_CHAT_ID": String(Self.reviews), "TELEGRAM_CHANNEL": "@dumps_channel",
            "SOURCE_WHITELIST": "127.0.0.1", "TELEGRAM_POLL_TIMEOUT": "1", "TELEGRAM_TEXT_REQUEST_TIMEOUT": "2",
            "DUMPYARD_BOT_REFRESH_MS": "500", "DUMPYARD_BOT_RETRY_BASE_MS": "200", "TELEGRAM_STALL_QUARANTINE_MS": "5000",
            "DUMPYARD_BOT_CONFIRM_MS": "3000", "DOWNLOAD_CONNECTIONS": "1",
        ]
    }

    /// Starts `dumpyard bot`.
    @discardableResult
    func startBot(_ name: String = "bot", environment extra: [String: String] = [:]) throws -> WorkerProcess {
        try queue.startProcess(name, arguments: ["bot"], environment: environment.merging(extra) { $1 })
    }

    /// Starts a worker with the rig's download settings.
    @discardableResult
    func startWorker(_ name: String = "w1") throws -> WorkerProcess {
        try queue.startWorker(name, environment: environment)
    }

    /// The sample firmware's URL; `rate` (bytes/s) makes its download slow.
    func firmwareURL(rate: Int? = nil, tag: String = "") -> String {
        files.url("/fixture/sample-firmware.zip") + "?" + (rate.map { "rate=\($0)&" } ?? "") + "tag=\(tag)"
    }

    /// A user's message in `chat`; its message id.
    @discardableResult
    func say(_ text: String, in chat: Int64 = BotRig.group, from user: Int64 = BotRig.member) throws -> Int {
        try telegram.queueMessage(chat: chat, user: user, text: text).message
    }

    /// The bot's messages in `chat` (text as shown, after edits).
    func botMessages(_ chat: Int64 = BotRig.group) throws -> [[String: Any]] {
        try telegram.messages(chat: chat).filter { $0["by_bot"] as? Bool == true }
    }

    /// The first bot message in `chat` whose text contains `text`.
    func botMessage(containing text: String, in chat: Int64 = BotRig.group) throws -> [String: Any]? {
        try botMessages(chat).first { ($0["text"] as? String)?.contains(text) == true }
    }

    /// Waits up to `timeout` for a bot message containing `text` in `chat`.
    func waitForMessage(containing text: String, in chat: Int64 = BotRig.group, timeout: Duration = .seconds(30)) -> [String: Any]? {
        var found: [String: Any]?
        _ = queue.wait(for: timeout) {
            found = try botMessage(containing: text, in: chat)
            return found != nil
        }
        return found
    }

    /// The bot's answer (a message replying to `message`) in `chat`, waited for.
    func answer(to message: Int, in chat: Int64 = BotRig.group, timeout: Duration = .seconds(10)) -> String? {
        var text: String?
        _ = queue.wait(for: timeout) {
            text = try botMessages(chat).first { $0["reply_to_message_id"] as? Int == message }?["text"] as? String
            return text != nil
        }
        return text
    }

    /// The job a status message names ("Job: <id>").
    static func job(in message: [String: Any]?) -> String? {
        guard let text = message?["text"] as? String, let range = text.range(of: "Job: ") else { return nil }
        return String(text[range.upperBound...].prefix { !$0.isWhitespace })
    }

    /// The successful edits of one message, in the order the stand-in applied them: their texts.
    func edits(of message: Int, in chat: Int64 = BotRig.group) throws -> [String] {
        try telegram.journal(method: "editMessageText").filter { entry in
            let params = entry["params"] as? [String: Any]
            return entry["ok"] as? Bool == true && (params?["message_id"] as? Int) == message && (params?["chat_id"] as? Int).map(Int64.init) == chat
        }.compactMap { ($0["params"] as? [String: Any])?["text"] as? String }
    }

    /// "step N/10" of a status text.
    static func step(of text: String) -> Int? {
        guard let range = text.range(of: #"step (\d+)/10"#, options: .regularExpression) else { return nil }
        return Int(text[range].dropFirst(5).prefix { $0.isNumber })
    }

    /// Every Bot API call, documents' bytes included, as one text.
    func allCallsWithDocuments() throws -> String {
        var calls = try allCalls()
        for entry in try telegram.journal() {
            for file in entry["files"] as? [[String: Any]] ?? [] {
                calls += String(decoding: Data(base64Encoded: file["base64"] as? String ?? "") ?? Data(), as: UTF8.self)
            }
        }
        return calls
    }

    /// `text` around the first `trace` in it, for a failed expectation.
    static func around(_ trace: String, in text: String) -> String {
        guard let range = text.range(of: trace) else { return "" }
        let start = text.index(range.lowerBound, offsetBy: -200, limitedBy: text.startIndex) ?? text.startIndex
        let end = text.index(range.upperBound, offsetBy: 80, limitedBy: text.endIndex) ?? text.endIndex
        return String(text[start..<end])
    }

    /// The id a review card names.
    static func requestID(in card: [String: Any]?) throws -> String {
        let text = card?["text"] as? String ?? ""
        return String(try #require(text.range(of: "Request ID: ").map { text[$0.upperBound...].prefix(8) }))
    }

    /// Every Bot API call the bot made, as one text (to search for what must never appear).
    func allCalls() throws -> String {
        let entries = try telegram.journal()
        return String(decoding: try JSONSerialization.data(withJSONObject: entries), as: UTF8.self)
    }
}
