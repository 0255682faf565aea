internal import DumpCore
internal import JobQueue
internal import Telegram

/// The admins' commands on jobs: `/cancel`, `/retry`, `/clearqueue`.
extension BotUpdates {
    func cancel(_ message: TelegramUpdate.Message, job: String) {
        let e = TelegramHTML.escaped
        guard let outcome = link.attempt("cancel", { redis throws(QueueError) in try redis.queue.cancel(id: job) }) else {
            return reply(message, "The job queue cannot be reached right now.")
        }
        switch outcome {
        case .cancelled: reply(message, "Job <code>\(e(job))</code> is cancelled (it had not started).")
        case .requested: reply(message, "Job <code>\(e(job))</code> is running: its worker stops it now.")
        case .alreadyFinished(let state): reply(message, "Job <code>\(e(job))</code> already ended (\(state.rawValue.lowercased())).")
        case .unknown: reply(message, "No job <code>\(e(job))</code>.")
        }
        log("job \(job): cancel asked by user \(message.from?.id ?? 0): \(outcome)")
    }

    func retry(_ message: TelegramUpdate.Message, job: String) {
        let e = TelegramHTML.escaped
        let done = link.attempt("retry") { redis throws(QueueError) -> (Bool, String?) in
            guard try redis.queue.retry(id: job) else { return (false, try redis.queue.job(id: job)?["state"]) }
            // Its status message follows it again.
            if try redis.store.get(StatusRecord.kind, job) != nil { try redis.store.follow(job, since: try redis.store.now()) }
            return (true, nil)
        }
        guard let (retried, state) = done else { return reply(message, "The job queue cannot be reached right now.") }
        if retried {
            reply(message, "Job <code>\(e(job))</code> is queued again.")
        } else {
            reply(message, state.map { "Job <code>\(e(job))</code> is not failed (\($0.lowercased())): only failed jobs are retried." } ?? "No job <code>\(e(job))</code>.")
        }
    }

    func clearQueue(_ message: TelegramUpdate.Message) {
        let e = TelegramHTML.escaped
        let cleared = link.attempt("clear queue") { redis throws(QueueError) -> [String] in
            var ids: [String] = []
            for id in try redis.queue.members(of: "pending") where try redis.queue.cancel(id: id) == .cancelled { ids.append(id) }
            return ids
        }
        guard let cleared else { return reply(message, "The job queue cannot be reached right now.") }
        guard !cleared.isEmpty else { return reply(message, "No queued job to clear.") }
        var text = "Cleared \(cleared.count) queued job\(cleared.count == 1 ? "" : "s"): " + cleared.prefix(20).map { "<code>\(e($0))</code>" }.joined(separator: ", ")
        if cleared.count > 20 { text += " …and \(cleared.count - 20) more" }
        reply(message, text)
        log("cleared \(cleared.count) queued job(s) for user \(message.from?.id ?? 0)")
    }
}
