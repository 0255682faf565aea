public import Redis

/// How soon an outbox item goes out: every `urgent` item before any `high` one, and so on; items
/// of one priority go out in the order they were enqueued.
public enum OutboxPriority: Int, Sendable, CaseIterable, Codable {
    case urgent, high, normal, low
}

/// A message in the outbox, as `MessageOutbox.enqueue` stored it and `take` hands it out.
public struct OutboxItem: Sendable, Hashable {
    /// Unique, assigned by `enqueue`.
    public var id: String
    /// The priority it was enqueued with.
    public var priority: OutboxPriority
    /// The ordering key of edits of one message, e.g. `"-1001:42"` (chat and message id); nil
    /// for a message that needs no ordering.
    public var target: String?
    /// The target's order number, given at enqueue (1, 2, … per target); 0 without a target.
    public var sequence: Int64
    /// Failed sends so far (each `retry` counts one).
    public var attempts: Int
    /// The message, opaque to the outbox (the bot encodes it as JSON): any bytes.
    public var body: [UInt8]
}

/// How many items sit in each part of the outbox, counted in one snapshot.
public struct OutboxCounts: Sendable, Hashable, Codable {
    /// Items waiting to be taken, by priority name (`"urgent"`, `"high"`, `"normal"`, `"low"`);
    /// every priority is present.
    public var pending: [String: Int]
    /// Items waiting for a retry that is not due yet (or due and not yet moved back by `take`).
    public var delayed: Int
    /// Items taken and not yet settled (delivered, discarded, put back, retried or dead).
    public var inFlight: Int
    /// Items in the dead-letter list.
    public var dead: Int
}

/// The bot's Redis outbox of Telegram messages: producers (bot handlers, workers) enqueue, one
/// consumer takes each item and settles it with `delivered`, `discard`, `putBack`, `retry` or
/// `deadLetter`. Every change is one Lua script (`OutboxScripts`, run with EVALSHA and loaded
/// again when Redis lost its scripts) on Redis's own clock, under `prefix` (which carries the
/// `{…}` hash tag of the job queue's keys).
///
/// Edits of one message share a `target`: each gets the target's next sequence number, and a
/// delivered edit raises the target's watermark, so an edit older than one already delivered is
/// `isSuperseded` and can be dropped, whatever order retries put them in.
///
/// A taken item stays recorded as in flight until it is settled: if its consumer dies first,
/// `recover()` in the next consumer puts it back. Two consumers never take the same item.
///
/// One instance per thread: it owns its connection, like `JobQueue`.
public final class MessageOutbox {
    private let scripts: ScriptRunner
    /// How many dead letters are kept.
    private let deadLetterCap: Int
    /// This instance's mark on the items it takes: only it may put them back, retry or
    /// dead-letter them, and `recover()` leaves them alone.
    private let owner = String(UInt64.random(in: 1...UInt64.max), radix: 36)

    /// An outbox on `connection` whose keys all start with `prefix` (e.g.
    /// `"dumpyard:{q}:outbox:"`: keep its `{…}` hash tag), keeping at most `deadLetterCap` dead
    /// letters, the newest (0 keeps none).
    public init(connection: RedisConnection, prefix: String, deadLetterCap: Int = 1000) {
        scripts = ScriptRunner(connection: connection, prefix: prefix)
        self.deadLetterCap = max(0, deadLetterCap)
    }

    /// Stores `body` as a new item at the tail of its priority. With a `target`, the item gets
    /// the target's next sequence number: above every number given before, and above the
    /// target's watermark even when the counter was lost (it expires 15 days after its last use).
    @discardableResult
    public func enqueue(_ body: [UInt8], priority: OutboxPriority = .normal, target: String? = nil) throws(QueueError) -> OutboxItem {
        let reply = try scripts.run(
            "outbox_enqueue", OutboxScripts.enqueue,
            [Array(String(priority.rawValue).utf8), Array((target == nil ? "0" : "1").utf8), Array((target ?? "").utf8), body])
        guard reply.first == "OK", let sequence = Int64(reply.text(2)) else { throw unexpected("outbox_enqueue", reply) }
        return OutboxItem(id: reply.text(1), priority: priority, target: target, sequence: sequence, attempts: 0, body: body)
    }

