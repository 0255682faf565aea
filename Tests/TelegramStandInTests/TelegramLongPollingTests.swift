import DumpTestSupport
import Foundation
import Testing

/// getUpdates: a long poll returns as soon as an update is queued, after its timeout when none
/// is, and an offset confirms the updates below it.
@Suite struct TelegramLongPollingTests {
    static let chat: Int64 = -1001

    @Test func aQueuedUpdateEndsTheLongPollAtOnce() throws {
        let standIn = try TelegramStandIn()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) {
            _ = try? standIn.queueMessage(chat: Self.chat, user: 7, text: "/status")
        }
        let started = Date()
        let answer = try standIn.call("getUpdates", ["timeout": 10])
        let elapsed = Date().timeIntervalSince(started)
        let updates = answer.result as? [[String: Any]] ?? []
        #expect(answer.ok && updates.count == 1, "\(answer.object)")
        #expect((updates.first?["message"] as? [String: Any])?["text"] as? String == "/status")
        #expect(elapsed >= 0.4 && elapsed < 3, "returned after \(elapsed) s")
    }

    @Test func anEmptyLongPollLastsItsTimeout() throws {
        let standIn = try TelegramStandIn()
        let started = Date()
        let answer = try standIn.call("getUpdates", ["timeout": 2])
        let elapsed = Date().timeIntervalSince(started)
        #expect(answer.ok && (answer.result as? [Any])?.isEmpty == true, "\(answer.object)")
        #expect(elapsed >= 1.9 && elapsed < 4, "returned after \(elapsed) s")
    }

    @Test func anOffsetConfirmsTheUpdatesBelowIt() throws {
        let standIn = try TelegramStandIn()
        let ids = try (1...3).map { try standIn.queueMessage(chat: Self.chat, user: 7, text: "m\($0)").update }
        #expect(ids == ids.sorted() && Set(ids).count == 3)
        let all = try standIn.call("getUpdates").result as? [[String: Any]] ?? []
        #expect(all.map { $0["update_id"] as? Int } == ids, "unconfirmed updates are sent again")
        let rest = try standIn.call("getUpdates", ["offset": ids[1]]).result as? [[String: Any]] ?? []
        #expect(rest.map { $0["update_id"] as? Int } == Array(ids[1...]))
        #expect((try standIn.control("GET", "updates") as? [Any])?.count == 2, "the first is forgotten")
        let none = try standIn.call("getUpdates", ["offset": ids[2] + 1]).result as? [Any]
        #expect(none?.isEmpty == true)
        #expect((try standIn.control("GET", "updates") as? [Any])?.isEmpty == true)
    }
}
