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
}
