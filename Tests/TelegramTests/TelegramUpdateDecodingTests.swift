import Foundation
import Telegram
import Testing

/// Updates as getUpdates returns them, decoded as the client does.
@Suite struct TelegramUpdateDecodingTests {
    static func decode(_ json: String) throws -> [TelegramUpdate] {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode([TelegramUpdate].self, from: Data(json.utf8))
    }

    @Test func anUpdateOfAnUnexpectedShapeKeepsItsIDAndTheOthersTheirMessages() throws {
        let updates = try Self.decode(#"""
            [{"update_id": 10, "message": {"message_id": 1, "chat": {"id": "not a number"}, "text": "/dump x"}},
             {"update_id": 11, "callback_query": {"id": "q", "from": "nobody"}},
             {"update_id": 12, "message": {"message_id": 2, "chat": {"id": -1001, "type": "group"}, "from": {"id": 7, "first_name": "A"}, "text": "/status"}},
             {"update_id": 13, "edited_message": {"message_id": 3}}]
            """#)
        #expect(updates.map(\.updateId) == [10, 11, 12, 13])
        #expect(updates[0].message == nil && updates[1].callbackQuery == nil && updates[3].message == nil)
        #expect(updates[2].message?.text == "/status" && updates[2].message?.from?.shownName == "A")
    }
}
