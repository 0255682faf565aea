import DumpTestSupport
import Foundation
import JobQueue
import Redis
import Synchronization
import Testing

/// The outbox's scripts against a real redis-server: order, settling, edit ordering by sequence
/// and watermark, crash recovery, the dead-letter cap, binary bodies, concurrent consumers and
/// scripts lost by Redis.
@Suite struct MessageOutboxTests {
    static let prefix = "t:{q}:outbox:"

    static func connection(_ server: RedisServer) throws -> RedisConnection {
        try RedisConnection(try RedisEndpoint(url: server.url()))
    }

    static func outbox(_ server: RedisServer, deadLetterCap: Int = 1000) throws -> MessageOutbox {
        MessageOutbox(connection: try connection(server), prefix: prefix, deadLetterCap: deadLetterCap)
    }

    /// True when the item's hash is still in Redis.
    static func stored(_ id: String, in admin: RedisConnection) throws -> Bool {
        try admin.command("EXISTS", prefix + "item:" + id) == .integer(1)
    }

    static func text(_ item: OutboxItem?) -> String? {
        item.map { String(decoding: $0.body, as: UTF8.self) }
    }

    @Test func itemsGoOutByPriorityThenInTheOrderTheyCame() throws {
        let server = try RedisServer()
        let outbox = try Self.outbox(server)
        let plan: [(String, OutboxPriority)] = [
            ("n1", .normal), ("l1", .low), ("h1", .high), ("n2", .normal), ("u1", .urgent), ("h2", .high), ("l2", .low), ("n3", .normal),
        ]
        var enqueued: [String: OutboxItem] = [:]
        for (name, priority) in plan { enqueued[name] = try outbox.enqueue(Array(name.utf8), priority: priority) }
        #expect(try outbox.counts().pending == ["urgent": 1, "high": 2, "normal": 3, "low": 2])
        var order: [String] = []
        while let item = try outbox.take() {
            let name = Self.text(item) ?? ""
            #expect(item == enqueued[name], "take hands out the item as enqueue stored it")
            order.append(name)
            try outbox.delivered(item)
        }
        #expect(order == ["u1", "h1", "h2", "n1", "n2", "n3", "l1", "l2"])
        #expect(Set(enqueued.values.map(\.id)).count == plan.count, "ids are unique")
        let counts = try outbox.counts()
        #expect(counts.pending.values.allSatisfy { $0 == 0 } && counts.inFlight == 0 && counts.delayed == 0 && counts.dead == 0)
    }

    @Test func anItemPutBackIsTakenNext() throws {
        let server = try RedisServer()
        let outbox = try Self.outbox(server)
        let x = try outbox.enqueue(Array("x".utf8))
        let a = try outbox.enqueue(Array("a".utf8))
        let b = try outbox.enqueue(Array("b".utf8))
        let first = try #require(try outbox.take())
        #expect(first.id == x.id)
        try outbox.retry(first, after: .milliseconds(50))
        let taken = try #require(try outbox.take())
        #expect(taken.id == a.id)
        usleep(150_000)  // x is due now, and older than a
        try outbox.putBack(taken)
        #expect(try outbox.take() == taken, "the item put back comes before a due retry and before newer items")
        let retried = try #require(try outbox.take())
        #expect(retried.id == x.id && retried.attempts == 1, "a due retry goes before the newer b")
        #expect(try outbox.take()?.id == b.id)
        #expect(try outbox.take() == nil)
    }

    @Test func aRetriedItemIsNotTakenBeforeItIsDue() throws {
        let server = try RedisServer()
        let outbox = try Self.outbox(server)
        let a = try outbox.enqueue(Array("a".utf8), priority: .high)
        let taken = try #require(try outbox.take())
        try outbox.retry(taken, after: .milliseconds(400))
        var counts = try outbox.counts()
        #expect(counts.delayed == 1 && counts.inFlight == 0 && counts.pending["high"] == 0)
        let b = try outbox.enqueue(Array("b".utf8), priority: .high)
        let before = try #require(try outbox.take())
        #expect(before.id == b.id, "a is not due yet")
        try outbox.delivered(before)
        #expect(try outbox.take() == nil)
        let c = try outbox.enqueue(Array("c".utf8), priority: .high)
        usleep(500_000)
        let again = try #require(try outbox.take())
        #expect(again.id == a.id && again.attempts == 1 && again.body == a.body, "due: back ahead of the newer c")
        #expect(try outbox.take()?.id == c.id)
        counts = try outbox.counts()
        #expect(counts.delayed == 0 && counts.inFlight == 2)
    }

