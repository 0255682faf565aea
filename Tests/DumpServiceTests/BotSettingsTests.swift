@testable import DumpService
import DumpCore
import Foundation
import Telegram
import Testing

/// The bot's settings from the environment, and a job's status view from the queue's record.
@Suite struct BotSettingsTests {
    let base = ["TELEGRAM_BOT_TOKEN": "123:abc", "ALLOWED_CHATS": "[-1001, -1002]"]

    @Test func chatListsInBothForms() throws {
        #expect(try BotSettings(environment: base).allowedChats == [-1001, -1002])
        var comma = base
        comma["ALLOWED_CHATS"] = "-1001,-1002"
        comma["SUDO_USERS"] = "[7]"
        let settings = try BotSettings(environment: comma)
        #expect(settings.allowedChats == [-1001, -1002] && settings.sudoUsers == [7])
        #expect(settings.apiBase == "https://api.telegram.org/bot")
    }

    @Test func whitelistInBothForms() throws {
        for given in ["d.miui.com, https://dl.google.com/", #"["d.miui.com", "https://dl.google.com/"]"#] {
            var environment = base
            environment["SOURCE_WHITELIST"] = given
            let whitelist = try BotSettings(environment: environment).whitelist
            #expect(whitelist.hosts == ["d.miui.com", "dl.google.com"], "\(given)")
            #expect(whitelist.allows("https://bigota.d.miui.com/fw.zip"))
        }
    }

    @Test func apiBaseTakesAServerOrItsBotPath() throws {
        for (given, expected) in [("http://127.0.0.1:8081", "http://127.0.0.1:8081/bot"), ("http://h/bot/", "http://h/bot")] {
            var environment = base
            environment["TELEGRAM_API_BASE_URL"] = given
            #expect(try BotSettings(environment: environment).apiBase == expected)
        }
    }

    @Test(arguments: [
        ["ALLOWED_CHATS": "[-1001]"],
        ["TELEGRAM_BOT_TOKEN": "123:abc"],
        ["TELEGRAM_BOT_TOKEN": "123:abc", "ALLOWED_CHATS": "[x]"],
        ["TELEGRAM_BOT_TOKEN": "123:abc", "ALLOWED_CHATS": "1", "REQUEST_CHAT_ID": "-5"],
        ["TELEGRAM_BOT_TOKEN": "123:abc", "ALLOWED_CHATS": "1", "TELEGRAM_CHANNEL": "dumps"],
        ["TELEGRAM_BOT_TOKEN": "123:abc", "ALLOWED_CHATS": "1", "TELEGRAM_API_BASE_URL": "ftp://x"],
        ["TELEGRAM_BOT_TOKEN": "123:abc", "ALLOWED_CHATS": "1", "TELEGRAM_TEXT_REQUEST_TIMEOUT": "0"],
        ["TELEGRAM_BOT_TOKEN": "123:abc", "ALLOWED_CHATS": "1", "SOURCE_WHITELIST_FILE": "/nonexistent/list"],
    ])
    func badSettingsAreRefusedByName(environment: [String: String]) {
        #expect(throws: UsageError.self) { try BotSettings(environment: environment) }
    }

    @Test func theTokenIsNeverInTheRefusal() {
        do {
            _ = try BotSettings(environment: ["TELEGRAM_BOT_TOKEN": "123:secret-token", "ALLOWED_CHATS": "[x]"])
            Issue.record("accepted")
        } catch {
            #expect(!"\(error)".contains("secret-token"))
        }
    }

    @Test func aRunningJobShowsItsStepDetailAndDevice() {
        let record = StatusRecord(chat: -1, message: 5, options: "p", requester: 7)
        let payload = String(decoding: try! JSONEncoder().encode(JobRequest(url: "https://h/secret.zip", isPrivate: true)), as: UTF8.self)
        let fields = [
            "state": "PROCESSING", "step": "3", "pct": "24", "detail": "secret.zip: reading members", "worker": "w1", "device": "acme rocket",
            "created": "1000", "attempts": "1", "payload": payload,
        ]
        let view = JobStatusReading.view(job: "j", record: record, fields: fields, now: 76_000)
        #expect(view.phase == .running && view.step == 3 && view.percent == 24 && view.elapsedSeconds == 75)
        #expect(view.device == "acme rocket" && view.worker == "w1")
        #expect(!view.detail.contains("secret"), "a private job's detail loses its file name: \(view.detail)")
        // An event of an earlier step, read late, shows that step.
        let late = JobStatusReading.view(job: "j", record: record, fields: fields, now: 76_000, step: 2)
        #expect(late.step == 2 && late.percent == 10 && late.detail.isEmpty)
    }

    @Test func aCompletedJobLinksItsBranch() {
        let record = StatusRecord(chat: -1, message: 5, options: "", requester: 7)
        let result = #"{"status":"dumped","repository":"https://gitlab.example/dumps/acme/rocket","branch":"rocket-user 14","commit":"abc","brand":"acme","codename":"rocket","files":3,"fingerprint":"acme/rocket/rocket:14/X/1:user/release-keys"}"#
        let fields = ["state": "COMPLETED", "result": result, "created": "0", "finished": "5000"]
        let view = JobStatusReading.view(job: "j", record: record, fields: fields, now: 99_000)
        #expect(view.phase == .completed && view.elapsedSeconds == 5)
        #expect(view.repository == "https://gitlab.example/dumps/acme/rocket/-/tree/rocket-user%2014")
        #expect(view.fingerprint == "acme/rocket/rocket:14/X/1:user/release-keys" && view.device == "acme rocket")
        let again = JobStatusReading.view(job: "j", record: record, fields: ["state": "COMPLETED", "result": result.replacingOccurrences(of: "\"dumped\"", with: "\"already_dumped\"")], now: 0)
        #expect(again.phase == .alreadyDumped)
    }

    @Test func reviewCardsNameTheirRequest() {
        let card = TelegramUpdateFixture.replied("Dump request from @x\nURL: https://h/f.zip\nRequest ID: 0badcafe\nNo notes")
        #expect(ReviewFlow.requestID(in: card) == "0badcafe")
        #expect(ReviewFlow.requestID(in: TelegramUpdateFixture.replied("Request ID: nothex!!")) == nil)
        #expect(ReviewFlow.requestID(in: nil) == nil)
    }
}

/// Bot API objects as Telegram sends them (decoded, as the client does).
enum TelegramUpdateFixture {
    static func replied(_ text: String) -> TelegramUpdate.RepliedMessage? {
        let json = try? JSONSerialization.data(withJSONObject: ["message_id": 3, "text": text])
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return json.flatMap { try? decoder.decode(TelegramUpdate.RepliedMessage.self, from: $0) }
    }
}
