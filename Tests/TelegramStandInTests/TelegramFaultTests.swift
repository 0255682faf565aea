import DumpTestSupport
import Foundation
import Testing

/// Injected faults: the next `count` calls of a method get Telegram's error (and do nothing), or
/// stall; the call after them goes through.
@Suite struct TelegramFaultTests {
    static let chat: Int64 = -100_777

    struct Case: Sendable, CustomStringConvertible {
        var kind: String
        var status: Int
        var description: String
        var retryAfter: Int?
    }

    static let errors = [
        Case(kind: "429", status: 429, description: "Too Many Requests: retry after 4", retryAfter: 4),
        Case(kind: "403", status: 403, description: "Forbidden: bot was blocked by the user"),
        Case(kind: "400", status: 400, description: "Bad Request: chat not found"),
        Case(kind: "500", status: 500, description: "Internal Server Error"),
    ]

    @Test(arguments: errors) func anErrorFaultAnswersLikeTelegramAndChangesNothing(_ error: Case) throws {
        let standIn = try TelegramStandIn()
        try standIn.addChat(Self.chat)
        try standIn.fault(["method": "sendMessage", "kind": error.kind, "count": 2, "retry_after": 4])
        for _ in 0..<2 {
            let answer = try standIn.call("sendMessage", ["chat_id": Self.chat, "text": "status"])
            #expect(answer.status == error.status && answer.errorCode == error.status && !answer.ok, "\(answer.object)")
            #expect(answer.description == error.description)
            #expect(answer.retryAfter == error.retryAfter)
        }
        #expect(try standIn.messages(chat: Self.chat).isEmpty, "a refused call sends nothing")
        #expect(try standIn.call("sendMessage", ["chat_id": Self.chat, "text": "status"]).ok, "the third call goes through")
        #expect(try standIn.journal().compactMap { $0["fault"] as? String } == [error.kind, error.kind])
    }

    @Test func aFaultHitsOnlyItsMethod() throws {
        let standIn = try TelegramStandIn()
        try standIn.addChat(Self.chat)
        try standIn.fault(["method": "editMessageText", "kind": "429", "retry_after": 9])
        #expect(try standIn.call("sendMessage", ["chat_id": Self.chat, "text": "a"]).ok)
        #expect(try standIn.call("editMessageText", ["chat_id": Self.chat, "message_id": 1, "text": "b"]).retryAfter == 9)
    }

    @Test func aStallDelaysTheCallThenCarriesItOut() throws {
        let standIn = try TelegramStandIn()
        try standIn.addChat(Self.chat)
        try standIn.fault(["method": "sendMessage", "kind": "stall", "seconds": 1.5])
        let started = Date()
        let answer = try standIn.call("sendMessage", ["chat_id": Self.chat, "text": "late"])
        let elapsed = Date().timeIntervalSince(started)
        #expect(answer.ok && elapsed >= 1.4 && elapsed < 4, "\(elapsed) s: \(answer.object)")
        #expect(try standIn.messages(chat: Self.chat).map { $0["text"] as? String } == ["late"])
    }
}