    @Test func theWatermarkSupersedesOlderEditsWhateverOrderTheyAreDeliveredIn() throws {
        let server = try RedisServer()
        let admin = try Self.connection(server)
        let outbox = try Self.outbox(server)
        let target = "-1001:42"
        let edits = try (1...3).map { step throws(QueueError) in try outbox.enqueue(Array("step \(step)".utf8), target: target) }
        let plain = try outbox.enqueue(Array("plain".utf8))
        #expect(edits.map(\.sequence) == [1, 2, 3] && plain.sequence == 0 && plain.target == nil)
        #expect(try outbox.latestSequence(of: target) == 3)
        #expect(try outbox.latestSequence(of: "-1001:43") == 0)
        var taken: [OutboxItem] = []
        while let item = try outbox.take() { taken.append(item) }
        #expect(taken == edits + [plain])
        #expect(try !outbox.isSuperseded(taken[0]), "nothing delivered yet")

        try outbox.delivered(taken[2])  // step 3 goes out first
        #expect(try outbox.isSuperseded(taken[1]), "step 2 after step 3 would go backwards")
        #expect(try outbox.isSuperseded(taken[0]))
        #expect(try outbox.isSuperseded(taken[2]), "an edit as new as the delivered one is superseded too")
        #expect(try !outbox.isSuperseded(plain), "an item without target is never superseded")
        try outbox.delivered(taken[1])  // delivered late anyway: the watermark stays
        #expect(try admin.command("GET", Self.prefix + "mark:" + target).text == "3")
        try outbox.discard(taken[0])
        try outbox.delivered(plain)
        #expect(try outbox.counts().inFlight == 0)

        let next = try outbox.enqueue(Array("step 4".utf8), target: target)
        #expect(next.sequence == 4)
        #expect(try !outbox.isSuperseded(next))
        let other = try outbox.enqueue(Array("elsewhere".utf8), target: "-1001:43")
        #expect(try other.sequence == 1 && !outbox.isSuperseded(other), "targets are independent")
    }

    @Test func aLostCounterRestartsAboveTheWatermark() throws {
        let server = try RedisServer()
        let admin = try Self.connection(server)
        let outbox = try Self.outbox(server)
        let target = "-1001:7"
        try outbox.enqueue(Array("1".utf8), target: target)
        try outbox.enqueue(Array("2".utf8), target: target)
        let first = try #require(try outbox.take())
        let second = try #require(try outbox.take())
        try outbox.delivered(second)
        try outbox.discard(first)
        for key in ["seq:", "mark:"] {
            let ttl = try #require(try admin.command("TTL", Self.prefix + key + target).integer)
            #expect(ttl > 15 * 86400 - 60 && ttl <= 15 * 86400, "\(key) expires 15 days after its last write (\(ttl) s)")
        }
        // The counter expired (or Redis lost it) while the watermark lives on.
        try admin.command("DEL", Self.prefix + "seq:" + target)
        #expect(try outbox.latestSequence(of: target) == 0)
        let next = try outbox.enqueue(Array("3".utf8), target: target)
        #expect(next.sequence == 3, "seeded above the watermark (2), not restarted at 1")
        #expect(try !outbox.isSuperseded(next))
        #expect(try outbox.latestSequence(of: target) == 3)
    }

