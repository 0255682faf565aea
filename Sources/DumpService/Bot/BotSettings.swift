internal import DumpCore
internal import Foundation

/// How the bot runs, from the environment (names compatible with dumpyarabot, reference/dumpbot.md
/// §4): its token and API base, the chats it serves, who is an admin, where it posts, and the
/// timings of its Telegram calls (tests scale them down).
struct BotSettings: Sendable {
    var token: String
    /// `<TELEGRAM_API_BASE_URL>/bot` (default `https://api.telegram.org/bot`).
    var apiBase: String
    /// `ALLOWED_CHATS`: where `/dump` and the other commands work; the first one is the primary
    /// chat, where accepted requests get their status message.
    var allowedChats: [Int64]
    var requestChat: Int64?
    var reviewChat: Int64?
    /// `SUDO_USERS`: admins everywhere.
    var sudoUsers: Set<Int64>
    /// `TELEGRAM_CHANNEL`: `@name` or id of the channel completed dumps are posted to.
    var channel: String?
    /// `SOURCE_WHITELIST` (comma-separated or a JSON list) and `SOURCE_WHITELIST_FILE` (one host per line).
    var whitelist: SourceWhitelist
    /// `TELEGRAM_TEXT_REQUEST_TIMEOUT` / `TELEGRAM_DOCUMENT_REQUEST_TIMEOUT` (seconds): the hard
    /// deadline of one call, waits for `retry_after` included.
    var textDeadline: Duration = .seconds(60)
    var documentDeadline: Duration = .seconds(255)
    /// `TELEGRAM_POLL_TIMEOUT` (seconds): how long one getUpdates waits for news.
    var pollTimeout = 30
    /// After an edit timed out (Telegram may still apply it, late), no edit of that message is
    /// sent for this long; then the newest text is sent again (`TELEGRAM_STALL_QUARANTINE_MS`).
    var quarantine: Duration = .seconds(120)
    /// A failed send is tried again after this, doubling (`DUMPYARD_BOT_RETRY_BASE_MS`), up to
    /// `maxRetries` times (an edit: five times as many, waits capped at 150 × the base), then
    /// dead-lettered.
    var retryBase: Duration = .seconds(2)
    var maxRetries = 5
    /// Followed jobs are re-read this often, for the elapsed time and progress within a step
    /// (`DUMPYARD_BOT_REFRESH_MS`); Telegram allows about 20 messages a minute in a group, so
    /// several jobs in one chat must not edit much more often.
    var refresh: Duration = .seconds(30)
    /// A `/restart` confirmation expires after this (`DUMPYARD_BOT_CONFIRM_MS`).
    var confirmExpiry: Duration = .seconds(30)
    /// At most one Telegram send per this interval (Telegram allows about 30 a second).
    var spacing: Duration = .milliseconds(35)

    init(environment: [String: String]) throws(UsageError) {
        guard let token = environment["TELEGRAM_BOT_TOKEN"], !token.isEmpty else {
            throw UsageError("bot needs TELEGRAM_BOT_TOKEN (the token @BotFather gave)")
        }
        guard !token.contains("/"), !token.contains(where: \.isWhitespace) else { throw UsageError("TELEGRAM_BOT_TOKEN holds a space or a slash") }
        self.token = token
        var base = environment["TELEGRAM_API_BASE_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.telegram.org"
        while base.hasSuffix("/") { base.removeLast() }
        guard base.hasPrefix("https://") || base.hasPrefix("http://") else { throw UsageError("TELEGRAM_API_BASE_URL is an http(s) URL") }
        apiBase = base.hasSuffix("/bot") ? base : base + "/bot"
        allowedChats = try Self.chats(environment["ALLOWED_CHATS"], "ALLOWED_CHATS")
        requestChat = try Self.chats(environment["REQUEST_CHAT_ID"], "REQUEST_CHAT_ID").first
        reviewChat = try Self.chats(environment["REVIEW_CHAT_ID"], "REVIEW_CHAT_ID").first
        guard !allowedChats.isEmpty || requestChat != nil else {
            throw UsageError("bot needs ALLOWED_CHATS (a JSON list or comma-separated chat ids); without it the bot would answer no one")
        }
        if requestChat != nil, reviewChat == nil { throw UsageError("REQUEST_CHAT_ID needs REVIEW_CHAT_ID (where requests are reviewed)") }
        sudoUsers = Set(try Self.chats(environment["SUDO_USERS"], "SUDO_USERS"))
        channel = environment["TELEGRAM_CHANNEL"].flatMap { $0.isEmpty ? nil : $0 }
        if let channel, !(channel.hasPrefix("@") || Int64(channel) != nil) { throw UsageError("TELEGRAM_CHANNEL is @channelname or a chat id") }
        var entries = Self.items(environment["SOURCE_WHITELIST"])
        if let file = environment["SOURCE_WHITELIST_FILE"], !file.isEmpty {
            guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { throw UsageError("SOURCE_WHITELIST_FILE \(file) cannot be read") }
            entries += text.split(whereSeparator: \.isNewline).map(String.init)
        }
        whitelist = SourceWhitelist(fileText: entries.joined(separator: "\n"))
        func duration(_ name: String, unit: Duration, range: ClosedRange<Int64>, _ value: inout Duration) throws(UsageError) {
            guard let text = environment[name], !text.isEmpty else { return }
            guard let number = Int64(text), range.contains(number) else { throw UsageError("\(name) is \(range.lowerBound) to \(range.upperBound)") }
            value = unit * number
        }
        try duration("TELEGRAM_TEXT_REQUEST_TIMEOUT", unit: .seconds(1), range: 1...3600, &textDeadline)
        try duration("TELEGRAM_DOCUMENT_REQUEST_TIMEOUT", unit: .seconds(1), range: 1...3600, &documentDeadline)
        quarantine = textDeadline * 2
        try duration("TELEGRAM_STALL_QUARANTINE_MS", unit: .milliseconds(1), range: 1...3_600_000, &quarantine)
        try duration("DUMPYARD_BOT_RETRY_BASE_MS", unit: .milliseconds(1), range: 1...3_600_000, &retryBase)
        try duration("DUMPYARD_BOT_REFRESH_MS", unit: .milliseconds(1), range: 100...3_600_000, &refresh)
        try duration("DUMPYARD_BOT_CONFIRM_MS", unit: .milliseconds(1), range: 100...3_600_000, &confirmExpiry)
        if let text = environment["TELEGRAM_POLL_TIMEOUT"], !text.isEmpty {
            guard let value = Int(text), (0...50).contains(value) else { throw UsageError("TELEGRAM_POLL_TIMEOUT is 0 to 50 seconds") }
            pollTimeout = value
        }
    }

    /// Every chat the bot listens in.
    var servedChats: Set<Int64> { Set(allowedChats + [requestChat, reviewChat].compactMap { $0 }) }

    /// Chat ids from a JSON list (`[-1001, -1002]`) or a comma-separated one.
    private static func chats(_ text: String?, _ name: String) throws(UsageError) -> [Int64] {
        var ids: [Int64] = []
        for item in items(text) {
            guard let id = Int64(item) else { throw UsageError("\(name): \(item) is not a chat id") }
            ids.append(id)
        }
        return ids
    }

    /// The items of a list setting: a JSON list (`[-1001, "a"]`) or a comma-separated one.
    private static func items(_ text: String?) -> [String] {
        guard let text else { return [] }
        return text.trimmingCharacters(in: CharacterSet(charactersIn: "[] \t")).split(separator: ",")
            .map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"' \t")) }.filter { !$0.isEmpty }
    }
}
