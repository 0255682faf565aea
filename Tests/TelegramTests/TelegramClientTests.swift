import DumpCore
import DumpTestSupport
import Foundation
import Telegram
import Testing

/// The Bot API client against the stand-in (proven with python-telegram-bot in
/// TelegramStandInTests).
@Suite struct TelegramClientTests {
    let chat: Int64 = -1001

    static func client(_ standIn: TelegramStandIn, deadline: Duration = .seconds(10)) -> TelegramClient {
        TelegramClient(baseURL: standIn.state.base_url, token: standIn.token, deadline: deadline)
    }

    @Test func messagesAreSentEditedAndDeletedAndASameTextEditSucceeds() throws {
        let standIn = try TelegramStandIn()
        try standIn.addChat(chat)
        let bot = Self.client(standIn)
        let id = try bot.sendMessage(chat: chat, html: "<b>Queued</b> " + TelegramHTML.escaped("a<b>&c"), buttons: [[TelegramButton("Cancel", data: "cancel:1")]])
        try bot.editMessage(chat: chat, message: id, html: "<b>Running</b> step 2/10")
        try bot.editMessage(chat: chat, message: id, html: "<b>Running</b> step 2/10")  // not modified: fine
        let messages = try standIn.messages(chat: chat)
        #expect(messages.first?["text"] as? String == "Running step 2/10", "\(messages)")
        try bot.deleteMessage(chat: chat, message: id)
        #expect(try standIn.messages(chat: chat).first?["deleted"] as? Bool == true)
        let sent = try standIn.journal(method: "sendMessage").first?["params"] as? [String: Any]
        #expect((sent?["text"] as? String)?.contains("a&lt;b&gt;&amp;c") == true, "\(String(describing: sent))")
    }

    @Test func updatesArriveWithOffsetsAndRolesAreRead() throws {
        let standIn = try TelegramStandIn()
        try standIn.addChat(chat)
        try standIn.setRole(chat: chat, user: 7, "administrator")
        let bot = Self.client(standIn)
        _ = try standIn.queueMessage(chat: chat, user: 7, text: "/dump https://example.com/fw.zip")
        let first = try bot.updates(offset: nil, timeout: 5)
        #expect(first.count == 1 && first.first?.message?.text == "/dump https://example.com/fw.zip" && first.first?.message?.from?.id == 7)
        let started = ContinuousClock.now
        #expect(try bot.updates(offset: first[0].updateId + 1, timeout: 1).isEmpty)
        #expect(ContinuousClock.now - started >= .milliseconds(900), "a long poll waits")
        #expect(try bot.memberStatus(chat: chat, user: 7) == "administrator")
        #expect(try bot.memberStatus(chat: chat, user: 8) == "member")
        try bot.setCommands([("dump", "dump a firmware"), ("status", "the queue")])
    }

    @Test func retryAfterIsHonouredOtherErrorsAreNamedWithoutTheToken() throws {
        let standIn = try TelegramStandIn()
        try standIn.addChat(chat)
        let bot = Self.client(standIn)
        try standIn.fault(["method": "sendMessage", "kind": "429", "retry_after": 1])
        let started = ContinuousClock.now
        _ = try bot.sendMessage(chat: chat, html: "after a flood wait")
        #expect(ContinuousClock.now - started >= .seconds(1), "retry_after was waited for")
        try standIn.fault(["method": "sendMessage", "kind": "403"])
        let blocked = #expect(throws: TelegramError.self) { try bot.sendMessage(chat: chat, html: "x") }
        #expect(blocked?.code == 403 && blocked?.description.contains("Telegram: sendMessage: 403") == true, "\(String(describing: blocked))")
        #expect(blocked?.description.contains(standIn.token) == false)
        let wrongToken = "123456789:" + String(repeating: "W", count: 35)
        let wrong = TelegramClient(baseURL: standIn.state.base_url, token: wrongToken)
        let refused = #expect(throws: TelegramError.self) { try wrong.sendMessage(chat: chat, html: "x") }
        #expect(refused?.code == 401 && refused?.description.contains(wrongToken) == false, "\(String(describing: refused))")
        // A flood wait longer than the deadline is not waited for: the caller decides.
        try standIn.fault(["method": "editMessageText", "kind": "429", "retry_after": 60])
        let hurried = Self.client(standIn, deadline: .seconds(3))
        let flood = #expect(throws: TelegramError.self) { try hurried.editMessage(chat: chat, message: 1, html: "x") }
        #expect(flood?.retryAfter == 60)
    }

    @Test func aFailureDocumentIsUploaded() throws {
        let standIn = try TelegramStandIn()
        try standIn.addChat(chat)
        let log = Array("unpack container failed: fw.zip: truncated or corrupt zip\n".utf8)
        let id = try Self.client(standIn).sendDocument(chat: chat, fileName: "job-1 \"failure\".txt", contents: log, html: "<b>Failed</b> at step 3")
        #expect(id > 0)
        let call = try #require(try standIn.journal(method: "sendDocument").first, "the upload is in the journal")
        let file = try #require((call["files"] as? [[String: Any]])?.first, "\(call)")
        #expect(file["field"] as? String == "document" && file["filename"] as? String == "job-1 failure.txt", "quotes dropped: \(file)")
        #expect(file["base64"] as? String == Data(log).base64EncodedString(), "the bytes as sent")
        #expect((call["params"] as? [String: Any])?["caption"] as? String == "<b>Failed</b> at step 3")
    }

    @Test func aStallingServerIsCutAtTheDeadline() throws {
        let standIn = try TelegramStandIn()
        try standIn.addChat(chat)
        try standIn.fault(["method": "sendMessage", "kind": "stall", "seconds": 20])
        let started = ContinuousClock.now
        let stalled = #expect(throws: TelegramError.self) { try Self.client(standIn, deadline: .seconds(2)).sendMessage(chat: chat, html: "x") }
        #expect(ContinuousClock.now - started < .seconds(6))
        #expect(stalled?.mayHaveApplied == true, "the request was sent: Telegram may have carried it out")
    }

    @Test func aNewMessageIsNotSentAgainAfterACallThatGotNoAnswer() throws {
        let standIn = try TelegramStandIn()
        try standIn.addChat(chat)
        // Only the first call stalls (it is journaled when it ends): a second one would pass at once.
        try standIn.fault(["method": "sendMessage", "kind": "stall", "seconds": 3, "count": 1])
        #expect(throws: TelegramError.self) { try Self.client(standIn, deadline: .seconds(2)).sendMessage(chat: chat, html: "once") }
        Thread.sleep(forTimeInterval: 2)
        #expect(try standIn.journal(method: "sendMessage").count == 1)
    }

    @Test func aServerThatCannotBeReachedCarriedNothingOut() throws {
        let closed = try RedisServer.freePort()  // nothing listens there
        let client = TelegramClient(baseURL: "http://127.0.0.1:\(closed)/bot", token: "1:a", deadline: .seconds(3))
        let refused = #expect(throws: TelegramError.self) { try client.sendMessage(chat: chat, html: "x") }
        #expect(refused?.code == 0 && refused?.mayHaveApplied == false, "\(String(describing: refused))")
    }
}