    @Test func recoverPutsBackWhatADeadConsumerHeldOldestFirst() throws {
        let server = try RedisServer()
        let crashed = try Self.outbox(server)
        let n1 = try crashed.enqueue(Array("n1".utf8))
        let n2 = try crashed.enqueue(Array("n2".utf8))
        let n3 = try crashed.enqueue(Array("n3".utf8))
        let held1 = try #require(try crashed.take())
        let held2 = try #require(try crashed.take())
        #expect(held1.id == n1.id && held2.id == n2.id)
        // The consumer dies here: no delivered, no put back. The next one starts.
        let next = try Self.outbox(server)
        #expect(try next.counts().inFlight == 2)
        #expect(try next.recover() == 2)
        var counts = try next.counts()
        #expect(counts.inFlight == 0 && counts.pending["normal"] == 3)
        let again = try #require(try next.take())
        #expect(again == held1, "the oldest recovered item comes first")
        #expect(try next.recover() == 0, "an instance does not recover what it holds itself")

        // The dead consumer's late calls: its delivery counts (n2 does not go out twice) ...
        try crashed.delivered(held2)
        #expect(try next.take()?.id == n3.id)
        // ... but it can no longer put back what another consumer holds now.
        try crashed.putBack(held1)
        try crashed.retry(held1, after: .zero)
        try crashed.deadLetter(held1, reason: "late")
        #expect(try next.take() == nil)
        counts = try next.counts()
        #expect(counts.inFlight == 2 && counts.pending["normal"] == 0 && counts.delayed == 0 && counts.dead == 0)
    }

