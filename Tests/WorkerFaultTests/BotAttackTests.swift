import DumpTestSupport
import Foundation
import JobQueue
import Testing

/// Hostile and unlucky inputs against `dumpyard bot`, end to end (the rig of BotTests: the Bot
/// API stand-in, a real redis-server, real worker processes). Each test states what the bot must
/// do (from an adversarial review; each held, or was fixed with the test).
@Suite(.serialized) struct BotAttackTests {
    // MARK: - Private dumps

    @Test("/dump … p of a file the server names (Content-Disposition) or reaches by a redirect: that name shows in no call")
    func privateDumpKeepsTheServedFileNameHidden() throws {
        let rig = try BotRig()
        let bot = try rig.startBot()
        let worker = try rig.startWorker()
        // Not firmware: the job fails at step 3 with an error naming the downloaded file.
        try rig.say("/dump \(rig.files.url("/files/fw?size=5000&seed=3&name=SECRETdisposition.zip")) p")
        let target = "http://localhost:\(rig.files.port)/files/SECRETredirect.bin?size=5000&seed=4"
        let encoded = target.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? target
        try rig.say("/dump \(rig.files.url("/redirect?to=\(encoded)")) p")
        #expect(rig.queue.wait(for: .seconds(20)) { try rig.botMessages().filter { ($0["text"] as? String)?.contains("Job: ") == true }.count == 2 }, explain([bot]))
        let jobs = try rig.botMessages().compactMap { BotRig.job(in: $0) }
        #expect(rig.queue.wait(for: .seconds(90)) { try jobs.allSatisfy { try rig.queue.state($0) == .failed } }, explain([bot, worker]))
        #expect(rig.queue.wait(for: .seconds(20)) { try rig.telegram.journal(method: "sendDocument").count == 2 }, explain([bot]))
        Thread.sleep(forTimeInterval: 1)
        let calls = try rig.allCallsWithDocuments()
        for trace in ["SECRETdisposition", "SECRETredirect"] {
            #expect(!calls.contains(trace), "\(trace) (the private dump's file name) appears in a Bot API call: …\(BotRig.around(trace, in: calls))")
        }
    }

    @Test("A #request accepted as private (/accept <id> p) while the URL is being dumped: its #request is deleted too")
    func privateRequestAnsweredEarlyLosesItsRequest() throws {
        let rig = try BotRig()
        let bot = try rig.startBot()  // no worker: the first job stays queued
        let url = rig.firmwareURL(tag: "secret-early-42")
        try rig.say("/dump \(url)", from: BotRig.admin)
        #expect(rig.waitForMessage(containing: "Job: ") != nil, explain([bot]))
        let request = try rig.say("#request \(url) thanks", in: BotRig.requests, from: BotRig.requester)
        let card = rig.waitForMessage(containing: "Request ID", in: BotRig.reviews)
        let id = try BotRig.requestID(in: card)
        try rig.say("/accept \(id) p", in: BotRig.reviews, from: BotRig.admin)
        #expect(rig.waitForMessage(containing: "being dumped", in: BotRig.requests) != nil, explain([bot]))
        Thread.sleep(forTimeInterval: 1.5)
        let left = try rig.telegram.messages(chat: BotRig.requests).first { $0["message_id"] as? Int == request }
        #expect(left?["deleted"] as? Bool == true, "the #request of a request accepted as private still shows its URL: \(String(describing: left))")
    }

    @Test("/dump … p while Telegram throttles (429, retry after 5 s) or fails (three 500s) the deletion: the command message is deleted all the same")
    func privateCommandIsDeletedDespiteFaults() throws {
        let rig = try BotRig()
        try rig.telegram.fault(["method": "deleteMessage", "kind": "429", "retry_after": 5, "count": 1])
        let bot = try rig.startBot()
        let throttled = try rig.say("/dump \(rig.firmwareURL(tag: "secret-throttled")) p")
        #expect(rig.waitForMessage(containing: "Job: ") != nil, explain([bot]))
        try rig.telegram.fault(["method": "deleteMessage", "kind": "500", "count": 3])
        let failed = try rig.say("/dump \(rig.firmwareURL(tag: "secret-500")) p")
        #expect(rig.queue.wait(for: .seconds(10)) { try rig.botMessages().filter { ($0["text"] as? String)?.contains("Job: ") == true }.count == 2 }, explain([bot]))
        for (message, what) in [(throttled, "429"), (failed, "500")] {
            let deleted = rig.queue.wait(for: .seconds(15)) {
                try rig.telegram.messages(chat: BotRig.group).first { $0["message_id"] as? Int == message }?["deleted"] as? Bool == true
            }
            #expect(deleted, "the private /dump met by a \(what) on deleteMessage still shows its URL in the group")
        }
    }

