import DumpTestSupport
import Foundation
import Testing

/// What tests of the bot read back: the journal of calls and each chat's messages after sends,
/// edits and deletes; and Telegram's refusals (HTML, not modified, tokens).
@Suite struct TelegramMessageStateTests {
    static let chat: Int64 = -100_555

    @Test func sendsEditsAndDeletesShowInTheMessagesAndTheJournal() throws {
        let standIn = try TelegramStandIn()
        let command = try standIn.queueMessage(chat: Self.chat, user: 7, text: "/dump https://example.com/fw.zip p")
        let sent = try standIn.call("sendMessage", ["chat_id": Self.chat, "text": "<b>Queued</b> 0%", "parse_mode": "HTML"])
        let id = (sent.result as? [String: Any])?["message_id"] as? Int
        #expect(sent.ok && id == command.message + 1, "ids increase per chat: \(sent.object)")
        let edited = try standIn.call("editMessageText", ["chat_id": Self.chat, "message_id": id ?? 0, "text": "Step 2/10 20%"])
        #expect(edited.ok && (edited.result as? [String: Any])?["message_id"] as? Int == id, "an edit keeps the id")
        #expect(try standIn.call("deleteMessage", ["chat_id": Self.chat, "message_id": command.message]).result as? Bool == true)

        let messages = try standIn.messages(chat: Self.chat)
        #expect(messages.map { $0["message_id"] as? Int } == [command.message, id])
        #expect(messages.map { $0["deleted"] as? Bool } == [true, false])
        #expect(messages.last?["text"] as? String == "Step 2/10 20%" && messages.last?["edits"] as? Int == 1)

        let journal = try standIn.journal()
        #expect(journal.map { $0["method"] as? String } == ["sendMessage", "editMessageText", "deleteMessage"])
        let params = journal.first?["params"] as? [String: Any]
        #expect(params?["text"] as? String == "<b>Queued</b> 0%" && params?["parse_mode"] as? String == "HTML", "as sent")
        #expect(try standIn.journal(method: "editmessagetext").count == 1)
    }

    @Test func aDocumentIsRecordedWithItsNameAndBytes() throws {
        let standIn = try TelegramStandIn()
        try standIn.addChat(Self.chat)
        let bytes = Data((0..<300).map { UInt8($0 % 256) })
        let answer = try standIn.sendDocument(chat: Self.chat, fileName: "dump_failure_ab.txt", data: bytes, fields: ["caption": "<i>Failure log</i>", "parse_mode": "HTML"])
        let document = (answer.result as? [String: Any])?["document"] as? [String: Any]
        #expect(answer.ok && document?["file_name"] as? String == "dump_failure_ab.txt" && document?["file_size"] as? Int == 300, "\(answer.object)")
        #expect((answer.result as? [String: Any])?["caption"] as? String == "Failure log")
        let file = (try standIn.journal(method: "sendDocument").first?["files"] as? [[String: Any]])?.first
        #expect(file?["filename"] as? String == "dump_failure_ab.txt")
        #expect((file?["base64"] as? String).flatMap { Data(base64Encoded: $0) } == bytes)
    }

    @Test func telegramsRefusalsKeepTheirShape() throws {
        let standIn = try TelegramStandIn()
        try standIn.addChat(Self.chat)
        let html = try standIn.call("sendMessage", ["chat_id": Self.chat, "text": "<b>open", "parse_mode": "HTML"])
        #expect(html.status == 400 && html.errorCode == 400 && html.description.hasPrefix("Bad Request: can't parse entities: "), "\(html.object)")
        let unknown = try standIn.call("sendMessage", ["chat_id": Self.chat, "text": "<p>x</p>", "parse_mode": "HTML"])
        #expect(unknown.description == "Bad Request: can't parse entities: Unsupported start tag \"p\" at byte offset 0")
        let sent = try standIn.call("sendMessage", ["chat_id": Self.chat, "text": "same"])
        let id = (sent.result as? [String: Any])?["message_id"] as? Int ?? 0
        let same = try standIn.call("editMessageText", ["chat_id": Self.chat, "message_id": id, "text": "same"])
        #expect(same.status == 400 && same.description.hasPrefix("Bad Request: message is not modified: "), "\(same.object)")
        let wrong = try standIn.call("getMe", token: "123:" + String(repeating: "A", count: 35))
        #expect(wrong.status == 401 && wrong.object["description"] as? String == "Unauthorized" && !wrong.ok)
        let malformed = try standIn.call("getMe", token: "not-a-token")
        #expect(malformed.status == 404 && malformed.description == "Not Found")
        #expect(try standIn.call("noSuchMethod").status == 404)
        #expect(try standIn.call("GETME").ok, "method names are case-insensitive")
    }
}
