/// The bot's command grammar (reference/dumpbot.md §1): what a message's text asks for. Pure:
/// who may ask, and in which chat, is the bot's decision.
public enum BotCommand: Sendable, Hashable {
    case dump(url: String, options: DumpOptions)
    case status(job: String?)
    case cancel(job: String)
    case retry(job: String)
    case restart
    case clearQueue
    case help
    case lookup(query: String)
    /// `/accept [id] [letters]`: the id is nil when the command answers a review card.
    case accept(request: String?, options: DumpOptions)
    /// `/reject [id] [reason]`: the id is nil when the command answers a review card.
    case reject(request: String?, reason: String)
    /// `#request <url> …` in the request chat: the URL and the rest of the text as a note.
    case request(url: String, note: String)
    /// A known command used wrongly: the line to answer with.
    case usage(String)

    /// The command in `text`, or nil when the text is no command for this bot (plain chat, an
    /// unknown command, or one addressed to another bot as `/cmd@other_bot`). `isReply`: the
    /// message answers another one, so `/accept` and `/reject` without an id of their own take
    /// it from the card they answer.
    public static func parse(_ text: String, botUsername: String? = nil, isReply: Bool = false) -> BotCommand? {
        let words = text.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let first = words.first else { return nil }
        guard first.hasPrefix("/") else { return request(in: words) }
        let parts = first.dropFirst().split(separator: "@", maxSplits: 1)
        guard let name = parts.first?.lowercased() else { return nil }
        if parts.count == 2, parts[1].lowercased() != botUsername?.lowercased() { return nil }
        let arguments = Array(words.dropFirst())
        switch name {
        case "dump": return dump(arguments)
        case "status":
            guard arguments.count <= 1 else { return .usage("Usage: /status [job id]") }
            guard let job = arguments.first else { return .status(job: nil) }
            return isJobID(job) ? .status(job: job) : .usage("No such job id: a job id is letters, digits, - _ . (at most 64)")
        case "cancel": return jobCommand(arguments, "cancel") { .cancel(job: $0) }
        case "retry": return jobCommand(arguments, "retry") { .retry(job: $0) }
        case "restart": return .restart
        case "clearqueue": return .clearQueue
        case "help", "start": return .help
        case "lookup":
            guard arguments.count == 1 else { return .usage("Usage: /lookup <url | SHA-256 of the firmware | build fingerprint>") }
            return .lookup(query: arguments[0])
        case "accept":
            if let id = arguments.first, isRequestID(id) {
                return .accept(request: id.lowercased(), options: DumpOptions(letters: arguments.dropFirst()))
            }
            guard isReply else { return .usage("Usage: /accept <request id> [a|f|p|b], or answer a review card with /accept [a|f|p|b]") }
            return .accept(request: nil, options: DumpOptions(letters: arguments))
        case "reject":
            if let id = arguments.first, isRequestID(id) {
                return .reject(request: id.lowercased(), reason: reason(arguments.dropFirst()))
            }
            guard isReply else { return .usage("Usage: /reject <request id> [reason], or answer a review card with /reject [reason]") }
            return .reject(request: nil, reason: reason(arguments[...]))
        default: return nil
        }
    }

    static let dumpUsage = "Usage: /dump <url> [a|f|p|b] — a: alternative extractor, f: dump again, p: private (URL never shown), b: never publish the firmware link"

    private static func dump(_ arguments: [String]) -> BotCommand {
        guard let first = arguments.first else { return .usage(dumpUsage) }
        guard let url = FirmwareURL.validated(first) else {
            return .usage("Invalid URL: give the firmware's http(s) download link. " + dumpUsage)
        }
        return .dump(url: url, options: DumpOptions(letters: arguments.dropFirst()))
    }

    private static func jobCommand(_ arguments: [String], _ name: String, _ make: (String) -> BotCommand) -> BotCommand {
        guard arguments.count == 1 else { return .usage("Usage: /\(name) <job id>") }
        return isJobID(arguments[0]) ? make(arguments[0]) : .usage("No such job id: a job id is letters, digits, - _ . (at most 64)")
    }

    private static func reason(_ words: ArraySlice<String>) -> String {
        words.isEmpty ? "No reason given" : TelegramHTML.cut(words.joined(separator: " "), 500)
    }

    /// `#request` (any case) anywhere, with the first http(s) URL after it.
    private static func request(in words: [String]) -> BotCommand? {
        guard words.contains(where: { $0.lowercased() == "#request" }) else { return nil }
        guard let url = words.first(where: { $0.lowercased().hasPrefix("http://") || $0.lowercased().hasPrefix("https://") }) else {
            return .usage("A request needs the firmware's http(s) link: #request <url> [notes]")
        }
        guard let valid = FirmwareURL.validated(url) else { return .usage("Invalid URL: give the firmware's http(s) download link") }
        let rest = words.filter { $0.lowercased() != "#request" && !$0.contains("://") }
        return .request(url: valid, note: truncated(rest.joined(separator: " "), to: 300))
    }

    /// `text` cut at a word boundary to at most `limit` UTF-16 units, with "…" when cut.
    static func truncated(_ text: String, to limit: Int) -> String {
        guard text.utf16.count > limit else { return text }
        let cut = String(TelegramHTML.cut(text, limit).dropLast())
        let end = cut.lastIndex(of: " ") ?? cut.endIndex
        return String(cut[..<end]) + "…"
    }

    /// True when `text` is a `/dump` whose words after the command, other than a URL, hold the
    /// letter `p`: a private dump, even one the bot cannot run (a bad URL, the URL last), whose
    /// message must not stay visible.
    public static func asksPrivateDump(_ text: String) -> Bool {
        let words = text.split(whereSeparator: \.isWhitespace)
        guard let first = words.first, first.lowercased() == "/dump" || first.lowercased().hasPrefix("/dump@") else { return false }
        return words.dropFirst().contains { !$0.contains("://") && $0.lowercased().contains("p") }
    }

    /// True when `text` is a `#request` message (not a command).
    public static func isRequest(_ text: String) -> Bool {
        let words = text.split(whereSeparator: \.isWhitespace)
        return words.first?.hasPrefix("/") == false && words.contains { $0.lowercased() == "#request" }
    }

    /// A job id as the queue takes them: letters, digits, `-_.`, at most 64.
    public static func isJobID(_ text: some StringProtocol) -> Bool {
        !text.isEmpty && text.count <= 64 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
    }

    /// A review request id: 8 hex digits.
    public static func isRequestID(_ text: some StringProtocol) -> Bool {
        text.count == 8 && text.allSatisfy(\.isHexDigit)
    }
}