    @Test("Held: a private job's URL, host and file name stay out of /status (one job and all), cancel and retry answers, a failure document after /retry, and the early answers to the same URL")
    func privateFlowsStayPrivate() throws {
        let rig = try BotRig()
        let bot = try rig.startBot()
        let worker = try rig.startWorker()
        let slow = rig.firmwareURL(rate: 100_000, tag: "secret-slow-31")
        try rig.say("/dump \(slow) p")
        let running = try #require(BotRig.job(in: rig.waitForMessage(containing: "Job: ")), explain([bot]))
        #expect(rig.queue.wait(for: .seconds(30)) { try rig.queue.state(running) == .processing }, explain([bot, worker]))
        Thread.sleep(forTimeInterval: 1)
        for text in ["/status \(running)", "/status"] { _ = rig.answer(to: try rig.say(text)) }
        _ = rig.answer(to: try rig.say("/dump \(slow) p"))  // being dumped
        _ = rig.answer(to: try rig.say("/cancel \(running)", from: BotRig.admin))
        #expect(rig.queue.wait(for: .seconds(30)) { try rig.queue.state(running) == .cancelled }, explain([bot, worker]))
        _ = rig.answer(to: try rig.say("/retry \(running)", from: BotRig.admin))
        // A failure, retried: two documents.
        try rig.say("/dump \(rig.files.url("/status/404"))?secret-404 p")
        #expect(rig.queue.wait(for: .seconds(60)) { try rig.telegram.journal(method: "sendDocument").count == 1 }, explain([bot, worker]))
        let failed = try #require(try rig.botMessages().compactMap { BotRig.job(in: $0) }.first { $0 != running })
        try rig.say("/retry \(failed)", from: BotRig.admin)
        #expect(rig.queue.wait(for: .seconds(60)) { try rig.telegram.journal(method: "sendDocument").count == 2 }, explain([bot, worker]))
        // A completed one, then the same URL again: already dumped.
        let fast = rig.firmwareURL(tag: "secret-fast-32")
        try rig.say("/dump \(fast) p")
        #expect(rig.queue.wait(for: .seconds(120)) { (try rig.botMessages().filter { ($0["text"] as? String)?.contains("Private dump completed") == true }.count) == 1 }, explain([bot, worker]))
        _ = rig.answer(to: try rig.say("/dump \(fast) p"))
        #expect(rig.waitForMessage(containing: "Already dumped") != nil, explain([bot]))
        _ = rig.answer(to: try rig.say("/status"))
        Thread.sleep(forTimeInterval: 1)
        let calls = try rig.allCallsWithDocuments()
        for trace in ["secret-", "sample-firmware", "status/404", "127.0.0.1:\(rig.files.port)"] {
            #expect(!calls.contains(trace), "\(trace) appears in a Bot API call: …\(BotRig.around(trace, in: calls))")
        }
        #expect(try rig.telegram.messages(chat: BotRig.channel).isEmpty)
    }

    // MARK: - Authorization

    @Test("/restart confirmations: a forged button answer neither cancels an admin's confirmation nor restarts for someone who is no admin of the chat")
    func forgedRestartAnswers() throws {
        let rig = try BotRig()
        let reviewer: Int64 = 40  // creator of the review chat, a plain member of the group
        try rig.telegram.setRole(chat: BotRig.reviews, user: reviewer, "creator")
        try rig.telegram.setRole(chat: BotRig.group, user: reviewer, "member")
        let bot = try rig.startBot(environment: ["DUMPYARD_BOT_CONFIRM_MS": "60000"])
        func ask() throws -> (message: Int, token: String) {
            let before = try rig.telegram.journal(method: "sendMessage").count
            try rig.say("/restart", from: BotRig.admin)
            var sent: [String: Any]?
            _ = rig.queue.wait(for: .seconds(10)) {
                sent = try rig.telegram.journal(method: "sendMessage").dropFirst(before).last {
                    (($0["params"] as? [String: Any])?["text"] as? String)?.contains("Restart the bot?") == true && $0["ok"] as? Bool == true
                }
                return sent != nil
            }
            let keyboard = (((sent?["params"] as? [String: Any])?["reply_markup"] as? [String: Any])?["inline_keyboard"] as? [[[String: Any]]]) ?? []
            let data = try #require(keyboard.first?.first?["callback_data"] as? String, explain([bot]))
            let message = try #require(try rig.botMessages().last { ($0["text"] as? String)?.contains("Restart the bot?") == true }?["message_id"] as? Int)
            return (message, String(try #require(data.split(separator: ":").last)))
        }
        // A member answers "no" with their own id in the data.
        let first = try ask()
        _ = try rig.telegram.queueCallback(chat: BotRig.group, user: BotRig.member, message: first.message, data: "rs:no:\(BotRig.member):\(first.token)")
        Thread.sleep(forTimeInterval: 2)
        let text = try rig.botMessages().first { $0["message_id"] as? Int == first.message }?["text"] as? String ?? ""
        #expect(!text.contains("Restart cancelled"), "a member cancelled the admin's restart confirmation: \(text)")

        // The review chat's creator, a member of the group, answers "yes" on a bot message of the review chat.
        let second = try ask()
        let help = try rig.say("/help", in: BotRig.reviews, from: reviewer)
        let helpAnswer = try #require(rig.queue.wait(for: .seconds(10)) {
            try rig.botMessages(BotRig.reviews).contains { $0["reply_to_message_id"] as? Int == help }
        } ? try rig.botMessages(BotRig.reviews).first { $0["reply_to_message_id"] as? Int == help }?["message_id"] as? Int : nil, explain([bot]))
        _ = try rig.telegram.queueCallback(chat: BotRig.reviews, user: reviewer, message: helpAnswer, data: "rs:yes:\(reviewer):\(second.token)")
        Thread.sleep(forTimeInterval: 4)
        #expect(bot.output.components(separatedBy: "started as").count == 2, "restarted by a user who is no admin of the group: \(bot.output.suffix(1500))")
    }