    /// Takes the next item, or nil when none waits. Retries that are due first go back to
    /// their priority, ahead of the newer items (they are older). Then the oldest item of the
    /// most urgent non-empty priority is taken (urgent, high, normal, low; first in, first out
    /// within one, except that items put back or recovered come first). The item is recorded as
    /// in flight until it is settled.
    public func take() throws(QueueError) -> OutboxItem? {
        let reply = try scripts.run("outbox_take", OutboxScripts.take, [owner])
        switch reply.first {
        case "ITEM": return try Self.item(reply, at: 1, script: "outbox_take")
        case "EMPTY": return nil
        default: throw unexpected("outbox_take", reply)
        }
    }

    /// True when an edit of the item's target as new as this one or newer was delivered
    /// already (the watermark reached the item's sequence): sending it would show an older
    /// state. Always false for an item without a target.
    public func isSuperseded(_ item: OutboxItem) throws(QueueError) -> Bool {
        guard let target = item.target else { return false }
        return try number(at: "mark:" + target) >= item.sequence
    }

    /// Settles a sent item: it leaves the in-flight record and its data is deleted; the
    /// target's watermark becomes the larger of itself and the item's sequence (an edit
    /// delivered late never lowers it).
    public func delivered(_ item: OutboxItem) throws(QueueError) {
        try settle(item, advance: true)
    }

    /// Settles an item that will not be sent (a superseded edit): it leaves the in-flight record
    /// and its data is deleted.
    public func discard(_ item: OutboxItem) throws(QueueError) {
        try settle(item, advance: false)
    }

    /// Puts a taken item back at the head of its priority, its attempts unchanged: the very next
    /// `take` returns it unless something more urgent came meanwhile (for a global pause after
    /// a 429). Nothing happens when this instance no longer holds the item.
    public func putBack(_ item: OutboxItem) throws(QueueError) {
        try held("outbox_put_back", OutboxScripts.putBack, item, [])
    }

    /// Counts a failed send of a taken item (attempts + 1) and keeps it aside until `delay`
    /// has passed on Redis's clock; the first `take` after that puts it back at the head of its
    /// priority. Nothing happens when this instance no longer holds the item.
    public func retry(_ item: OutboxItem, after delay: Duration) throws(QueueError) {
        try held("outbox_retry", OutboxScripts.retry, item, [Array(String(max(0, delay.wholeMilliseconds)).utf8)])
    }

    /// Moves a taken item into the dead-letter list with `reason` and the time. The list keeps
    /// the newest `deadLetterCap` items: the oldest beyond it are dropped and their data
    /// deleted. Nothing happens when this instance no longer holds the item.
    public func deadLetter(_ item: OutboxItem, reason: String) throws(QueueError) {
        try held("outbox_dead_letter", OutboxScripts.deadLetter, item, [Array(reason.utf8), Array(String(deadLetterCap).utf8)])
    }

    /// The newest `limit` dead letters with their reasons, newest first.
    public func deadLetters(limit: Int = 50) throws(QueueError) -> [(item: OutboxItem, reason: String)] {
        guard limit > 0 else { return [] }
        let reply = try scripts.run("outbox_dead_letters", OutboxScripts.deadLetters, [String(limit)])
        let width = 8
        guard reply.items.count % width == 0 else { throw unexpected("outbox_dead_letters", reply) }
        var letters: [(item: OutboxItem, reason: String)] = []
        for start in stride(from: 0, to: reply.items.count, by: width) {
            letters.append((try Self.item(reply, at: start, script: "outbox_dead_letters"), reply.text(start + 7)))
        }
        return letters
    }

