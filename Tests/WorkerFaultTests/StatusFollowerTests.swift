@testable import DumpService
import DumpCore
import DumpTestSupport
import Foundation
import JobQueue
import Redis
import Synchronization
import Testing

/// The bot's status follower against a real redis-server, without Telegram: what it queues in
/// the outbox for a job's events.
@Suite struct StatusFollowerTests {
    @Test("A job's events read in one batch after it ended: each step shown in order, then one final edit and one channel post")
    func anEndReadInOneBatchIsHandledOnce() throws {
        let rig = try QueueRig()
        let log = WorkerLog(process: "follower-test")
        let link = BotLink(endpoint: try RedisEndpoint(url: rig.redis.url()), prefix: rig.prefix, name: "test", log: log)
        let settings = try BotSettings(environment: ["TELEGRAM_BOT_TOKEN": "1:a", "ALLOWED_CHATS": "-1001", "TELEGRAM_CHANNEL": "@dumps"])
        let job = "ended-while-away"
        _ = try rig.submit(job, "https://example.com/fw.zip")
        // Shown and followed, as /dump does; the cursor before every event.
        let record = StatusRecord(chat: -1001, message: 5, options: "", requester: 7)
        let stored: Void? = link.attempt("setup") { redis throws(QueueError) in
            try redis.store.put(StatusRecord.kind, job, JobEvent.encode(record))
            try redis.store.follow(job, since: try redis.store.now())
            try redis.store.put("value", "cursor", "0-0")
        }
        #expect(stored != nil)
        // A worker runs the job to its end while the bot is away.
        let queue = try rig.queue
        guard case .job(let claimed) = try queue.claim(worker: "w1", lease: .seconds(30)) else {
            Issue.record("no job to claim")
            return
        }
        for step in 1...10 {
            _ = try queue.heartbeat(claimed, lease: .seconds(30), step: step, percent: step * 10, stepName: "step \(step)", passed: [step])
        }
        let result = #"{"status":"dumped","repository":"https://gitlab.example/dumps/acme/rocket","branch":"rocket-user-14","commit":"abc","brand":"acme","codename":"rocket","files":3,"fingerprint":"acme/rocket/rocket:14/X/1:user/release-keys"}"#
        _ = try queue.complete(claimed, result: result)

        // The follower reads all of it in one batch.
        let stop = Atomic(false)
        let follower = StatusFollower(link: link, settings: settings, log: log, stopped: { stop.load(ordering: .relaxed) })
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            follower.run()
            done.signal()
        }
        Thread.sleep(forTimeInterval: 1.5)
        stop.store(true, ordering: .relaxed)
        #expect(done.wait(timeout: .now() + 10) == .success)

        var messages: [BotMessage] = []
        while let item = link.attempt("take", { redis throws(QueueError) in try redis.outbox.take() }) ?? nil {
            messages += BotMessage(decoding: item.body).map { [$0] } ?? []
            _ = link.attempt("settle") { redis throws(QueueError) in try redis.outbox.delivered(item) }
        }
        let posts = messages.filter { $0.kind == .channel }
        #expect(posts.count == 1, "one channel post: \(posts)")
        let edits = messages.filter { $0.kind == .edit }.map { $0.text ?? "" }
        #expect(edits.filter { $0.contains("completed") }.count == 1, "one final edit: \(edits)")
        #expect(edits.last?.contains("completed") == true)
        // Every step read late still got its own edit, in order, before the end.
        let steps = edits.dropLast().compactMap(BotRig.step(of:))
        #expect(steps == Array(1...10), "\(steps)")
    }
}