    // MARK: - Ordering and loss

    @Test("A channel post and a failure document whose call stalls past the deadline (Telegram applies it late) go out once")
    func stalledSendsAreNotDuplicated() throws {
        let rig = try BotRig()
        try rig.telegram.fault(["method": "sendDocument", "kind": "stall", "seconds": 3, "count": 1])
        let bot = try rig.startBot(environment: ["TELEGRAM_DOCUMENT_REQUEST_TIMEOUT": "2"])
        let worker = try rig.startWorker()
        try rig.say("/dump \(rig.files.url("/status/404"))")
        try rig.say("/dump \(rig.firmwareURL(tag: "post-once"))")
        #expect(rig.queue.wait(for: .seconds(20)) { try rig.botMessages().filter { ($0["text"] as? String)?.contains("Job: ") == true }.count == 2 }, explain([bot]))
        // Both status messages are out: the next sendMessage is the channel post.
        try rig.telegram.fault(["method": "sendMessage", "kind": "stall", "seconds": 3, "count": 1])
        let jobs = try rig.botMessages().compactMap { BotRig.job(in: $0) }
        #expect(rig.queue.wait(for: .seconds(120)) { try jobs.allSatisfy { try rig.queue.state($0)?.isFinal == true } }, explain([bot, worker]))
        #expect(rig.queue.wait(for: .seconds(20)) { try rig.telegram.messages(chat: BotRig.channel).count >= 1 }, explain([bot]))
        Thread.sleep(forTimeInterval: 6)
        let posts = try rig.telegram.messages(chat: BotRig.channel)
        #expect(posts.count == 1, "channel posts: \(posts.count)")
        let documents = try rig.telegram.messages(chat: BotRig.group).filter { $0["document"] != nil }
        let sent = try rig.telegram.journal(method: "sendDocument").filter { $0["ok"] as? Bool == true }
        #expect(sent.count == 1, "failure documents delivered: \(sent.count) (\(documents.count) in the chat)")
    }

    @Test("A status message whose sendMessage stalls past the deadline: the job it names is queued and runs, the asker is told where to look and how it ended, no message names a job that does not exist")
    func stalledStatusMessageLeavesNoOrphan() throws {
        let rig = try BotRig()
        try rig.telegram.fault(["method": "sendMessage", "kind": "stall", "seconds": 3, "count": 1])
        let bot = try rig.startBot()
        let worker = try rig.startWorker()
        try rig.say("/dump \(rig.firmwareURL(tag: "orphan"))")
        let note = try #require(rig.waitForMessage(containing: "did not confirm its status message"), explain([bot]))
        let job = try #require((note["text"] as? String).flatMap { $0.split(separator: " ").dropFirst().first.map(String.init) })
        #expect(rig.queue.wait(for: .seconds(60)) { try rig.queue.state(job) == .completed }, explain([bot, worker]))
        Thread.sleep(forTimeInterval: 1)
        for status in try rig.botMessages().filter({ ($0["text"] as? String)?.contains("Job: ") == true }) {
            let named = try #require(BotRig.job(in: status))
            #expect(try rig.queue.state(named) != nil, "status message \(status["message_id"] ?? "") names job \(named), which was never queued")
        }
        #expect(try rig.telegram.messages(chat: BotRig.channel).count == 1, "the job's end is posted")
        #expect(rig.waitForMessage(containing: "Firmware dump completed") != nil, "and told in the chat, in a message of its own")
    }

