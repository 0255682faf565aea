/// The bot's other messages: help, the review card, the channel post and the failure document.
public enum BotTexts {
    /// `/help`; the admin lines only for admins.
    public static func help(isAdmin: Bool) -> String {
        var lines = [
            "<b>dumpyard</b> dumps Android firmware into git.",
            "",
            "/dump &lt;url&gt; [a|f|p|b] — dump a firmware",
            "  a: alternative extractor · f: dump again even if already dumped",
            "  p: private — your message is deleted and the URL is never shown (the dump itself is public)",
            "  b: never publish the firmware link",
            "/status [job] — the queue, or one job",
            "/lookup &lt;url | SHA-256 | build fingerprint&gt; — already dumped?",
            "#request &lt;url&gt; [notes] — ask for a dump (in the request chat)",
            "",
            "Examples: <code>/dump https://example.com/fw.zip</code> · <code>/dump https://example.com/fw.zip af</code>",
        ]
        if isAdmin {
            lines += [
                "",
                "<b>Admins</b>",
                "/cancel &lt;job&gt; — stop a job · /retry &lt;job&gt; — run a failed job again",
                "/accept &lt;request&gt; [a|f|p|b] · /reject &lt;request&gt; [reason] — or answer the review card",
                "/clearqueue — cancel every job not started yet",
                "/restart — restart the bot (asks first)",
            ]
        }
        return lines.joined(separator: "\n")
    }

    /// The review card of a `#request` for the review chat.
    public static func review(request: String, requester: String, url: String, note: String, options: DumpOptions? = nil) -> String {
        let e = TelegramHTML.escaped
        var lines = [
            "<b>Dump request</b> from \(e(requester))",
            "URL: <code>\(e(TelegramHTML.cut(url, 300)))</code>",
            "Request ID: <code>\(e(request))</code>",
            note.isEmpty ? "<i>No notes</i>" : "Notes: " + e(note),
        ]
        if let options {
            lines.append("")
            lines.append("Choose the options, then Submit.")
            lines.append("Options: " + (options.labels.isEmpty ? "none" : e(options.labels.joined(separator: ", "))))
        }
        return lines.joined(separator: "\n")
    }

    /// The channel post of a completed public dump. `firmwareURL` only when it may be published
    /// (whitelisted source, not private, not blacklisted).
    public static func channelPost(
        brand: String, codename: String, release: String, fingerprint: String, platform: String, repository: String, firmwareURL: String?
    ) -> String {
        let e = TelegramHTML.escaped
        var lines: [String] = []
        for (label, value) in [("Brand", brand), ("Device", codename), ("Version", release), ("Fingerprint", fingerprint), ("Platform", platform)]
        where !value.isEmpty {
            lines.append("<b>\(label)</b>: <code>\(e(TelegramHTML.cut(value, 200)))</code>")
        }
        var links = [link("repo", repository)]
        if let firmwareURL { links.append(link("firmware", firmwareURL)) }
        lines.append(links.joined(separator: " "))
        return lines.joined(separator: "\n")
    }

    private static func link(_ label: String, _ url: String) -> String {
        url.hasPrefix("https://") || url.hasPrefix("http://")
            ? "[<a href=\"\(TelegramHTML.escaped(url))\">\(label)</a>]" : "[\(label): <code>\(TelegramHTML.escaped(url))</code>]"
    }

    /// The failure document: plain text, with the job's history. `url` is already the shown form
    /// (nil for a private job: it is never written).
    public static func failureLog(
        job: String, url: String?, worker: String?, started: String, failed: String, history: [String], error: String, step: Int
    ) -> String {
        var lines = [
            "dumpyard job \(job) failed",
            "URL: " + (url ?? "(hidden: private dump)"),
            "Worker: " + (worker ?? "none"),
            "Started: \(started)",
            "Failed: \(failed)",
            "Failed at: step \(step)/10 " + (DumpStep(rawValue: step)?.description ?? ""),
            "",
            "Error:",
            error,
            "",
            "History:",
        ]
        lines += history
        return lines.joined(separator: "\n") + "\n"
    }
}