    /// Puts back the items another consumer took and never settled (it died between `take` and
    /// `delivered`), at the head of their priorities, the oldest first; returns how many. Items
    /// this instance holds are left alone. Call it when a consumer starts, while no other
    /// consumer is at work (the bot has one): a consumer still sending would send again.
    @discardableResult
    public func recover() throws(QueueError) -> Int {
        let reply = try scripts.run("outbox_recover", OutboxScripts.recover, [owner])
        guard reply.first == "OK", let count = Int(reply.text(1)) else { throw unexpected("outbox_recover", reply) }
        return count
    }

    /// How many items sit in each part of the outbox, in one snapshot.
    public func counts() throws(QueueError) -> OutboxCounts {
        let reply = try scripts.run("outbox_counts", OutboxScripts.counts, [String]())
        let numbers = reply.items.map { Int(String(decoding: $0, as: UTF8.self)) }
        guard numbers.count == OutboxPriority.allCases.count + 3, numbers.allSatisfy({ $0 != nil }) else {
            throw unexpected("outbox_counts", reply)
        }
        let values = numbers.map { $0 ?? 0 }
        var pending: [String: Int] = [:]
        for priority in OutboxPriority.allCases { pending["\(priority)"] = values[priority.rawValue] }
        let base = OutboxPriority.allCases.count
        return OutboxCounts(pending: pending, delayed: values[base], inFlight: values[base + 1], dead: values[base + 2])
    }

    /// The last sequence number given to `target` (0 when none, or when its counter expired).
    public func latestSequence(of target: String) throws(QueueError) -> Int64 {
        try number(at: "seq:" + target)
    }

    // MARK: - Private

    private func settle(_ item: OutboxItem, advance: Bool) throws(QueueError) {
        let reply = try scripts.run(
            "outbox_settle", OutboxScripts.settle,
            [Array(item.id.utf8), Array((item.target == nil ? "0" : "1").utf8), Array((item.target ?? "").utf8),
             Array(String(item.sequence).utf8), Array((advance ? "1" : "0").utf8)])
        guard reply.first == "OK" else { throw unexpected("outbox_settle", reply) }
    }

    /// Runs a script that changes an item only while this instance holds it.
    private func held(_ name: String, _ source: String, _ item: OutboxItem, _ arguments: [[UInt8]]) throws(QueueError) {
        let reply = try scripts.run(name, source, [Array(item.id.utf8), Array(owner.utf8)] + arguments)
        guard reply.first == "OK" || reply.first == "NOT_HELD" else { throw unexpected(name, reply) }
    }

    /// The integer stored at `key` under the prefix, 0 when absent.
    private func number(at key: String) throws(QueueError) -> Int64 {
        let reply = try scripts.call([Array("GET".utf8), Array((scripts.prefix + key).utf8)])
        switch reply {
        case .null: return 0
        case .string:
            guard let value = reply.integer else { throw QueueError(operation: "outbox", message: "\(key) is not a number") }
            return value
        case .error(let message): throw QueueError(operation: "outbox", message: message)
        default: throw QueueError(operation: "outbox", message: "unexpected reply \(reply)")
        }
    }

    /// An item from its seven fields in a script's reply: id, priority, has target, target,
    /// sequence, attempts, body.
    private static func item(_ reply: ScriptReply, at start: Int, script: String) throws(QueueError) -> OutboxItem {
        guard let raw = Int(reply.text(start + 1)), let priority = OutboxPriority(rawValue: raw),
            let sequence = Int64(reply.text(start + 4)), let attempts = Int(reply.text(start + 5))
        else {
            throw QueueError(operation: script, message: "malformed item \(reply.text(start))")
        }
        return OutboxItem(
            id: reply.text(start), priority: priority, target: reply.text(start + 2) == "1" ? reply.text(start + 3) : nil,
            sequence: sequence, attempts: attempts, body: reply.bytes(start + 6))
    }

    private func unexpected(_ name: String, _ reply: ScriptReply) -> QueueError {
        QueueError(operation: name, message: "unexpected reply \(reply.items.map { String(decoding: $0, as: UTF8.self) })")
    }
}
