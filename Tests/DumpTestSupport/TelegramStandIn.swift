public import Foundation

/// The Telegram Bot API stand-in (`fixtures/telegram/standin.py`) on a free loopback port, in its
/// own directory; stopped when released. Calls go through curl.
public final class TelegramStandIn: Sendable {
    /// What `standin.py start` prints.
    public struct State: Decodable, Sendable {
        /// `http://127.0.0.1:<port>/bot`: a client appends `<token>/<method>`.
        public var base_url: String
        /// `http://127.0.0.1:<port>`; the control API is under `/-/`.
        public var url: String
        public var token: String
        public var pid: Int32
        public var dir: String
    }

    public let state: State
    private let directory: TemporaryDirectory

    public var token: String { state.token }

    public init() throws {
        directory = try TemporaryDirectory("telegram")
        let run = directory.file("run")
        let started = try Tool.check(Self.python, [Self.script, "start", "--dir", run])
        do {
            state = try JSONDecoder().decode(State.self, from: started.stdoutBytes)
        } catch {
            _ = try? Tool.run(Self.python, [Self.script, "stop", "--dir", run])
            throw error
        }
    }

    deinit { stop() }

    /// Stops the stand-in (idempotent).
    public func stop() {
        _ = try? Tool.run(Self.python, [Self.script, "stop", "--dir", state.dir])
    }

    /// Calls Bot API `method` with a JSON body, as the bot would (`token` defaults to the bot's).
    public func call(_ method: String, _ params: [String: Any] = [:], token: String? = nil) throws -> BotAnswer {
        let body = try JSONSerialization.data(withJSONObject: params)
        return BotAnswer(try request(
            "POST", state.base_url + (token ?? state.token) + "/" + method, body: body, arguments: ["-H", "Content-Type: application/json"]))
    }

    /// Uploads `data` as `sendDocument`'s `document` (multipart), with `fields` beside it.
    public func sendDocument(chat: Int64, fileName: String, data: Data, fields: [String: String] = [:]) throws -> BotAnswer {
        let file = directory.file(UUID().uuidString)
        try data.write(to: URL(fileURLWithPath: file))
        var arguments = ["-F", "chat_id=\(chat)", "-F", "document=@\(file);filename=\(fileName)"]
        for (name, value) in fields { arguments += ["--form-string", "\(name)=\(value)"] }
        return BotAnswer(try request("POST", state.base_url + state.token + "/sendDocument", body: nil, arguments: arguments))
    }

    /// A control request (`path` after `/-/`); the decoded JSON answer.
    @discardableResult
    public func control(_ method: String, _ path: String, _ body: Any? = nil) throws -> Any? {
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        let answer = try request(method, state.url + "/-/" + path, body: data, arguments: ["-H", "Content-Type: application/json"])
        guard (200..<300).contains(answer.status) else { throw RigFailed(message: "control \(method) \(path): \(answer.text)") }
        return answer.json
    }

    /// Queues a user's message in `chat`; its update and message ids.
    @discardableResult
    /// `senderChat`: sent on behalf of that chat (the chat itself: an anonymous admin).
    public func queueMessage(chat: Int64, user: Int64, text: String, replyTo: Int? = nil, senderChat: Int64? = nil) throws -> (update: Int, message: Int) {
        var body: [String: Any] = ["type": "message", "chat_id": chat, "user_id": user, "text": text]
        if let replyTo { body["reply_to_message_id"] = replyTo }
        if let senderChat { body["sender_chat_id"] = senderChat }
        let answer = try control("POST", "updates", body) as? [String: Any]
        return (answer?["update_id"] as? Int ?? 0, answer?["message_id"] as? Int ?? 0)
    }

    /// Queues a button press on `message`; the callback query's id.
    public func queueCallback(chat: Int64, user: Int64, message: Int, data: String) throws -> String {
        let body: [String: Any] = ["type": "callback_query", "chat_id": chat, "user_id": user, "message_id": message, "data": data]
        return (try control("POST", "updates", body) as? [String: Any])?["callback_query_id"] as? String ?? ""
    }

    /// Makes `chat` known (a chat the bot is in).
    public func addChat(_ chat: Int64) throws { try control("POST", "chats", ["id": chat]) }

    /// Gives `user` a role in `chat`: creator, administrator, member, left or kicked.
    public func setRole(chat: Int64, user: Int64, _ status: String) throws {
        try control("POST", "members", ["chat_id": chat, "user_id": user, "status": status])
    }

    /// Queues a fault rule (see `fixtures/telegram/botapi/faults.py`).
    public func fault(_ rule: [String: Any]) throws { try control("POST", "faults", rule) }

    /// Every call the bot made, in order (of `method` only when given).
    public func journal(method: String? = nil) throws -> [[String: Any]] {
        try control("GET", "journal" + (method.map { "?method=\($0)" } ?? "")) as? [[String: Any]] ?? []
    }

    /// The messages of `chat` as the stand-in holds them (text after edits, deleted flags).
    public func messages(chat: Int64) throws -> [[String: Any]] {
        (try control("GET", "messages?chat_id=\(chat)") as? [String: Any])?[String(chat)] as? [[String: Any]] ?? []
    }

    private func request(_ method: String, _ url: String, body: Data?, arguments extra: [String]) throws -> RigAnswer {
        var arguments = ["-sS", "-D", "-", "-o", "-", "-X", method, "-H", "Expect:"] + extra
        if body != nil { arguments += ["--data-binary", "@-"] }
        let output = try Tool.run("curl", arguments + [url], input: body ?? Data())
        guard output.status == 0 else { throw RigFailed(message: "curl \(method) \(url): \(output.stderr)") }
        return try RigAnswer(curlOutput: output.stdoutBytes)
    }

    static let python = "/usr/bin/python3"
    static let script = TestPaths.fixture("telegram/standin.py")
}

/// One Bot API answer: the HTTP status and Telegram's envelope.
public struct BotAnswer: @unchecked Sendable {
    // @unchecked: `object` holds JSONSerialization values, which are immutable once decoded.
    public var status: Int
    public var object: [String: Any]

    init(_ answer: RigAnswer) {
        status = answer.status
        object = answer.object
    }

    public var ok: Bool { object["ok"] as? Bool ?? false }
    public var result: Any? { object["result"] }
    public var errorCode: Int? { object["error_code"] as? Int }
    public var description: String { object["description"] as? String ?? "" }
    public var retryAfter: Int? { (object["parameters"] as? [String: Any])?["retry_after"] as? Int }
}
