/// One job's status message as the bot shows it and edits it through the ten steps
/// (reference/dumpbot.md §3.2): title, URL (hidden for a private job), id, options, progress bar,
/// step, elapsed time and worker; the device once known; the repository on success; the failed
/// and last successful step on failure. Rendered in Telegram's HTML, every value escaped.
public struct JobStatusView: Sendable, Hashable {
    public enum Phase: String, Sendable, Hashable, Codable {
        case queued, running, retrying, completed, alreadyDumped, failed, cancelled

        /// True once the job can change no more.
        public var isFinal: Bool { [.completed, .alreadyDumped, .failed, .cancelled].contains(self) }
    }

    public var job: String
    /// The URL as it may be shown (credentials and query dropped); ignored for a private job.
    public var url: String
    public var options: DumpOptions
    public var phase: Phase
    /// 0 (not started) to 10.
    public var step: Int
    public var percent: Int
    public var detail: String
    public var elapsedSeconds: Int
    public var worker: String?
    public var device: String?
    public var repository: String?
    public var branch: String?
    public var fingerprint: String?
    public var error: String?
    /// The attempt running or coming (a retried job's second attempt is 2).
    public var attempt: Int

    public init(
        job: String, url: String, options: DumpOptions, phase: Phase = .queued, step: Int = 0, percent: Int = 0, detail: String = "",
        elapsedSeconds: Int = 0, worker: String? = nil, device: String? = nil, repository: String? = nil, branch: String? = nil,
        fingerprint: String? = nil, error: String? = nil, attempt: Int = 1
    ) {
        self.job = job
        self.url = url
        self.options = options
        self.phase = phase
        self.step = step
        self.percent = percent
        self.detail = detail
        self.elapsedSeconds = elapsedSeconds
        self.worker = worker
        self.device = device
        self.repository = repository
        self.branch = branch
        self.fingerprint = fingerprint
        self.error = error
        self.attempt = attempt
    }

    public var title: String {
        let kind = options.isPrivate ? "Private dump" : "Firmware dump"
        switch phase {
        case .queued: return "\(kind) queued"
        case .running: return "\(kind) in progress"
        case .retrying: return "\(kind) waiting to retry"
        case .completed: return "\(kind) completed"
        case .alreadyDumped: return "Already dumped"
        case .failed: return "\(kind) failed"
        case .cancelled: return "\(kind) cancelled"
        }
    }

    /// The message text (well under Telegram's 4,096 characters: long values are cut).
    public var html: String {
        let e = TelegramHTML.escaped
        var lines = ["<b>\(e(title))</b>"]
        lines.append(options.isPrivate ? "URL: <i>hidden (private dump)</i>" : "URL: <code>\(e(TelegramHTML.cut(url, 200)))</code>")
        lines.append("Job: <code>\(e(job))</code>" + (attempt > 1 ? " · attempt \(attempt)" : ""))
        if !options.labels.isEmpty { lines.append("Options: " + e(options.labels.joined(separator: ", "))) }
        let shownStep = min(max(step, 0), DumpStep.allCases.count)
        let stepName = DumpStep(rawValue: shownStep).map { " \($0.description)" } ?? ""
        lines.append("\(Self.bar(percent)) \(min(max(percent, 0), 100))% · step \(shownStep)/\(DumpStep.allCases.count)\(e(stepName))")
        switch phase {
        case .queued: lines.append("<i>Waiting for a worker</i>")
        case .retrying: lines.append("<i>Waiting to retry" + (error.map { ": " + e(TelegramHTML.cut($0, 300)) } ?? "") + "</i>")
        case .running where !detail.isEmpty: lines.append("<i>\(e(TelegramHTML.cut(detail, 200)))</i>")
        default: break
        }
        var timing = "Elapsed: \(Self.duration(elapsedSeconds))"
        if let worker { timing += " · Worker: <code>\(e(TelegramHTML.cut(worker, 64)))</code>" }
        lines.append(timing)
        if let device { lines.append("Device: " + e(TelegramHTML.cut(device, 100))) }
        if let repository {
            let shown = e(TelegramHTML.cut(repository, 300))
            let link = repository.hasPrefix("https://") || repository.hasPrefix("http://")
            lines.append("Repository: " + (link ? "<a href=\"\(shown)\">\(shown)</a>" : "<code>\(shown)</code>"))
        }
        if let branch { lines.append("Branch: <code>\(e(TelegramHTML.cut(branch, 250)))</code>") }
        if let fingerprint { lines.append("Fingerprint: <code>\(e(TelegramHTML.cut(fingerprint, 200)))</code>") }
        if phase == .failed || phase == .cancelled, shownStep > 0 {
            let at = DumpStep(rawValue: shownStep)
            lines.append("Failed at: step \(shownStep)/10" + (at.map { " \($0.description)" } ?? ""))
            let last = shownStep - 1
            lines.append("Last successful: " + (last > 0 ? "step \(last)/10 " + (DumpStep(rawValue: last)?.description ?? "") : "none"))
        }
        if phase == .failed || phase == .cancelled, let error { lines.append("Error: <code>\(e(TelegramHTML.cut(error, 1000)))</code>") }
        return lines.joined(separator: "\n")
    }

    /// Ten cells, one per 10 %.
    public static func bar(_ percent: Int) -> String {
        let filled = min(max(percent, 0), 100) / 10
        return String(repeating: "▰", count: filled) + String(repeating: "▱", count: 10 - filled)
    }

    /// `75` → `1m 15s`; `3700` → `1h 01m`.
    public static func duration(_ seconds: Int) -> String {
        let s = max(seconds, 0)
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m \(twoDigits(s % 60))s" }
        return "\(s / 3600)h \(twoDigits(s % 3600 / 60))m"
    }

    private static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}
