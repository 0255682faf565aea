/// Why a download failed, always naming the host and what was tried; never the URL's query,
/// credentials or a private job's URL.
public struct DownloadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var message: String
    /// True when another attempt later may succeed (a 5xx, a timeout, a dropped connection).
    public var retryable: Bool

    public init(host: String, message: String, retryable: Bool) {
        self.host = host
        self.message = message
        self.retryable = retryable
    }

    public var description: String { host.isEmpty ? message : "\(host): \(message)" }

    /// What a private job may show: the HTTP status, if there was one, and nothing of hosts or
    /// paths (the job's own, or a redirect's).
    public var withheldDescription: String {
        let words = message.split(separator: " ")
        let status = zip(words, words.dropFirst()).first { $0.0 == "HTTP" && $0.1.count == 3 && $0.1.allSatisfy(\.isNumber) }?.1
        return (status.map { "HTTP \($0)" } ?? "the download did not succeed") + " (details withheld: a private job)"
    }
}
