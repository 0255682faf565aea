internal import DumpCore
internal import Download
internal import Foundation
internal import JobQueue
internal import Redis

/// `dumpyard submit | status | cancel | retry | stats`: the job queue in Redis (`REDIS_URL`).
/// Workers that run the jobs arrive with the rest of issue 5.
enum QueueCommands {
    static func run(_ command: String, _ arguments: [String], configuration: DumpConfiguration) throws -> Int32 {
        switch command {
        case "submit": try submit(arguments, configuration: configuration)
        case "status": try status(arguments, configuration: configuration)
        case "cancel": try cancel(arguments, configuration: configuration)
        case "retry": try retry(arguments, configuration: configuration)
        case "lookup": try lookup(arguments, configuration: configuration)
        default: try stats(arguments, configuration: configuration)
        }
    }

    static func open(_ configuration: DumpConfiguration) throws -> JobQueue {
        let endpoint: RedisEndpoint
        do { endpoint = try RedisEndpoint(url: configuration.redisURL) } catch {
            throw CommandLineTool.CommandFailure("REDIS_URL: \(error.description)")
        }
        do {
            return JobQueue(
                connection: try RedisConnection(endpoint, connectTimeout: .seconds(5), commandTimeout: .seconds(10), clientName: "dumpyard-cli"),
                prefix: configuration.redisKeyPrefix)
        } catch {
            throw CommandLineTool.CommandFailure("cannot reach the job queue: \(error.description)")
        }
    }

