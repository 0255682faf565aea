/// A transfer that failed below HTTP: no connection, TLS, a timeout, a dropped connection, or
/// stopped by the caller. Messages name the host, never the URL's query or credentials.
public struct HTTPError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Kind: Sendable, Hashable {
        /// The host name did not resolve, or no connection could be made.
        case connect
        /// No byte for the stall timeout, or the total timeout passed.
        case timeout
        /// The connection broke mid-transfer (worth resuming).
        case dropped
        case tls
        /// The body or progress handler asked to stop.
        case stopped
        case other
    }

    public var kind: Kind
    public var host: String
    /// libcurl's words.
    public var message: String
    /// The request reached the server (its headers were sent) before it failed: the server may
    /// have acted on it. False when no connection was made.
    public var requestSent: Bool

    public init(kind: Kind, host: String, message: String, requestSent: Bool = false) {
        self.kind = kind
        self.host = host
        self.message = message
        self.requestSent = requestSent
    }

    public var description: String { "\(host): \(message)" }
}
