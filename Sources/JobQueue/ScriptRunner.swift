internal import Redis

/// Runs a Redis client's Lua scripts: EVALSHA with the script's digest, loaded with SCRIPT LOAD
/// the first time a script runs and again when Redis answers NOSCRIPT (it lost its scripts to a
/// restart or a `SCRIPT FLUSH`). ARGV[1] of every script is the key prefix; scripts take no KEYS
/// (every key they touch is built from the prefix, whose `{…}` hash tag keeps them in one slot).
///
/// `JobQueue` and `MessageOutbox` each own one, on their own connection; like the connection it
/// belongs to one thread.
final class ScriptRunner {
    let connection: RedisConnection
    /// Prefix of every key, passed to each script as ARGV[1].
    let prefix: String
    /// Digests of the scripts loaded so far, by script name.
    private var digests: [String: String] = [:]

    init(connection: RedisConnection, prefix: String) {
        self.connection = connection
        self.prefix = prefix
    }

    /// Runs the script `source`, named `name` in the digest cache and in errors.
    func run(_ name: String, _ source: String, _ arguments: [String]) throws(QueueError) -> ScriptReply {
        try run(name, source, arguments.map { Array($0.utf8) })
    }

    /// Runs the script `source` with binary-safe arguments (after the prefix).
    func run(_ name: String, _ source: String, _ arguments: [[UInt8]]) throws(QueueError) -> ScriptReply {
        let argv = [Array(prefix.utf8)] + arguments
        var reply = try call([Array("EVALSHA".utf8), Array(try digest(name, source).utf8), Array("0".utf8)] + argv)
        if case .error(let message) = reply, message.hasPrefix("NOSCRIPT") {
            digests[name] = nil  // Redis restarted or flushed its scripts: load it again.
            reply = try call([Array("EVALSHA".utf8), Array(try digest(name, source).utf8), Array("0".utf8)] + argv)
        }
        return try ScriptReply(reply, script: name)
    }

    /// Runs the script once per argument list in one pipeline (one round trip; Redis syncs its
    /// AOF once for the lot). Runs that met NOSCRIPT ran nothing: they are sent again once the
    /// script is loaded. The replies come back raw, in order.
    func pipeline(_ name: String, _ source: String, _ argumentLists: [[[UInt8]]]) throws(QueueError) -> [RedisReply] {
        guard !argumentLists.isEmpty else { return [] }
        func commands(_ lists: ArraySlice<[[UInt8]]>, _ digest: String) -> [[[UInt8]]] {
            lists.map { [Array("EVALSHA".utf8), Array(digest.utf8), Array("0".utf8), Array(prefix.utf8)] + $0 }
        }
        var replies: [RedisReply]
        do {
            replies = try connection.pipeline(commands(argumentLists[...], try digest(name, source)))
            let unrun = replies.indices.filter { if case .error(let message) = replies[$0] { message.hasPrefix("NOSCRIPT") } else { false } }
            if !unrun.isEmpty {
                digests[name] = nil
                let digest = try digest(name, source)
                let again = try connection.pipeline(unrun.flatMap { commands(argumentLists[$0...$0], digest) })
                for (index, reply) in zip(unrun, again) { replies[index] = reply }
            }
        } catch let error as QueueError {
            throw error
        } catch {
            throw QueueError(operation: "redis", message: "\(error)")
        }
        return replies
    }

    /// The script's SHA-1 digest, loaded into Redis the first time.
    private func digest(_ name: String, _ source: String) throws(QueueError) -> String {
        if let digest = digests[name] { return digest }
        let loaded = try call([Array("SCRIPT".utf8), Array("LOAD".utf8), Array(source.utf8)])
        guard let digest = loaded.text else { throw QueueError(operation: name, message: "SCRIPT LOAD: \(loaded)") }
        digests[name] = digest
        return digest
    }

    /// Runs one plain command.
    func call(_ arguments: [String]) throws(QueueError) -> RedisReply {
        try call(arguments.map { Array($0.utf8) })
    }

    /// Runs one plain command with binary-safe arguments.
    func call(_ arguments: [[UInt8]]) throws(QueueError) -> RedisReply {
        do { return try connection.command(arguments) } catch { throw QueueError(operation: "redis", message: error.description) }
    }
}

/// A script's reply: a flat array of strings.
struct ScriptReply {
    var items: [[UInt8]]

    init(_ reply: RedisReply, script: String) throws(QueueError) {
        switch reply {
        case .array(let values):
            items = values.map { value in
                switch value {
                case .string(let bytes): bytes
                case .integer(let number): Array(String(number).utf8)
                case .status(let text): Array(text.utf8)
                default: []
                }
            }
        case .error(let message): throw QueueError(operation: script, message: message)
        default: throw QueueError(operation: script, message: "unexpected reply \(reply)")
        }
    }

    var first: String? { items.first.map { String(decoding: $0, as: UTF8.self) } }
    func text(_ index: Int) -> String { index < items.count ? String(decoding: items[index], as: UTF8.self) : "" }
    func bytes(_ index: Int) -> [UInt8] { index < items.count ? items[index] : [] }
}

extension Duration {
    /// Whole milliseconds, rounded toward zero.
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
