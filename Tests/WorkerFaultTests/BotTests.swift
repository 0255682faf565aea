import DumpTestSupport
import Foundation
import JobQueue
import Testing

/// `dumpyard bot` end to end: the Bot API stand-in, a real redis-server, real worker processes
/// dumping the sample firmware served on loopback.
@Suite(.serialized) struct BotTests {
    @Test("/dump: the status message goes through the ten steps in order and ends with the repository; the same URL again is answered at once")
    func dumpThroughTheTenSteps() throws {
        let rig = try BotRig()
        let bot = try rig.startBot()
        let worker = try rig.startWorker()
        let url = rig.firmwareURL()
        try rig.say("/dump \(url)")
        let status = rig.waitForMessage(containing: "Job: ")
        let job = try #require(BotRig.job(in: status), explain([bot, worker]))
        #expect(rig.queue.wait(for: .seconds(120)) { try rig.queue.state(job) == .completed }, explain([bot, worker]))
        let message = try #require(status?["message_id"] as? Int)
        #expect(rig.queue.wait(for: .seconds(20)) { (try rig.botMessages().first { $0["message_id"] as? Int == message }?["text"] as? String)?.contains("completed") == true })
        let edits = try rig.edits(of: message)
        let steps = edits.compactMap(BotRig.step(of:))
        #expect(steps == steps.sorted(), "edits in order: \(steps)")
        #expect(Set(steps).isSuperset(of: 1...10), "every step shown: \(steps)")
        let final = try #require(edits.last)
        #expect(final.contains("completed") && final.contains("yardphone/gravel.git") && final.contains("gravel-user-14"), "\(final)")
        #expect(final.contains("Device: yardphone gravel"))
        // The job's last beat crosses its completion: no false alarm in the worker's log.
        #expect(!worker.output.contains("another worker owns it"), explain([worker]))
        // The status message answers the command.
        #expect(status?["reply_to_message_id"] as? Int != nil)
        // A channel post, with the firmware link: 127.0.0.1 is on the whitelist.
        #expect(rig.queue.wait(for: .seconds(10)) { try rig.telegram.messages(chat: BotRig.channel).count >= 1 })
        Thread.sleep(forTimeInterval: 1)
        let posts = try rig.telegram.messages(chat: BotRig.channel)
        #expect(posts.count == 1, "one post: \(posts)")
        let post = try rig.telegram.journal(method: "sendMessage").first { ($0["params"] as? [String: Any])?["chat_id"] as? String == "@dumps_channel" }
        let postText = (post?["params"] as? [String: Any])?["text"] as? String ?? ""
        #expect(postText.contains("firmware</a>") && postText.contains("yardphone"), "\(postText)")

        // The same URL again: "already dumped" at once, no second job.
        let before = try rig.queue.queue.stats()["submitted"] ?? 0
        try rig.say("/dump \(url)")
        #expect(rig.waitForMessage(containing: "Already dumped") != nil, explain([bot]))
        #expect(try rig.queue.queue.stats()["submitted"] ?? 0 == before)
        // With f it is dumped again.
        try rig.say("/dump \(url) f")
        #expect(rig.queue.wait(for: .seconds(20)) { (try rig.queue.queue.stats()["submitted"] ?? 0) == before + 1 }, explain([bot]))
    }