    @Test("/status with five queued jobs whose URLs are long in UTF-16 but short in characters: it is answered")
    func statusOverviewFitsTelegram() throws {
        let rig = try BotRig()
        let bot = try rig.startBot()  // no worker: the jobs stay queued and followed
        let zalgo = "x" + String(repeating: "\u{0301}", count: 900)  // one character, 901 UTF-16 units
        for index in 0..<5 { try rig.say("/dump \(rig.files.url("/fw\(index).zip"))\(zalgo)") }
        #expect(rig.queue.wait(for: .seconds(20)) { try rig.botMessages().filter { ($0["text"] as? String)?.contains("Job: ") == true }.count == 5 }, explain([bot]))
        let status = try rig.say("/status")
        let reply = rig.answer(to: status)
        let refusals = try rig.telegram.journal(method: "sendMessage").compactMap { $0["description"] as? String }
        #expect(reply != nil, "no answer to /status: \(refusals) \(explain([bot]))")
    }

    @Test("A #request whose note is 285 accented letters, each with 13 combining marks (a message Telegram carries): the card reaches the review chat")
    func requestWithALongNoteIsReviewed() throws {
        let rig = try BotRig()
        let bot = try rig.startBot()
        let letter = "e" + String(repeating: "\u{0301}", count: 13)  // one character, 14 code points and UTF-16 units
        let text = "#request \(rig.firmwareURL(tag: "marks")) " + String(repeating: letter, count: 285)
        #expect(text.utf16.count <= 4096 && text.unicodeScalars.count <= 4096, "a message Telegram would carry: \(text.utf16.count) UTF-16 units")
        let request = try rig.say(text, in: BotRig.requests, from: BotRig.requester)
        let reply = rig.answer(to: request, in: BotRig.requests)
        #expect(reply?.contains("submitted for review") == true, "the requester was told: \(reply ?? "nothing"); \(explain([bot]))")
    }

    @Test("Held: a burst of 30 /dump commands (10 of one URL) in one batch: one status message and one job per distinct URL, the rest told it is being dumped")
    func burstOfDumps() throws {
        let rig = try BotRig()
        let bot = try rig.startBot()  // no worker
        for index in 0..<20 { try rig.say("/dump \(rig.firmwareURL(tag: "burst-\(index)"))") }
        for _ in 0..<10 { try rig.say("/dump \(rig.firmwareURL(tag: "same"))") }
        #expect(rig.queue.wait(for: .seconds(60)) { try rig.botMessages().filter { ($0["text"] as? String)?.contains("Job: ") == true }.count >= 21 }, explain([bot]))
        #expect(rig.queue.wait(for: .seconds(30)) { try rig.botMessages().filter { ($0["text"] as? String)?.contains("being dumped") == true }.count == 9 }, explain([bot]))
        Thread.sleep(forTimeInterval: 1)
        #expect(try rig.botMessages().filter { ($0["text"] as? String)?.contains("Job: ") == true }.count == 21)
        #expect(try rig.queue.queue.stats()["submitted"] ?? 0 == 21)
    }

    @Test("Held: /retry of a failed job: the same status message goes through the new attempt and ends failed again, with a second failure document")
    func retriedFailureIsShownAgain() throws {
        let rig = try BotRig()
        let bot = try rig.startBot()
        let worker = try rig.startWorker()
        try rig.say("/dump \(rig.files.url("/status/404"))")
        let status = rig.waitForMessage(containing: "Job: ")
        let job = try #require(BotRig.job(in: status), explain([bot]))
        let message = try #require(status?["message_id"] as? Int)
        #expect(rig.queue.wait(for: .seconds(60)) { try rig.telegram.journal(method: "sendDocument").count == 1 }, explain([bot, worker]))
        try rig.say("/retry \(job)", from: BotRig.admin)
        #expect(rig.queue.wait(for: .seconds(60)) { try rig.telegram.journal(method: "sendDocument").count == 2 }, explain([bot, worker]))
        Thread.sleep(forTimeInterval: 1)
        let text = try rig.botMessages().first { $0["message_id"] as? Int == message }?["text"] as? String ?? ""
        #expect(text.contains("failed"), "\(text)")
        let phases = try rig.edits(of: message).map { $0.contains("failed") ? "failed" : "running" }
        let collapsed = phases.reduce(into: [String]()) { if $0.last != $1 { $0.append($1) } }
        #expect(collapsed == ["running", "failed", "running", "failed"], "\(phases)")
    }

