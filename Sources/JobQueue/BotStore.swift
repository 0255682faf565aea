public import Redis

/// The bot's own state in Redis, beside the queue (keys under its prefix, e.g.
/// `dumpyard:{q}:bot:`): records by kind and id (a job's status message, a review, a restart
/// confirmation), the jobs whose status messages are followed, each job's progress history, and
/// small values (the update offset, the event cursor). Records are opaque text (the bot's JSON).
/// One instance per thread: it owns its connection.
public final class BotStore {
    public let connection: RedisConnection
    public let prefix: String

    public init(connection: RedisConnection, prefix: String) {
        self.connection = connection
        self.prefix = prefix
    }

    /// Stores `value` as the record `kind`/`id`, expiring after `ttl` when given.
    public func put(_ kind: String, _ id: String, _ value: String, ttl: Duration? = nil) throws(QueueError) {
        var arguments = ["SET", key(kind, id), value]
        if let ttl { arguments += ["PX", String(max(Self.milliseconds(ttl), 1))] }
        try expectOK(try run(arguments), "put")
    }

    /// Stores `value` only when no record `kind`/`id` exists; true when stored.
    public func add(_ kind: String, _ id: String, _ value: String, ttl: Duration) throws(QueueError) -> Bool {
        let reply = try run(["SET", key(kind, id), value, "NX", "PX", String(max(Self.milliseconds(ttl), 1))])
        return reply != .null
    }

    public func get(_ kind: String, _ id: String) throws(QueueError) -> String? {
        try run(["GET", key(kind, id)]).text
    }

    /// Reads and deletes the record at once: of two callers, one gets it.
    public func take(_ kind: String, _ id: String) throws(QueueError) -> String? {
        try run(["GETDEL", key(kind, id)]).text
    }

    public func delete(_ kind: String, _ id: String) throws(QueueError) {
        _ = try run(["DEL", key(kind, id)])
    }

    /// Follows `job`'s status message from now on.
    public func follow(_ job: String, since milliseconds: Int64) throws(QueueError) {
        _ = try run(["ZADD", prefix + "followed", String(milliseconds), job])
    }

    public func unfollow(_ job: String) throws(QueueError) {
        _ = try run(["ZREM", prefix + "followed", job])
    }

    /// Since when (`follow`'s milliseconds) `job`'s status message is followed; nil when it is not.
    public func followedSince(_ job: String) throws(QueueError) -> Int64? {
        try run(["ZSCORE", prefix + "followed", job]).text.flatMap { Double($0) }.map { Int64($0) }
    }

    /// The followed jobs, oldest first.
    public func followed() throws(QueueError) -> [String] {
        guard case .array(let items) = try run(["ZRANGE", prefix + "followed", "0", "-1"]) else { return [] }
        return items.compactMap(\.text)
    }

    /// Appends a line to `job`'s history (the newest `cap` kept, for 15 days).
    public func appendHistory(_ job: String, _ line: String, cap: Int = 200) throws(QueueError) {
        let key = prefix + "history:" + job
        do {
            _ = try connection.pipeline([
                ["RPUSH", key, line].map { Array($0.utf8) },
                ["LTRIM", key, String(-cap), "-1"].map { Array($0.utf8) },
                ["PEXPIRE", key, String(15 * 86_400_000)].map { Array($0.utf8) },
            ])
        } catch {
            throw QueueError(operation: "bot store", message: error.description)
        }
    }

    public func history(_ job: String) throws(QueueError) -> [String] {
        guard case .array(let items) = try run(["LRANGE", prefix + "history:" + job, "0", "-1"]) else { return [] }
        return items.compactMap(\.text)
    }

    /// Redis's clock in milliseconds (every bot process and worker agrees on it).
    public func now() throws(QueueError) -> Int64 {
        guard case .array(let parts) = try run(["TIME"]), parts.count == 2, let seconds = parts[0].integer, let micros = parts[1].integer else {
            throw QueueError(operation: "bot store", message: "TIME answered oddly")
        }
        return seconds * 1000 + micros / 1000
    }

    private func key(_ kind: String, _ id: String) -> String { prefix + kind + ":" + id }

    private func run(_ arguments: [String]) throws(QueueError) -> RedisReply {
        let reply: RedisReply
        do { reply = try connection.command(arguments.map { Array($0.utf8) }) } catch {
            throw QueueError(operation: "bot store", message: error.description)
        }
        if case .error(let message) = reply { throw QueueError(operation: "bot store", message: message) }
        return reply
    }

    private func expectOK(_ reply: RedisReply, _ operation: String) throws(QueueError) {
        guard reply.text == "OK" else { throw QueueError(operation: "bot store \(operation)", message: "unexpected reply \(reply)") }
    }

    private static func milliseconds(_ duration: Duration) -> Int64 {
        duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    }
}
