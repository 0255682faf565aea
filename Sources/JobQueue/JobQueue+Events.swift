internal import Redis

/// One entry of the queue's event stream: a job's state change or a step it began.
public struct QueueEvent: Sendable, Hashable {
    /// The stream entry id (`<ms>-<n>`): the cursor to read on from.
    public var id: String
    public var job: String
    public var state: JobState?
    /// `step N [name]` for a step begun, the worker id for a claim, a reason, or empty.
    public var info: String

    /// The step a `step N …` event began.
    public var step: Int? {
        let words = info.split(separator: " ")
        guard words.count >= 2, words[0] == "step" else { return nil }
        return Int(words[1])
    }
}

extension JobQueue {
    /// Events after `cursor` (oldest first, at most `count`), waiting up to `block` for the first
    /// one when there is none yet. `block` must stay below the connection's command timeout.
    public func events(after cursor: String, count: Int = 100, block: Duration? = nil) throws(QueueError) -> [QueueEvent] {
        var arguments = ["XREAD", "COUNT", String(count)]
        if let block { arguments += ["BLOCK", String(max(block.components.seconds * 1000 + block.components.attoseconds / 1_000_000_000_000_000, 1))] }
        arguments += ["STREAMS", prefix + "events", cursor]
        let reply: RedisReply
        do { reply = try connection.command(arguments.map { Array($0.utf8) }) } catch { throw QueueError(operation: "events", message: error.description) }
        switch reply {
        case .null: return []
        case .array(let streams):
            guard case .array(let stream)? = streams.first, stream.count == 2, case .array(let entries) = stream[1] else { return [] }
            return entries.compactMap(Self.event)
        case .error(let message): throw QueueError(operation: "events", message: message)
        default: throw QueueError(operation: "events", message: "unexpected reply \(reply)")
        }
    }

    /// The id of the newest event ("0-0" when there is none): where a new reader starts.
    public func newestEventID() throws(QueueError) -> String {
        let reply: RedisReply
        do { reply = try connection.command("XREVRANGE", prefix + "events", "+", "-", "COUNT", "1") } catch {
            throw QueueError(operation: "events", message: error.description)
        }
        guard case .array(let entries) = reply, case .array(let entry)? = entries.first, let id = entry.first?.text else { return "0-0" }
        return id
    }

    private static func event(_ entry: RedisReply) -> QueueEvent? {
        guard case .array(let parts) = entry, parts.count == 2, let id = parts[0].text, case .array(let fields) = parts[1] else { return nil }
        var values: [String: String] = [:]
        var index = 0
        while index + 1 < fields.count {
            if let key = fields[index].text { values[key] = fields[index + 1].text ?? "" }
            index += 2
        }
        guard let job = values["job"] else { return nil }
        return QueueEvent(id: id, job: job, state: values["state"].flatMap(JobState.init(rawValue:)), info: values["info"] ?? "")
    }
}
