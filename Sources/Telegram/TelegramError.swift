/// A Bot API call that failed: the method, Telegram's error code (0 when no answer came) and its
/// description; `retryAfter` when Telegram asked to wait. Never the token.
public struct TelegramError: Error, Sendable, Hashable, CustomStringConvertible {
    public var method: String
    public var code: Int
    public var message: String
    public var retryAfter: Int?
    /// No answer came to a call that was sent: Telegram may have carried it out. A new message or
    /// document sent again could then appear twice.
    public var mayHaveApplied: Bool

    public init(method: String, code: Int, message: String, retryAfter: Int? = nil, mayHaveApplied: Bool = false) {
        self.method = method
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
        self.mayHaveApplied = mayHaveApplied
    }

    public var description: String {
        code == 0 ? "Telegram: \(method): \(message)" : "Telegram: \(method): \(code) \(message)"
    }
}
