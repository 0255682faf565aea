/// When to ask GitLab again (reference/git.md §4.1, python-gitlab's order): a 429 waits for
/// `Retry-After`, else until `RateLimit-Reset`, else backs off; a 5xx or a lost connection backs
/// off (1, 2, 4… s, at most 60 s); anything else is final.
public struct RetryPolicy: Sendable, Hashable {
    /// Tries in all, the first included.
    public var attempts: Int
    public var firstBackoff: Duration
    /// No single wait is longer than this (a hostile or broken `Retry-After`).
    public var longestWait: Duration

    public init(attempts: Int = 6, firstBackoff: Duration = .seconds(1), longestWait: Duration = .seconds(60)) {
        self.attempts = attempts
        self.firstBackoff = firstBackoff
        self.longestWait = longestWait
    }

    /// The wait before try `attempt + 1` after `response` (nil: no answer came), or nil when the
    /// answer is final. `now` is the time in seconds since 1970, for `RateLimit-Reset`.
    public func wait(after response: GitLabResponse?, attempt: Int, now: Double) -> Duration? {
        guard attempt < attempts else { return nil }
        let backoff = firstBackoff * (1 << min(attempt - 1, 16))
        guard let response else { return min(backoff, longestWait) }
        switch response.status {
        case 429:
            if let text = response.headers["retry-after"], let seconds = Double(text.trimmingCharacters(in: " ")), seconds >= 0 {
                return capped(seconds)
            }
            if let text = response.headers["ratelimit-reset"], let reset = Double(text.trimmingCharacters(in: " ")), reset.isFinite {
                return capped(max(0, reset - now))
            }
            return min(backoff, longestWait)
        case 500...599:
            return min(backoff, longestWait)
        default:
            return nil
        }
    }
}

extension RetryPolicy {
    /// `seconds` as a wait of at most `longestWait`, whatever the number (1e300, inf, nan).
    fileprivate func capped(_ seconds: Double) -> Duration {
        let longest = Double(longestWait.components.seconds) + Double(longestWait.components.attoseconds) / 1e18
        guard seconds.isFinite, seconds < longest else { return longestWait }
        return .milliseconds(Int64(max(0, seconds) * 1000))
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        String(drop { $0 == set }.reversed().drop { $0 == set }.reversed())
    }
}