    @Test("/dump … p: the command message is deleted and the URL shows in no call to any chat, documents included")
    func privateDumpNeverShowsTheURL() throws {
        let rig = try BotRig()
        let bot = try rig.startBot()
        let worker = try rig.startWorker()
        let url = rig.firmwareURL(tag: "secret-build-77")
        // One the bot cannot run (a bad URL) is deleted too, and its usage answer names nothing.
        let unusable = try rig.say("/dump p \(url.replacingOccurrences(of: "http://", with: "htp:/"))")
        #expect(rig.waitForMessage(containing: "Invalid URL") != nil, explain([bot]))
        let command = try rig.say("/dump \(url) p")
        let status = rig.waitForMessage(containing: "Job: ")
        let job = try #require(BotRig.job(in: status), explain([bot, worker]))
        #expect(rig.queue.wait(for: .seconds(120)) { try rig.queue.state(job) == .completed }, explain([bot, worker]))
        #expect(rig.queue.wait(for: .seconds(10)) { (try rig.botMessage(containing: "completed")) != nil })
        let deleted = try rig.telegram.messages(chat: BotRig.group).first { $0["message_id"] as? Int == command }
        #expect(deleted?["deleted"] as? Bool == true, "the /dump … p message is deleted")
        let deletedToo = try rig.telegram.messages(chat: BotRig.group).first { $0["message_id"] as? Int == unusable }
        #expect(deletedToo?["deleted"] as? Bool == true, "the unusable /dump p message is deleted")
        #expect(status?["reply_to_message_id"] as? Int == nil, "the status message does not answer the deleted command")
        let calls = try rig.allCallsWithDocuments()
        for trace in ["secret-build-77", "sample-firmware.zip", "127.0.0.1:\(rig.files.port)"] {
            #expect(!calls.contains(trace), "\(trace) appears in a Bot API call: …\(BotRig.around(trace, in: calls))")
        }
        #expect(try rig.telegram.messages(chat: BotRig.channel).isEmpty, "no channel post for a private dump")
    }

    @Test("A failed job: the failed and last successful step, the error naming the host and status, and the failure log as a document")
    func failureGetsItsLog() throws {
        let rig = try BotRig()
        let bot = try rig.startBot()
        let worker = try rig.startWorker()
        try rig.say("/dump \(rig.files.url("/status/404"))?fw=1")
        let status = rig.waitForMessage(containing: "Job: ")
        let job = try #require(BotRig.job(in: status), explain([bot, worker]))
        #expect(rig.queue.wait(for: .seconds(60)) { try rig.queue.state(job) == .failed }, explain([bot, worker]))
        let message = try #require(status?["message_id"] as? Int)
        #expect(rig.queue.wait(for: .seconds(20)) { try rig.telegram.journal(method: "sendDocument").count == 1 }, explain([bot]))
        let text = try #require(try rig.botMessages().first { $0["message_id"] as? Int == message }?["text"] as? String)
        #expect(text.contains("failed") && text.contains("Failed at: step 2/10 download") && text.contains("Last successful: step 1/10 validate"), "\(text)")
        #expect(text.contains("404") && text.contains("127.0.0.1"), "the error names the host and the status: \(text)")
        let document = try #require(try rig.telegram.journal(method: "sendDocument").first)
        let file = try #require((document["files"] as? [[String: Any]])?.first)
        #expect(file["filename"] as? String == "dump_failure_\(job).txt")
        let log = String(decoding: Data(base64Encoded: file["base64"] as? String ?? "") ?? Data(), as: UTF8.self)
        #expect(log.contains("dumpyard job \(job) failed") && log.contains("step 2/10 download") && log.contains("404"), "\(log)")
        #expect(log.contains("/status/404") && !log.contains("fw=1"), "the URL without its query: \(log)")
    }

    @Test("/cancel: refused for a member, stops the running job for an admin; the status message says so")
    func cancelNeedsAnAdmin() throws {
        let rig = try BotRig()
        let bot = try rig.startBot()
        let worker = try rig.startWorker()
        try rig.say("/dump \(rig.firmwareURL(rate: 100_000))")
        let status = rig.waitForMessage(containing: "Job: ")
        let job = try #require(BotRig.job(in: status), explain([bot, worker]))
        #expect(rig.queue.wait(for: .seconds(30)) { try rig.queue.state(job) == .processing }, explain([bot, worker]))
        try rig.say("/cancel \(job)", from: BotRig.member)
        #expect(rig.waitForMessage(containing: "permission") != nil, explain([bot]))
        Thread.sleep(forTimeInterval: 1)
        #expect(try rig.queue.state(job) == .processing, "a member's /cancel changes nothing")
        try rig.say("/cancel \(job)", from: BotRig.admin)
        #expect(rig.queue.wait(for: .seconds(30)) { try rig.queue.state(job) == .cancelled }, explain([bot, worker]))
        let message = try #require(status?["message_id"] as? Int)
        #expect(rig.queue.wait(for: .seconds(10)) {
            (try rig.botMessages().first { $0["message_id"] as? Int == message }?["text"] as? String)?.contains("cancelled") == true
        }, explain([bot]))
    }

    @Test("Reviews: a member cannot accept (button or command); an admin accepts with options, the job is queued with its status message in the group")
    func reviewsNeedAnAdmin() throws {
        let rig = try BotRig()
        let bot = try rig.startBot()
        let request = try rig.say("#request \(rig.firmwareURL(tag: "review")) please dump my phone", in: BotRig.requests, from: BotRig.requester)
        let card = try #require(rig.waitForMessage(containing: "Request ID", in: BotRig.reviews), explain([bot]))
        let cardID = try #require(card["message_id"] as? Int)
        let text = card["text"] as? String ?? ""
        let id = try BotRig.requestID(in: card)
        #expect(text.contains("please dump my phone"))
        #expect(rig.waitForMessage(containing: "submitted for review", in: BotRig.requests) != nil)

        // A member presses Accept, then tries /accept: refused, nothing queued.
        _ = try rig.telegram.queueCallback(chat: BotRig.reviews, user: BotRig.member, message: cardID, data: "rv:accept:\(id)")
        #expect(rig.queue.wait(for: .seconds(10)) {
            try rig.telegram.journal(method: "answerCallbackQuery").contains { ($0["params"] as? [String: Any])?["text"] as? String == "Only admins of the review chat can review requests." }
        }, explain([bot]))
        try rig.say("/accept \(id)", in: BotRig.reviews, from: BotRig.member)
        #expect(rig.waitForMessage(containing: "Only admins of the review chat can accept", in: BotRig.reviews) != nil, explain([bot]))
        #expect(try rig.queue.queue.stats()["submitted"] ?? 0 == 0)

        // The admin: Accept → toggles → Private → Submit.
        _ = try rig.telegram.queueCallback(chat: BotRig.reviews, user: BotRig.admin, message: cardID, data: "rv:accept:\(id)")
        #expect(rig.queue.wait(for: .seconds(10)) { (try rig.botMessage(containing: "Choose the options", in: BotRig.reviews)) != nil }, explain([bot]))
        _ = try rig.telegram.queueCallback(chat: BotRig.reviews, user: BotRig.admin, message: cardID, data: "rv:toggle:\(id):p")
        #expect(rig.queue.wait(for: .seconds(10)) { (try rig.botMessage(containing: "Options: Private", in: BotRig.reviews)) != nil }, explain([bot]))
        _ = try rig.telegram.queueCallback(chat: BotRig.reviews, user: BotRig.admin, message: cardID, data: "rv:submit:\(id)")
        let status = rig.waitForMessage(containing: "Job: ")
        let job = try #require(BotRig.job(in: status), explain([bot]))
        #expect(try rig.queue.state(job) == .queued)
        #expect((status?["text"] as? String)?.contains("hidden (private dump)") == true)
        let sent = try rig.telegram.journal(method: "sendMessage").first { (($0["params"] as? [String: Any])?["text"] as? String)?.contains("Job: ") == true }
        #expect((sent?["params"] as? [String: Any])?["reply_parameters"] == nil, "a private dump's status message answers no request: \(String(describing: sent))")
        #expect(rig.waitForMessage(containing: "accepted for private processing", in: BotRig.requests) != nil)
        #expect(rig.queue.wait(for: .seconds(10)) {
            try rig.telegram.messages(chat: BotRig.requests).first { $0["message_id"] as? Int == request }?["deleted"] as? Bool == true
        }, "the #request of a private dump is deleted")
        // A second Submit (a double press) queues nothing more.
        _ = try rig.telegram.queueCallback(chat: BotRig.reviews, user: BotRig.admin, message: cardID, data: "rv:submit:\(id)")
        Thread.sleep(forTimeInterval: 1.5)
        #expect(try rig.queue.queue.stats()["submitted"] ?? 0 == 1)

        // Another request, accepted by an admin answering its card with its id: the id is the
        // request's, not option letters; the status message answers the request across chats.
        let second = try rig.say("#request \(rig.firmwareURL(tag: "second")) thanks", in: BotRig.requests, from: BotRig.requester)
        let secondCard = try #require(rig.waitForMessage(containing: "thanks", in: BotRig.reviews), explain([bot]))
        let secondID = try BotRig.requestID(in: secondCard)
        _ = try rig.telegram.queueMessage(chat: BotRig.reviews, user: BotRig.admin, text: "/accept \(secondID)", replyTo: try #require(secondCard["message_id"] as? Int))
        #expect(rig.queue.wait(for: .seconds(10)) { (try rig.queue.queue.stats()["submitted"] ?? 0) == 2 }, explain([bot]))
        let crossChat = try rig.telegram.journal(method: "sendMessage").last { (($0["params"] as? [String: Any])?["text"] as? String)?.contains("Job: ") == true }
        let params = crossChat?["params"] as? [String: Any]
        let reply = params?["reply_parameters"] as? [String: Any]
        #expect(reply?["message_id"] as? Int == second && (reply?["chat_id"] as? Int).map(Int64.init) == BotRig.requests, "a cross-chat reply: \(String(describing: crossChat))")
        #expect((params?["text"] as? String)?.contains("Options") != true, "no option was set: \(String(describing: params))")
    }

    @Test("/clearqueue: refused for a member, an admin's cancels every queued job and edits their status messages; /help shows admin lines to admins, anonymous ones included; other chats get no answer")
    func clearQueueHelpAndOtherChats() throws {
        let rig = try BotRig()
        let bot = try rig.startBot()  // no worker: the jobs stay queued
        try rig.say("/dump \(rig.firmwareURL(tag: "one"))")
        try rig.say("/dump \(rig.firmwareURL(tag: "two"))")
        #expect(rig.queue.wait(for: .seconds(20)) { try rig.botMessages().filter { ($0["text"] as? String)?.contains("Job: ") == true }.count == 2 }, explain([bot]))
        let statuses = try rig.botMessages().filter { ($0["text"] as? String)?.contains("Job: ") == true }
        let jobs = statuses.compactMap { BotRig.job(in: $0) }
        #expect(jobs.count == 2)

        try rig.say("/clearqueue", from: BotRig.member)
        #expect(rig.waitForMessage(containing: "permission") != nil, explain([bot]))
        #expect(try jobs.allSatisfy { try rig.queue.state($0) == .queued })
        try rig.say("/clearqueue", from: BotRig.admin)
        #expect(rig.waitForMessage(containing: "Cleared 2 queued jobs") != nil, explain([bot]))
        #expect(try jobs.allSatisfy { try rig.queue.state($0) == .cancelled })
        for status in statuses {
            let message = try #require(status["message_id"] as? Int)
            #expect(rig.queue.wait(for: .seconds(10)) {
                (try rig.botMessages().first { $0["message_id"] as? Int == message }?["text"] as? String)?.contains("cancelled") == true
            }, "status message \(message) says cancelled")
        }

        // /help: the admin lines only for admins.
        let helpMember = try rig.say("/help", from: BotRig.member)
        let helpAdmin = try rig.say("/help", from: BotRig.admin)
        let memberHelp = try #require(rig.answer(to: helpMember), explain([bot]))
        let adminHelp = try #require(rig.answer(to: helpAdmin), explain([bot]))
        #expect(memberHelp.contains("/dump") && !memberHelp.contains("/clearqueue"), "\(memberHelp)")
        #expect(adminHelp.contains("/clearqueue") && adminHelp.contains("/cancel"), "\(adminHelp)")
        // An anonymous admin (on behalf of the group) is an admin; a linked channel is not.
        let anonymous = try rig.telegram.queueMessage(chat: BotRig.group, user: 0, text: "/help", senderChat: BotRig.group).message
        let channel = try rig.telegram.queueMessage(chat: BotRig.group, user: 0, text: "/help", senderChat: -1_009_999).message
        let anonymousHelp = try #require(rig.answer(to: anonymous), explain([bot]))
        let channelHelp = try #require(rig.answer(to: channel), explain([bot]))
        #expect(anonymousHelp.contains("/clearqueue") && !channelHelp.contains("/clearqueue"), "\(anonymousHelp)\n---\n\(channelHelp)")

        // A chat the bot does not serve: no answer, no job, whoever asks.
        let stranger: Int64 = -1999
        try rig.telegram.addChat(stranger)
        let submitted = try rig.queue.queue.stats()["submitted"] ?? 0
        for text in ["/dump \(rig.firmwareURL(tag: "stranger"))", "/status", "/help", "/clearqueue"] { try rig.say(text, in: stranger, from: BotRig.admin) }
        // A message in the group after them: once it is answered, the others were read.
        let marker = try rig.say("/status")
        #expect(rig.answer(to: marker) != nil, explain([bot]))
        #expect(try rig.botMessages(stranger).isEmpty, "no answer in a chat the bot does not serve")
        #expect(try rig.queue.queue.stats()["submitted"] ?? 0 == submitted)
    }

    @Test("A 429 storm and a stand-in stalling past the call deadline: no edit lost or applied out of order")
    func stormsAndStallsKeepEditsInOrder() throws {
        let rig = try BotRig()
        try rig.telegram.fault(["method": "editMessageText", "kind": "429", "retry_after": 1, "count": 4])
        try rig.telegram.fault(["method": "editMessageText", "kind": "stall", "seconds": 3, "count": 1])
        try rig.telegram.fault(["method": "editMessageText", "kind": "429", "retry_after": 1, "count": 3])
        let bot = try rig.startBot()
        let worker = try rig.startWorker()
        try rig.say("/dump \(rig.firmwareURL(rate: 1_000_000))")
        let status = rig.waitForMessage(containing: "Job: ")
        let job = try #require(BotRig.job(in: status), explain([bot, worker]))
        #expect(rig.queue.wait(for: .seconds(120)) { try rig.queue.state(job) == .completed }, explain([bot, worker]))
        let message = try #require(status?["message_id"] as? Int)
        #expect(rig.queue.wait(for: .seconds(30)) {
            (try rig.botMessages().first { $0["message_id"] as? Int == message }?["text"] as? String)?.contains("completed") == true
        }, explain([bot]))
        let steps = try rig.edits(of: message).compactMap(BotRig.step(of:))
        #expect(steps == steps.sorted(), "edits applied in order: \(steps)")
        #expect(steps.last == 10)
        let faults = try rig.telegram.journal(method: "editMessageText").compactMap { $0["fault"] as? String }
        #expect(faults.filter { $0 == "429" }.count == 7 && faults.contains("stall"), "every fault was met: \(faults)")
    }

    /// A slow dump whose status message reached step 2 (the event cursor is stored), then the
    /// bot SIGKILLed: the worker, the job and its status message.
    func slowDumpWithTheBotKilledAtStepTwo(_ rig: BotRig) throws -> (WorkerProcess, String, Int) {
        let bot = try rig.startBot("bot1")
        let worker = try rig.startWorker()
        try rig.say("/dump \(rig.firmwareURL(rate: 300_000))")
        let status = rig.waitForMessage(containing: "Job: ")
        let job = try #require(BotRig.job(in: status), explain([bot, worker]))
        let message = try #require(status?["message_id"] as? Int)
        #expect(rig.queue.wait(for: .seconds(30)) { try rig.edits(of: message).contains { $0.contains("step 2/10") } }, explain([bot, worker]))
        bot.kill(SIGKILL)
        _ = bot.wait(timeout: .seconds(10))
        return (worker, job, message)
    }

    @Test("The bot killed mid-job and started again: it goes on editing the same status message")
    func restartedBotResumesTheSameMessage() throws {
        let rig = try BotRig()
        let (worker, job, message) = try slowDumpWithTheBotKilledAtStepTwo(rig)
        Thread.sleep(forTimeInterval: 1)
        let bot = try rig.startBot("bot2")
        #expect(rig.queue.wait(for: .seconds(120)) { try rig.queue.state(job) == .completed }, explain([bot, worker]))
        #expect(rig.queue.wait(for: .seconds(20)) {
            (try rig.botMessages().first { $0["message_id"] as? Int == message }?["text"] as? String)?.contains("completed") == true
        }, explain([bot]))
        #expect(try rig.botMessages().filter { ($0["text"] as? String)?.contains("Job: ") == true }.count == 1, "no second status message")
        let steps = try rig.edits(of: message).compactMap(BotRig.step(of:))
        #expect(steps == steps.sorted(), "\(steps)")
    }

    @Test("The bot down while a job ends: back, it finishes the status message and posts the end once")
    func jobEndingWhileTheBotIsDownIsPostedOnce() throws {
        let rig = try BotRig()
        let (worker, job, message) = try slowDumpWithTheBotKilledAtStepTwo(rig)
        #expect(rig.queue.wait(for: .seconds(120)) { try rig.queue.state(job) == .completed }, explain([worker]))
        let bot = try rig.startBot("bot2")
        #expect(rig.queue.wait(for: .seconds(20)) {
            (try rig.botMessages().first { $0["message_id"] as? Int == message }?["text"] as? String)?.contains("completed") == true
        }, explain([bot]))
        #expect(rig.queue.wait(for: .seconds(10)) { try rig.telegram.messages(chat: BotRig.channel).count >= 1 }, explain([bot]))
        Thread.sleep(forTimeInterval: 2)
        let posts = try rig.telegram.messages(chat: BotRig.channel)
        #expect(posts.count == 1, "one channel post: \(posts)")
    }

    @Test("/restart: only the admin who asked can confirm, the confirmation expires, a confirmed restart comes back")
    func restartConfirmation() throws {
        let rig = try BotRig()
        let bot = try rig.startBot()
        try rig.say("/restart", from: BotRig.member)
        #expect(rig.waitForMessage(containing: "permission") != nil, explain([bot]))
        try rig.say("/restart", from: BotRig.admin)
        let ask = try #require(rig.waitForMessage(containing: "Restart the bot?"), explain([bot]))
        let askID = try #require(ask["message_id"] as? Int)
        let markup = try #require(try rig.telegram.journal(method: "sendMessage").last { (($0["params"] as? [String: Any])?["text"] as? String)?.contains("Restart the bot?") == true })
        let keyboard = (((markup["params"] as? [String: Any])?["reply_markup"] as? [String: Any])?["inline_keyboard"] as? [[[String: Any]]]) ?? []
        let confirm = try #require(keyboard.first?.first?["callback_data"] as? String)
        _ = try rig.telegram.queueCallback(chat: BotRig.group, user: BotRig.member, message: askID, data: confirm)
        #expect(rig.queue.wait(for: .seconds(10)) {
            try rig.telegram.journal(method: "answerCallbackQuery").contains { ($0["params"] as? [String: Any])?["text"] as? String == "Only the admin who asked can answer this." }
        })
        // Past the 3 s expiry the button does nothing but say so.
        Thread.sleep(forTimeInterval: 3.5)
        _ = try rig.telegram.queueCallback(chat: BotRig.group, user: BotRig.admin, message: askID, data: confirm)
        #expect(rig.queue.wait(for: .seconds(10)) { (try rig.botMessage(containing: "Restart request expired")) != nil }, explain([bot]))
        // A fresh one, confirmed: the bot restarts in place and says so.
        try rig.say("/restart", from: BotRig.admin)
        #expect(rig.queue.wait(for: .seconds(10)) { (try rig.botMessage(containing: "Restart the bot?")) != nil }, explain([bot]))
        let second = try #require(try rig.telegram.journal(method: "sendMessage").last { (($0["params"] as? [String: Any])?["text"] as? String)?.contains("Restart the bot?") == true })
        let secondKeyboard = (((second["params"] as? [String: Any])?["reply_markup"] as? [String: Any])?["inline_keyboard"] as? [[[String: Any]]]) ?? []
        let secondID = try #require(try rig.botMessages().last { ($0["text"] as? String)?.contains("Restart the bot?") == true }?["message_id"] as? Int)
        _ = try rig.telegram.queueCallback(chat: BotRig.group, user: BotRig.admin, message: secondID, data: try #require(secondKeyboard.first?.first?["callback_data"] as? String))
        #expect(rig.queue.wait(for: .seconds(30)) { (try rig.botMessage(containing: "Restart complete")) != nil }, explain([bot]))
        #expect(bot.output.components(separatedBy: "started as").count == 3, "started twice: \(bot.output.suffix(2000))")
        // The restarted bot still answers.
        try rig.say("/status")
        #expect(rig.waitForMessage(containing: "Queue") != nil, explain([bot]))
    }
}
