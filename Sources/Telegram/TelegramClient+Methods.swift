extension TelegramClient {
    /// New updates from `offset` on (confirming those below it), waiting up to `timeout` seconds.
    public func updates(offset: Int64?, timeout: Int) throws(TelegramError) -> [TelegramUpdate] {
        var parameters: [String: Any] = ["timeout": timeout, "allowed_updates": ["message", "callback_query"]]
        if let offset { parameters["offset"] = offset }
        return try decode([TelegramUpdate].self, try call("getUpdates", parameters, wait: .seconds(timeout)), "getUpdates")
    }

    /// Sends HTML `text`; returns the new message's id.
    @discardableResult
    public func sendMessage(chat: Int64, html text: String, replyTo: Int? = nil, buttons: [[TelegramButton]] = []) throws(TelegramError) -> Int {
        var parameters: [String: Any] = ["chat_id": chat, "text": text, "parse_mode": "HTML", "disable_web_page_preview": true]
        if let replyTo { parameters["reply_to_message_id"] = replyTo }
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

    public func answerCallback(_ id: String, text: String? = nil) throws(TelegramError) {
        var parameters: [String: Any] = ["callback_query_id": id]
        if let text { parameters["text"] = text }
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
    public func sendDocument(chat: Int64, fileName: String, contents: [UInt8], html caption: String? = nil) throws(TelegramError) -> Int {
        var fields: [(String, String)] = [("chat_id", String(chat))]
        if let caption { fields += [("caption", caption), ("parse_mode", "HTML")] }
        let form = MultipartForm(fields: fields, file: (field: "document", name: fileName, contents: contents))
        return try decode(TelegramUpdate.Message.self, try call("sendDocument", body: form.body, contentType: form.contentType), "sendDocument").messageId
    }

    static func keyboard(_ rows: [[TelegramButton]]) -> [String: Any] {
        ["inline_keyboard": rows.map { $0.map { ["text": $0.text, "callback_data": $0.data] } }]
    }
}