    private static func submit(_ arguments: [String], configuration: DumpConfiguration) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valued: ["--priority", "--id"], flags: ["--alt", "--force", "--private", "--json"])
        guard parsed.positionals.count == 1 else { throw UsageError("submit takes one URL or firmware file") }
        var priority = 5
        if let text = parsed.options["--priority"] {
            guard let value = Int(text), (0...9).contains(value) else { throw UsageError("--priority is 0 (lowest) to 9 (highest)") }
            priority = value
        }
        let url = try jobURL(parsed.positionals[0])
        let id = parsed.options["--id"] ?? newJobID()
        guard !id.isEmpty, id.count <= 64, id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) else {
            throw UsageError("--id takes letters, digits, - _ . (at most 64)")
        }
        let request = JobRequest(
            url: url, alt: parsed.flags.contains("--alt"), force: parsed.flags.contains("--force"), isPrivate: parsed.flags.contains("--private"))
        let queue = try open(configuration)
        let outcome = try queue.submit(id: id, payload: Array(try JSONEncoder().encode(request)), priority: priority)
        let state: String
        switch outcome {
        case .queued: state = "queued"
        case .exists(let existing): state = existing.rawValue.lowercased()
        }
        if parsed.flags.contains("--json") {
            CommandLineTool.printOut(try CommandLineTool.encodeJSON(SubmitSummary(job: id, state: state, existed: outcome != .queued, url: request.displayURL, priority: priority)))
        } else {
            CommandLineTool.printOut(outcome == .queued ? "queued job \(id): \(request.displayURL)" : "job \(id) already exists (\(state))")
        }
        return 0
    }

    private static func status(_ arguments: [String], configuration: DumpConfiguration) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valued: [], flags: ["--json"])
        guard parsed.positionals.count <= 1 else { throw UsageError("status takes at most one job id") }
        let queue = try open(configuration)
        let json = parsed.flags.contains("--json")
        if let id = parsed.positionals.first {
            guard var fields = try queue.job(id: id) else { throw CommandLineTool.CommandFailure("no job \(id)") }
            // The payload is shown through its display URL only (private jobs and credentials hidden).
            if let payload = fields.removeValue(forKey: "payload"),
                let request = try? JSONDecoder().decode(JobRequest.self, from: Data(payload.utf8))
            {
                fields["url"] = request.displayURL
            }
            if json {
                CommandLineTool.printOut(try CommandLineTool.encodeJSON(fields))
            } else {
                // A result is shown as its parts: what became of the build, and where it is.
                if let text = fields["result"], let record = JobEvent.decode(JobRecord.self, from: text) {
                    fields["result"] = record.status
                    fields["repository"] = record.repository
                    fields["branch"] = record.branch
                    fields["commit"] = record.commit
                }
                let order = ["state", "url", "step", "step_name", "pct", "detail", "attempts", "worker", "last_error", "result", "repository", "branch", "commit"]
                // Values may hold anything a job was given: control characters are escaped.
                CommandLineTool.printOut("job \(JobRequest.escapingControls(id))\n" + order.compactMap { key in
                    fields[key].map { "  " + key.padding(toLength: 11, withPad: " ", startingAt: 0) + JobRequest.escapingControls($0) }
                }.joined(separator: "\n"))
            }
            return 0
        }
        let overview = try queue.overview()
        if json {
            CommandLineTool.printOut(try CommandLineTool.encodeJSON(overview))
        } else {
            var lines = ["queued \(overview.queued), running \(overview.running), retrying \(overview.retrying), failed \(overview.failed), finished \(overview.finished)"]
            lines += overview.workers.map { "  worker \($0.id): \($0.job.map { "job " + $0 } ?? "idle"), heartbeat \(String(format: "%.0f", $0.heartbeatAgeSeconds)) s ago" }
            if !overview.recent.isEmpty { lines.append("  recent: " + overview.recent.joined(separator: ", ")) }
            if !overview.recentFailed.isEmpty { lines.append("  failed (dumpyard retry <job-id>): " + overview.recentFailed.joined(separator: ", ")) }
            CommandLineTool.printOut(lines.joined(separator: "\n"))
        }
        return 0
    }

    private static func cancel(_ arguments: [String], configuration: DumpConfiguration) throws -> Int32 {
        let id = try single(arguments, "cancel")
        switch try open(configuration).cancel(id: id) {
        case .cancelled: CommandLineTool.printOut("cancelled job \(id)")
        case .requested: CommandLineTool.printOut("job \(id) is running: its worker stops it at its next heartbeat")
        case .alreadyFinished(let state): CommandLineTool.printOut("job \(id) already ended (\(state.rawValue.lowercased()))")
        case .unknown: throw CommandLineTool.CommandFailure("no job \(id)")
        }
        return 0
    }

    private static func retry(_ arguments: [String], configuration: DumpConfiguration) throws -> Int32 {
        let id = try single(arguments, "retry")
        let queue = try open(configuration)
        guard try queue.retry(id: id) else {
            let state = try queue.job(id: id)?["state"]
            throw CommandLineTool.CommandFailure(state.map { "job \(id) is not failed (\($0.lowercased()))" } ?? "no job \(id)")
        }
        CommandLineTool.printOut("job \(id) is queued again")
        return 0
    }

    private static func stats(_ arguments: [String], configuration: DumpConfiguration) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valued: [], flags: ["--json"])
        guard parsed.positionals.isEmpty else { throw UsageError("stats takes no argument") }
        var stats = try open(configuration).stats()
        // Every counter, zeros included, in both forms.
        let keys = ["submitted", "completed", "failed", "cancelled", "retried", "released", "lease_expired", "fence_rejected", "published"]
        for key in keys where stats[key] == nil { stats[key] = 0 }
        if parsed.flags.contains("--json") {
            CommandLineTool.printOut(try CommandLineTool.encodeJSON(stats))
        } else {
            let extra = stats.keys.filter { !keys.contains($0) }.sorted()
            CommandLineTool.printOut((keys + extra).map { "\($0) \(stats[$0] ?? 0)" }.joined(separator: "\n"))
        }
        return 0
    }

    /// `lookup <url|sha256>`: was this firmware dumped? Answers from the index finished jobs fill.
    private static func lookup(_ arguments: [String], configuration: DumpConfiguration) throws -> Int32 {
        let parsed = try ParsedArguments(arguments, valued: [], flags: ["--json"])
        guard parsed.positionals.count == 1 else { throw UsageError("lookup takes one URL or SHA-256") }
        let query = parsed.positionals[0]
        let isDigest = query.count == 64 && query.allSatisfy(\.isHexDigit)
        let urlKey = isDigest ? nil : SourceKey.key(query)
        guard isDigest || urlKey != nil else { throw UsageError("lookup takes an http(s) URL or a firmware's SHA-256 (64 hex digits)") }
        let record = try open(configuration).dump(urlKey: urlKey, digest: isDigest ? query.lowercased() : nil)
        let shown = isDigest ? query.lowercased() : JobRequest(url: query).displayURL
        if parsed.flags.contains("--json") {
            CommandLineTool.printOut(record.map { "{\"found\":true,\"dump\":\($0)}" } ?? "{\"found\":false}")
        } else if let record, let fields = try? JSONSerialization.jsonObject(with: Data(record.utf8)) as? [String: Any] {
            let line = { (key: String) in (fields[key] as? String).map { "  " + key.padding(toLength: 11, withPad: " ", startingAt: 0) + JobRequest.escapingControls($0) } }
            CommandLineTool.printOut((["already dumped: \(shown)"] + ["repository", "branch", "commit", "dumped_by"].compactMap(line)).joined(separator: "\n"))
        } else {
            // The shown URL hides its query, which counts: say that there was one.
            let hidden = !isDigest && (query.contains("?") || query.contains("@"))
            CommandLineTool.printOut("not dumped yet: \(shown)" + (hidden ? " (with the query or credentials it was given, which are not shown)" : ""))
        }
        return record == nil ? 3 : 0
    }

    private static func single(_ arguments: [String], _ command: String) throws -> String {
        let parsed = try ParsedArguments(arguments, valued: [], flags: [])
        guard parsed.positionals.count == 1 else { throw UsageError("\(command) takes one job id") }
        return parsed.positionals[0]
    }

    /// http(s) URLs as given; a local file as `file://` + its absolute path (it must exist).
    static func jobURL(_ argument: String) throws -> String {
        if argument.hasPrefix("http://") || argument.hasPrefix("https://") || argument.hasPrefix("file://") { return argument }
        if argument.contains("://") { throw UsageError("submit takes http(s):// and file:// URLs or a local file") }
        let path = URL(fileURLWithPath: argument).standardizedFileURL.path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw CommandLineTool.CommandFailure("submit failed: \(argument): no such file")
        }
        return "file://" + path
    }

    static func newJobID() -> String {
        String((0..<12).map { _ in "0123456789abcdef".randomElement()! })
    }

    struct SubmitSummary: Codable {
        var job: String
        var state: String
        var existed: Bool
        var url: String
        var priority: Int
    }
}