    @Test("Held: HTML and RTL in notes, names and URL paths are escaped; /status of a job not started by the bot; a member's /cancel@bot and forged review callbacks in other chats")
    func hostileButHarmless() throws {
        let rig = try BotRig()
        let bot = try rig.startBot()
        let queued = try rig.telegram.control("POST", "updates", [
            "type": "message", "chat_id": BotRig.requests, "user_id": 31, "first_name": "<b>Eve</b> & \u{202E}gnp.exe",
            "text": "#request \(rig.firmwareURL(tag: "x"))&q=\"<i>\" <a href=\"x\">note</a> &amp; \u{202E}lmth",
        ]) as? [String: Any]
        let request = try #require(queued?["message_id"] as? Int)
        #expect(rig.answer(to: request, in: BotRig.requests)?.contains("submitted") == true, explain([bot]))
        let card = rig.waitForMessage(containing: "Request ID", in: BotRig.reviews)
        let id = try BotRig.requestID(in: card)
        // A member's button presses with the card's data, on a message of the group and of the review chat.
        let marker = try rig.say("hello")
        _ = try rig.telegram.queueCallback(chat: BotRig.group, user: BotRig.admin, message: marker, data: "rv:submit:\(id)")
        _ = try rig.telegram.queueCallback(chat: BotRig.reviews, user: BotRig.member, message: try #require(card?["message_id"] as? Int), data: "rv:submit:\(id)")
        // A path with markup.
        try rig.say("/dump \(rig.files.url("/<b>fw</b>&amp;\"x\".zip"))")
        // A job queued by the command line, and /cancel@bot by a member.
        try rig.queue.submit("cli-job-1", rig.firmwareURL(tag: "cli"))
        let status = try rig.say("/status cli-job-1")
        let cancel = try rig.say("/cancel@dumpyard_test_bot cli-job-1", from: BotRig.member)
        #expect(rig.answer(to: status)?.contains("cli-job-1") == true, explain([bot]))
        #expect(rig.answer(to: cancel)?.contains("permission") == true, explain([bot]))
        Thread.sleep(forTimeInterval: 1)
        #expect(try rig.queue.state("cli-job-1") == .queued)
        #expect(try rig.queue.queue.stats()["submitted"] ?? 0 == 2, "only the CLI job and the /dump")
        let refused = try rig.telegram.journal().filter { $0["ok"] as? Bool == false && ($0["description"] as? String)?.contains("parse entities") == true }
        #expect(refused.isEmpty, "HTML refused: \(refused)")
    }

    @Test("The bot SIGKILLed while it sends the status message of an accepted request: started again, the request is queued once")
    func killedDuringReviewSubmit() throws {
        let rig = try BotRig()
        let bot = try rig.startBot("bot1")
        try rig.say("#request \(rig.firmwareURL(tag: "killed-review")) please", in: BotRig.requests, from: BotRig.requester)
        let card = rig.waitForMessage(containing: "Request ID", in: BotRig.reviews)
        let cardID = try #require(card?["message_id"] as? Int, explain([bot]))
        let id = try BotRig.requestID(in: card)
        Thread.sleep(forTimeInterval: 1)  // the outbox is idle: the next sendMessage is the status message
        try rig.telegram.fault(["method": "sendMessage", "kind": "stall", "seconds": 1.8, "count": 1])
        _ = try rig.telegram.queueCallback(chat: BotRig.reviews, user: BotRig.admin, message: cardID, data: "rv:submit:\(id)")
        #expect(rig.queue.wait(for: .seconds(10)) {
            try rig.telegram.journal(method: "answerCallbackQuery").contains { ($0["params"] as? [String: Any])?["text"] as? String == "Accepted" }
        }, explain([bot]))
        Thread.sleep(forTimeInterval: 0.5)
        bot.kill(SIGKILL)
        _ = bot.wait(timeout: .seconds(10))
        let again = try rig.startBot("bot2")
        _ = rig.queue.wait(for: .seconds(15)) { (try rig.queue.queue.stats()["submitted"] ?? 0) >= 1 }
        Thread.sleep(forTimeInterval: 1)
        let answers = try rig.telegram.journal(method: "answerCallbackQuery").compactMap { ($0["params"] as? [String: Any])?["text"] as? String }
        let submitted = try rig.queue.queue.stats()["submitted"] ?? 0
        #expect(submitted == 1, "the accepted request was queued \(submitted) times; answers: \(answers)\n\(explain([again]).rawValue)")
    }
}
