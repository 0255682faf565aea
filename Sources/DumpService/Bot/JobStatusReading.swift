internal import DumpCore
internal import Foundation
internal import JobQueue

/// A job's status message from what the queue holds of it (its hash) and what the bot recorded.
enum JobStatusReading {
    /// The view of `job` at Redis time `now`. `step`: the step to show in place of the job's
    /// current one (an event's, read after the job moved on: every step gets its own edit).
    static func view(job: String, record: StatusRecord, fields: [String: String], now: Int64, step eventStep: Int? = nil) -> JobStatusView {
        let request = fields["payload"].flatMap { try? JSONDecoder().decode(JobRequest.self, from: Data($0.utf8)) }
        let result = fields["result"].flatMap { JobEvent.decode(JobRecord.self, from: $0) }
        let state = fields["state"].flatMap(JobState.init(rawValue:))
        let attempts = Int(fields["attempts"] ?? "") ?? 0
        var view = JobStatusView(job: job, url: request?.displayURL ?? "", options: record.dumpOptions)
        view.worker = fields["worker"].flatMap { $0.isEmpty ? nil : $0 }
        view.device = fields["device"].flatMap { $0.isEmpty ? nil : $0 }
        view.attempt = max(attempts, 1)
        let created = Int64(fields["created"] ?? "") ?? now
        let end = state.map { [.completed, .failed, .cancelled].contains($0) } == true ? Int64(fields["finished"] ?? "") ?? now : now
        view.elapsedSeconds = Int(max(end - created, 0) / 1000)
        let currentStep = Int(fields["step"] ?? "") ?? 0
        switch state {
        case .queued?, nil:
            view.phase = .queued
        case .processing?:
            view.phase = .running
            if let eventStep, eventStep != currentStep {
                view.step = eventStep
                view.percent = (eventStep - 1) * 10
            } else {
                view.step = max(currentStep, 1)
                view.percent = Int(fields["pct"] ?? "") ?? (view.step - 1) * 10
                view.detail = request?.redacting(fields["detail"] ?? "") ?? ""
                if fields["cancel_requested"] == "1" { view.detail = "cancel requested: stopping" }
            }
        case .retrying?:
            view.phase = .retrying
            view.attempt = attempts + 1
            view.step = currentStep
            view.percent = Int(fields["pct"] ?? "") ?? 0
            view.error = fields["last_error"].map { request?.redacting($0) ?? $0 }
        case .completed?:
            view.phase = result?.status == "already_dumped" ? .alreadyDumped : .completed
            view.step = 10
            view.percent = 100
        case .failed?, .cancelled?:
            view.phase = state == .failed ? .failed : .cancelled
            view.step = max(currentStep, 1)
            view.percent = Int(fields["pct"] ?? "") ?? 0
            view.error = state == .failed ? request?.redacting(fields["last_error"] ?? "failed") ?? "failed" : nil
        }
        if let result {
            if !result.brand.isEmpty || !result.codename.isEmpty { view.device = "\(result.brand) \(result.codename)" }
            view.repository = webLink(result.repository, branch: result.branch)
            view.branch = result.branch.isEmpty ? nil : result.branch
            view.fingerprint = result.fingerprint.flatMap { $0.isEmpty ? nil : $0 }
        }
        return view
    }

    /// `view` of an ended job as it was while running at `step` (an event read late).
    static func running(_ view: JobStatusView, step: Int) -> JobStatusView {
        var running = view
        running.phase = .running
        running.step = step
        running.percent = (step - 1) * 10
        running.detail = ""
        running.error = nil
        running.repository = nil
        running.branch = nil
        running.fingerprint = nil
        return running
    }

    /// A GitLab project's branch page; a local repository's path as it is.
    static func webLink(_ repository: String, branch: String) -> String {
        guard repository.hasPrefix("https://") || repository.hasPrefix("http://"), !branch.isEmpty else { return repository }
        let encoded = branch.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? branch
        return repository + "/-/tree/" + encoded
    }
}