    @Test func theDeadLetterListKeepsTheNewestAndDeletesTheRest() throws {
        let server = try RedisServer()
        let admin = try Self.connection(server)
        let outbox = try Self.outbox(server, deadLetterCap: 3)
        var dead: [OutboxItem] = []
        for index in 0..<5 {
            try outbox.enqueue(Array("m\(index)".utf8), target: "chat:\(index)")
            let item = try #require(try outbox.take())
            try outbox.deadLetter(item, reason: "r\(index)")
            dead.append(item)
        }
        let letters = try outbox.deadLetters()
        #expect(letters.map(\.reason) == ["r4", "r3", "r2"])
        #expect(letters.map(\.item) == dead[2...].reversed())
        #expect(try outbox.deadLetters(limit: 2).map(\.reason) == ["r4", "r3"])
        #expect(try outbox.counts().dead == 3 && outbox.counts().inFlight == 0)
        for item in dead[..<2] { #expect(try !Self.stored(item.id, in: admin), "a dropped dead letter's data is deleted") }
        for item in dead[2...] {
            #expect(try Self.stored(item.id, in: admin))
            #expect(try admin.command("HGET", Self.prefix + "item:" + item.id, "dead_at").integer ?? 0 > 0, "the time is kept")
        }
        #expect(try outbox.take() == nil)
    }

    @Test func countsFollowEveryTransitionAndSettledItemsLeaveNoData() throws {
        let server = try RedisServer()
        let admin = try Self.connection(server)
        let outbox = try Self.outbox(server)
        func counts() throws -> [Int] {
            let counts = try outbox.counts()
            #expect(Set(counts.pending.keys) == ["urgent", "high", "normal", "low"])
            return OutboxPriority.allCases.map { counts.pending["\($0)"] ?? -1 } + [counts.delayed, counts.inFlight, counts.dead]
        }
        try outbox.enqueue([1], priority: .urgent)
        try outbox.enqueue([2], priority: .urgent)
        try outbox.enqueue([3], priority: .high)
        try outbox.enqueue([4], priority: .low)
        #expect(try counts() == [2, 1, 0, 1, 0, 0, 0])
        let u1 = try #require(try outbox.take())
        #expect(try counts() == [1, 1, 0, 1, 0, 1, 0])
        try outbox.retry(u1, after: .seconds(60))
        #expect(try counts() == [1, 1, 0, 1, 1, 0, 0])
        let u2 = try #require(try outbox.take())
        try outbox.deadLetter(u2, reason: "400 Bad Request")
        #expect(try counts() == [0, 1, 0, 1, 1, 0, 1])
        let h1 = try #require(try outbox.take())
        try outbox.putBack(h1)
        #expect(try counts() == [0, 1, 0, 1, 1, 0, 1])
        let again = try #require(try outbox.take())
        #expect(again == h1)
        try outbox.discard(again)
        #expect(try counts() == [0, 0, 0, 1, 1, 0, 1])
        #expect(try !Self.stored(h1.id, in: admin), "a discarded item's data is deleted")
        let l1 = try #require(try outbox.take())
        try outbox.delivered(l1)
        #expect(try !Self.stored(l1.id, in: admin), "a delivered item's data is deleted")
        #expect(try counts() == [0, 0, 0, 0, 1, 0, 1])
        #expect(try Self.stored(u1.id, in: admin) && Self.stored(u2.id, in: admin))
    }

    @Test func bodiesAreBinarySafe() throws {
        let server = try RedisServer()
        let outbox = try Self.outbox(server, deadLetterCap: 5)
        // Every byte value, NULs, invalid UTF-8 (a lone continuation, a truncated sequence, FF FE).
        let body: [UInt8] = Array(0...255) + [0, 0, 0x80, 0xC3, 0x28, 0xE2, 0x82, 0xFF, 0xFE, 0] + Array("{\"text\":\"é\"}".utf8)
        let sent = try outbox.enqueue(body, priority: .urgent, target: "chat:é")
        let empty = try outbox.enqueue([])
        let taken = try #require(try outbox.take())
        #expect(taken == sent && taken.body == body)
        #expect(try outbox.take()?.body == empty.body)
        try outbox.deadLetter(taken, reason: "kept")
        #expect(try outbox.deadLetters().first?.item.body == body)
    }

    /// Shared state of the two consumer threads.
    final class Consumers: Sendable {
        let taken = Mutex<[[String]]>([[], []])
        let failures = Mutex<[String]>([])
        let ready = Atomic<Int>(0)
    }

    @Test func twoConsumersTakeEveryItemExactlyOnce() throws {
        let server = try RedisServer()
        let producer = try Self.outbox(server)
        var expected: Set<String> = []
        for index in 0..<500 {
            let priority = OutboxPriority.allCases[index % OutboxPriority.allCases.count]
            expected.insert(try producer.enqueue(Array("m\(index)".utf8), priority: priority).id)
        }
        let url = server.url()
        let shared = Consumers()
        let done = DispatchSemaphore(value: 0)
        for index in 0..<2 {
            let thread = Thread {
                defer { done.signal() }
                do {
                    let outbox = MessageOutbox(connection: try RedisConnection(try RedisEndpoint(url: url)), prefix: Self.prefix)
                    // Both start together, so they really compete.
                    shared.ready.add(1, ordering: .sequentiallyConsistent)
                    let deadline = Date().addingTimeInterval(10)
                    while shared.ready.load(ordering: .sequentiallyConsistent) < 2 && Date() < deadline { sched_yield() }
                    var mine: [String] = []
                    while let item = try outbox.take() {
                        mine.append(item.id)
                        try outbox.delivered(item)
                    }
                    shared.taken.withLock { $0[index] = mine }
                } catch {
                    shared.failures.withLock { $0.append("consumer \(index): \(error)") }
                }
            }
            thread.start()
        }
        done.wait()
        done.wait()
        #expect(shared.failures.withLock { $0 } == [])
        let taken = shared.taken.withLock { $0 }
        #expect(taken[0].count + taken[1].count == 500, "no item taken twice, none lost")
        #expect(Set(taken[0] + taken[1]) == expected)
        #expect(Set(taken[0]).isDisjoint(with: taken[1]))
        #expect(!taken[0].isEmpty && !taken[1].isEmpty, "both consumers took items (\(taken[0].count), \(taken[1].count))")
        let counts = try producer.counts()
        #expect(counts.pending.values.allSatisfy { $0 == 0 } && counts.inFlight == 0)
    }

    @Test func scriptsAreLoadedAgainAfterRedisForgetsThem() throws {
        let server = try RedisServer()
        let connection = try Self.connection(server)
        let outbox = MessageOutbox(connection: connection, prefix: Self.prefix)
        let a = try outbox.enqueue(Array("a".utf8))
        try outbox.putBack(try #require(try outbox.take()))  // every script used below is loaded
        try connection.command("SCRIPT", "FLUSH")
        #expect(try outbox.take()?.id == a.id, "take after SCRIPT FLUSH")
        let b = try outbox.enqueue(Array("b".utf8))
        server.stop()
        let restarted = try RedisServer(reusing: server)
        try connection.reconnect()
        #expect(try outbox.take() == b, "a restarted Redis has no scripts but keeps the items")
        #expect(try outbox.counts().inFlight == 2)
        withExtendedLifetime(restarted) {}
    }
}
