extension TelegramClient {
    /// New updates from `offset` on (confirming those below it), waiting up to `timeout` seconds.
    public func updates(offset: Int64?, timeout: Int) throws(TelegramError) -> [TelegramUpdate] {
        var parameters: [String: Any] = ["timeout": timeout, "allowed_updates": ["message", "callback_query"]]
        if let offset { parameters["offset"] = offset }
        return try decode([TelegramUpdate].self, try call("getUpdates", parameters, wait: .seconds(timeout)), "getUpdates")
    }

    /// The bot's own user (its id and username).
    public func me() throws(TelegramError) -> TelegramUpdate.User {
        try decode(TelegramUpdate.User.self, try call("getMe"), "getMe")
    }

    /// Sends HTML `text`; returns the new message's id. `replyTo` is a message of `replyChat`
    /// (another chat: a cross-chat reply) or of `chat`; a reply to a message that is gone is sent
    /// anyway.
    @discardableResult
    public func sendMessage(
        chat: Int64, html text: String, replyTo: Int? = nil, replyChat: Int64? = nil, buttons: [[TelegramButton]] = []
    ) throws(TelegramError) -> Int {
        try sendMessage(chatID: chat, html: text, replyTo: replyTo, replyChat: replyChat, buttons: buttons)
    }

    /// Sends HTML `text` to a chat named by its `@username` (a public channel) or id.
    @discardableResult
    public func sendMessage(channel: String, html text: String) throws(TelegramError) -> Int {
        try sendMessage(chatID: Int64(channel) ?? channel as Any, html: text, replyTo: nil, replyChat: nil, buttons: [])
    }

    private func sendMessage(chatID: Any, html text: String, replyTo: Int?, replyChat: Int64?, buttons: [[TelegramButton]]) throws(TelegramError) -> Int {
        var parameters: [String: Any] = ["chat_id": chatID, "text": text, "parse_mode": "HTML", "disable_web_page_preview": true]
        if let replyTo {
            var reply: [String: Any] = ["message_id": replyTo, "allow_sending_without_reply": true]
            if let replyChat { reply["chat_id"] = replyChat }
            parameters["reply_parameters"] = reply
        }
        if !buttons.isEmpty { parameters["reply_markup"] = Self.keyboard(buttons) }
        return try decode(TelegramUpdate.Message.self, try call("sendMessage", parameters), "sendMessage").messageId
    }

    /// Replaces a message's HTML text (and keyboard: Telegram drops one not sent again). An
    /// edit to the same text succeeds.
    public func editMessage(chat: Int64, message: Int, html text: String, buttons: [[TelegramButton]] = []) throws(TelegramError) {
        var parameters: [String: Any] = ["chat_id": chat, "message_id": message, "text": text, "parse_mode": "HTML", "disable_web_page_preview": true]
        if !buttons.isEmpty { parameters["reply_markup"] = Self.keyboard(buttons) }
        try call("editMessageText", parameters)
    }

    public func deleteMessage(chat: Int64, message: Int) throws(TelegramError) {
        try call("deleteMessage", ["chat_id": chat, "message_id": message])
    }

    /// Answers a button press; `alert` shows `text` as a dialog rather than a passing notice.
    public func answerCallback(_ id: String, text: String? = nil, alert: Bool = false) throws(TelegramError) {
        var parameters: [String: Any] = ["callback_query_id": id]
        if let text { parameters["text"] = text }
        if alert { parameters["show_alert"] = true }
        try call("answerCallbackQuery", parameters)
    }

    /// `creator`, `administrator`, `member`, `restricted`, `left` or `kicked`.
    public func memberStatus(chat: Int64, user: Int64) throws(TelegramError) -> String {
        let result = try call("getChatMember", ["chat_id": chat, "user_id": user])
        guard let status = (result as? [String: Any])?["status"] as? String else {
            throw TelegramError(method: "getChatMember", code: 0, message: "an answer without a status")
        }
        return status
    }

    public func setCommands(_ commands: [(command: String, description: String)]) throws(TelegramError) {
        try call("setMyCommands", ["commands": commands.map { ["command": $0.command, "description": $0.description] }])
    }

    /// Sends a file (a failure document) with an HTML caption; returns the message id.
    @discardableResult
    public func sendDocument(chat: Int64, fileName: String, contents: [UInt8], html caption: String? = nil, replyTo: Int? = nil) throws(TelegramError) -> Int {
        var fields: [(String, String)] = [("chat_id", String(chat))]
        if let caption { fields += [("caption", caption), ("parse_mode", "HTML")] }
        if let replyTo { fields.append(("reply_parameters", "{\"message_id\":\(replyTo),\"allow_sending_without_reply\":true}")) }
        let form = MultipartForm(fields: fields, file: (field: "document", name: fileName, contents: contents))
        return try decode(TelegramUpdate.Message.self, try call("sendDocument", body: form.body, contentType: form.contentType), "sendDocument").messageId
    }

    static func keyboard(_ rows: [[TelegramButton]]) -> [String: Any] {
        ["inline_keyboard": rows.map { $0.map { ["text": $0.text, "callback_data": $0.data] } }]
    }
}
